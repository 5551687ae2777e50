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
  // The header's menu (<details data-menu>): folded on a phone, open on a wide screen; its button says
  // which (aria-expanded). Without this script the <details> still opens and closes by itself.
  document.documentElement.classList.add("js");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 48rem)") : null;
  function syncMenus() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      if (wide) { menu.open = wide.matches; }
      var button = menu.querySelector("summary");
      if (button) { button.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
    });
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu && menu.matches && menu.matches("details[data-menu]")) {
      var button = menu.querySelector("summary");
      if (button) { button.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
    }
  }, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncMenus);
  } else {
    syncMenus();
  }
  if (wide && wide.addEventListener) { wide.addEventListener("change", syncMenus); }
})();
