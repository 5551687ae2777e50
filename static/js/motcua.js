/* MotCua's few page behaviours, bound by data attributes so that no page needs inline script
   (the Content-Security-Policy allows scripts from the portal's own files and nonced tags only). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) { event.preventDefault(); window.print(); }
  });
})();
