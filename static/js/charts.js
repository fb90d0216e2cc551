/* Daily charts drawn by the server (quota/charts.py): a tap, a pointer over a day or the arrow
   keys show that day's exact values above the chart. Without this script the table under each
   chart shows the same numbers. */
(function () {
  "use strict";

  function setUp(figure) {
    var svg = figure.querySelector("svg");
    var readout = figure.querySelector(".chart-readout");
    var columns = Array.prototype.slice.call(figure.querySelectorAll(".col"));
    var current = -1;
    if (!svg || !readout || !columns.length) { return; }

    function show(index) {
      if (index < 0 || index >= columns.length) { return; }
      if (current >= 0) { columns[current].classList.remove("active"); }
      current = index;
      columns[index].classList.add("active");
      readout.textContent = columns[index].getAttribute("data-readout");
    }

    // The column under the pointer, found by position: a finger that slides keeps reading.
    function columnAt(event) {
      var hit = document.elementFromPoint(event.clientX, event.clientY);
      var column = hit && hit.closest ? hit.closest(".col") : null;
      return column && svg.contains(column) ? columns.indexOf(column) : -1;
    }

    function follow(event) { show(columnAt(event)); }

    svg.addEventListener("pointerdown", follow);
    svg.addEventListener("pointermove", follow);
    svg.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        var step = event.key === "ArrowRight" ? 1 : -1;
        show(current < 0 ? (step > 0 ? 0 : columns.length - 1) : current + step);
      }
    });
  }

  document.querySelectorAll("[data-chart]").forEach(setUp);
})();
