// Small enhancements for every page; the pages work without them. Kept in a static file because the
// Content-Security-Policy allows no inline script or event-handler attributes.
(function () {
  "use strict";
  // "Print" buttons (data-print) are hidden until this script can make them work.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
