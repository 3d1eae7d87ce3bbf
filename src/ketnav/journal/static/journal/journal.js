// Progressive enhancement for the journal pages: the local time in new entries, and a Print button
// where a person would print. Without JavaScript the times are UTC and the browser's Print works the same.
document.addEventListener("DOMContentLoaded", function () {
  // New entries start at "now": the server can only offer UTC, the device knows the local time.
  document.querySelectorAll('input[type="datetime-local"][data-now]').forEach(function (input) {
    var now = new Date();
    now.setSeconds(0, 0);
    input.value = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
