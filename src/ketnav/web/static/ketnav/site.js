/* Ketamine Navigator: the site's only script. Pages work without it; it adds small conveniences.
   Loaded from a file (never inline) so a strict Content-Security-Policy can forbid inline scripts. */
"use strict";

/* <button data-print hidden> prints the page. The buttons stay hidden until this script can make them
   work (print buttons used onclick="window.print()" before, which the CSP forbids). */
document.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});

/* A registry sync started from the admin: [data-sync-status="URL"] polls URL (JSON) and fills in
   the elements marked data-field, the <progress> bar and the status text, until the run ends. */
(function () {
  var box = document.querySelector("[data-sync-status]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-sync-status");
  function show(run) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var value = run[el.getAttribute("data-field")];
      el.textContent = typeof value === "number" ? value.toLocaleString("en-US") : (value || "");
      if (el.hasAttribute("data-hide-empty")) el.classList.toggle("hidden", !value);
    });
    var bar = box.querySelector("progress");
    if (bar) {
      if (run.total) { bar.max = run.total; bar.value = Math.min(run.fetched, run.total); }
      else { bar.removeAttribute("value"); }
    }
    box.setAttribute("data-state", run.status);
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (run) {
        if (!run) return;
        show(run);
        if (run.status === "queued" || run.status === "running") window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
