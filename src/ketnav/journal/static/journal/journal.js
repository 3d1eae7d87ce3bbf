// Progressive enhancement for the journal pages: a Print button where a person would print.
// Without JavaScript the button stays hidden and the browser's own Print command works the same.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
