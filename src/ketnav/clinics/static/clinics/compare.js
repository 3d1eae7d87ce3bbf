// Compare clinics: the print button only works with JavaScript, so it is hidden until this runs.
document.querySelectorAll("button.js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
