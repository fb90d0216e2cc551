/* Package page: reorder the workspaces by drag or with the arrow buttons (effective tomorrow). */
(function () {
  "use strict";
  var chosen = document.getElementById("chosen-workspaces");
  var available = document.getElementById("available-workspaces");
  var field = document.getElementById("workspaces-field");
  if (!chosen || !field) { return; }
  function sync() {
    field.value = Array.prototype.map.call(chosen.querySelectorAll(".ws-item"), function (li) { return li.dataset.id; }).join(",");
  }
  var dragged = null;
  document.addEventListener("click", function (event) {
    var move = event.target.dataset && event.target.dataset.move;
    if (!move) { return; }
    var li = event.target.closest(".ws-item");
    if (move === "up" && li.previousElementSibling) { chosen.insertBefore(li, li.previousElementSibling); }
    if (move === "down" && li.nextElementSibling) { chosen.insertBefore(li.nextElementSibling, li); }
    if (move === "remove") { available.appendChild(li); li.setAttribute("draggable", "false"); li.querySelector(".ws-actions").innerHTML = '<button type="button" class="btn btn-small" data-move="add">+</button>'; }
    if (move === "add") {
      li.setAttribute("draggable", "true");
      event.target.outerHTML = '<span class="ws-actions"><button type="button" class="btn btn-small btn-ghost" data-move="up">↑</button><button type="button" class="btn btn-small btn-ghost" data-move="down">↓</button><button type="button" class="btn btn-small btn-ghost" data-move="remove">×</button></span>';
      chosen.appendChild(li);
    }
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
