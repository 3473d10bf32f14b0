/* The error summary of a form (templates/forms/error_summary.html): on load the focus moves to
   the first summary on the page, so a screen reader reads the errors and a keyboard user starts
   there; following one of its links focuses the field it names. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  document.querySelectorAll("[data-error-summary]").forEach(function (box) {
    box.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
})();
