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
})();
