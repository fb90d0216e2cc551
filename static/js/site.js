/* Behaviour of every page, kept out of the HTML so that the Content-Security-Policy allows
   scripts of this site only: switchers that submit on change, and forms that submit once. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A second click while the first submit is on its way does nothing (the key makes it safe anyway).
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-once]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  // Narrow screens: the menu opens behind its button (without JavaScript nojs.css shows it).
  var toggle = document.querySelector("[data-menu-toggle]");
  if (toggle) {
    var bar = toggle.closest(".topbar");
    toggle.addEventListener("click", function () {
      var open = bar.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // A table wider than its box scrolls inside it; a line above it says so.
  var main = document.querySelector("main[data-scroll-hint]");
  function markScrollableTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrollable = wrap.scrollWidth > wrap.clientWidth + 1;
      var hint = wrap.previousElementSibling;
      var hinted = hint !== null && hint.classList.contains("scroll-hint");
      wrap.classList.toggle("is-scrollable", scrollable);
      if (scrollable && !hinted && main) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.setAttribute("data-testid", "scroll-hint");
        hint.textContent = main.getAttribute("data-scroll-hint");
        wrap.parentNode.insertBefore(hint, wrap);
      } else if (!scrollable && hinted) {
        hint.remove();
      }
    });
  }
  markScrollableTables();
  window.addEventListener("resize", markScrollableTables);
})();
