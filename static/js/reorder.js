/* Package page: reorder the workspaces by drag or with the arrow buttons (effective tomorrow).
   The buttons' texts come from the page (data-text-* of the list), in the page's language. */
(function () {
  "use strict";
  var chosen = document.getElementById("chosen-workspaces");
  var available = document.getElementById("available-workspaces");
  var field = document.getElementById("workspaces-field");
  if (!chosen || !field) { return; }
  var text = chosen.dataset;
  function sync() {
    field.value = Array.prototype.map.call(chosen.querySelectorAll(".ws-item"), function (li) { return li.dataset.id; }).join(",");
  }
  function button(move, label, aria) {
    var b = document.createElement("button");
    b.type = "button"; b.className = move === "add" ? "btn btn-small" : "btn btn-small btn-ghost";
    b.dataset.move = move; b.textContent = label;
    if (aria) { b.setAttribute("aria-label", aria); }
    return b;
  }
  function rebuild(li, isChosen) {  // the same markup as the page renders for either list
    var name = li.querySelector(".ws-name").textContent;
    li.innerHTML = "";
    li.setAttribute("draggable", isChosen ? "true" : "false");
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
      actions.appendChild(button("up", "↑", text.textMoveUp));
      actions.appendChild(button("down", "↓", text.textMoveDown));
      actions.appendChild(button("remove", text.textRemove));
      li.appendChild(actions);
    } else {
      li.appendChild(button("add", text.textAdd));
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
    sync();
  });
  chosen.addEventListener("dragstart", function (event) { dragged = event.target.closest(".ws-item"); dragged.classList.add("dragging"); });
  chosen.addEventListener("dragend", function () { if (dragged) { dragged.classList.remove("dragging"); } dragged = null; sync(); });
  chosen.addEventListener("dragover", function (event) {
    event.preventDefault();
    var over = event.target.closest(".ws-item");
    if (!dragged || !over || over === dragged) { return; }
    var box = over.getBoundingClientRect();
    chosen.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
})();
