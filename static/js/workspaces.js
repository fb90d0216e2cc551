/* Workspaces in priority order, shared by the purchase page (buy.js) and the package page
   (reorder.js): add, remove, move up or down, drag. An item keeps the markup the page renders
   for its list; `field` holds the chosen ids in order. `text` has the buttons' texts in the
   page's language (moveUp, moveDown, remove, add); `changed` is called after each change. */
window.orderWorkspaces = function (chosen, available, field, text, changed) {
  "use strict";
  function sync() {
    field.value = Array.prototype.map.call(chosen.querySelectorAll(".ws-item"), function (li) { return li.dataset.id; }).join(",");
  }
  function moved() {
    sync();
    if (changed) { changed(); }
  }
  function button(move, label, aria) {
    var b = document.createElement("button");
    b.type = "button"; b.className = move === "add" ? "btn btn-small" : "btn btn-small btn-ghost";
    b.dataset.move = move; b.textContent = label;
    if (aria) { b.setAttribute("aria-label", aria); }
    return b;
  }
  function rebuild(li, isChosen) {
    var name = li.querySelector(".ws-name").textContent;
    li.innerHTML = "";
    if (isChosen) { li.setAttribute("draggable", "true"); } else { li.removeAttribute("draggable"); }
    if (isChosen) {
      var handle = document.createElement("span");
      handle.className = "handle"; handle.setAttribute("aria-hidden", "true"); handle.textContent = "⋮⋮";
      li.appendChild(handle);
    }
    var span = document.createElement("span");
    span.className = "ws-name"; span.textContent = name;
    li.appendChild(span);
    if (isChosen) {
      var actions = document.createElement("span");
      actions.className = "ws-actions";
      actions.appendChild(button("up", "↑", text.moveUp));
      actions.appendChild(button("down", "↓", text.moveDown));
      actions.appendChild(button("remove", text.remove));
      li.appendChild(actions);
    } else {
      li.appendChild(button("add", text.add));
    }
  }
  var dragged = null;
  document.addEventListener("click", function (event) {
    var move = event.target.dataset && event.target.dataset.move;
    if (!move) { return; }
    var li = event.target.closest(".ws-item");
    if (move === "up" && li.previousElementSibling) { chosen.insertBefore(li, li.previousElementSibling); }
    if (move === "down" && li.nextElementSibling) { chosen.insertBefore(li.nextElementSibling, li); }
    if (move === "remove") { rebuild(li, false); available.appendChild(li); }
    if (move === "add") { rebuild(li, true); chosen.appendChild(li); }
    moved();
  });
  chosen.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".ws-item");
    event.dataTransfer.effectAllowed = "move";
    dragged.classList.add("dragging");
  });
  chosen.addEventListener("dragend", function () { if (dragged) { dragged.classList.remove("dragging"); } dragged = null; moved(); });
  chosen.addEventListener("dragover", function (event) {
    event.preventDefault();
    var over = event.target.closest(".ws-item");
    if (!dragged || !over || over === dragged) { return; }
    var box = over.getBoundingClientRect();
    chosen.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  sync();
};
