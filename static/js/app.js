// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// A header checkbox with data-check-all="<name>" checks or clears every checkbox of that name in its form.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const scope = all.form || document;
  const name = all.getAttribute("data-check-all");
  scope.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
// After an action that returns to a place further down the page (#element-…), its message would be above the
// screen: show the messages floating at the bottom instead.
document.addEventListener("DOMContentLoaded", () => {
  const messages = document.querySelector(".app-messages");
  if (messages && window.location.hash.length > 1) {
    messages.classList.add("app-messages-float");
  }
});
