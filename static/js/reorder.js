/* Package page: reorder the workspaces by drag or with the arrow buttons (effective tomorrow),
   with workspaces.js. The buttons' texts come from the page (data-text-* of the list), in the
   page's language. */
(function () {
  "use strict";
  var chosen = document.getElementById("chosen-workspaces");
  var field = document.getElementById("workspaces-field");
  if (!chosen || !field) { return; }
  var text = chosen.dataset;
  window.orderWorkspaces(chosen, document.getElementById("available-workspaces"), field, {
    moveUp: text.textMoveUp, moveDown: text.textMoveDown, remove: text.textRemove, add: text.textAdd
  });
})();
