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
// A deal form's changes are kept on the device until its save goes through: the page the save led to removes
// them. Logging out removes every kept draft (another person may use this device next).
const DRAFT_PREFIX = "prm-draft:";
document.addEventListener("DOMContentLoaded", () => {
  let from = "";
  try {
    from = document.referrer ? new URL(document.referrer).pathname : "";
  } catch (error) {
    from = "";
  }
  if (!from || document.querySelector("[data-draft-key]")) return;
  for (let index = window.localStorage.length - 1; index >= 0; index -= 1) {
    const key = window.localStorage.key(index);
    if (!key || !key.startsWith(DRAFT_PREFIX) || !key.endsWith(`:${from}`)) continue;
    try {
      const draft = JSON.parse(window.localStorage.getItem(key));
      if (draft && draft.submittedAt && Date.now() - draft.submittedAt < 10 * 60 * 1000) {
        window.localStorage.removeItem(key);
      }
    } catch (error) {
      window.localStorage.removeItem(key);
    }
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const logout = form.hasAttribute("data-clear-drafts") || (form.action || "").endsWith("/accounts/logout/");
  if (!logout) return;
  for (let index = window.localStorage.length - 1; index >= 0; index -= 1) {
    const key = window.localStorage.key(index);
    if (key && key.startsWith(DRAFT_PREFIX)) window.localStorage.removeItem(key);
  }
});
