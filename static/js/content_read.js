// Read tracking of a content page: once the reader reaches the end of the material (the #content-end marker
// comes into view) or has spent the content's seconds on the page with the tab visible, post "read" once.
// For downloads and links the end counts only after the material's link was used (data-end-armed="false").
(() => {
  const tracker = document.getElementById("content-tracking");
  if (!tracker) return;
  const url = tracker.dataset.readUrl;
  const seconds = Math.max(1, parseInt(tracker.dataset.seconds || "60", 10));
  let sent = false;
  let timer = null;
  let observer = null;

  const showRead = () => {
    const step = document.querySelector('[data-step="read"]');
    if (step) {
      step.classList.add("is-done");
      const state = step.querySelector("[data-step-state]");
      if (state) state.textContent = tracker.dataset.doneText || "";
    }
    const status = document.getElementById("content-read-status");
    if (status) status.textContent = tracker.dataset.readMessage || "";
  };

  const markRead = () => {
    if (sent) return;
    sent = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": tracker.dataset.csrf, Accept: "application/json" },
    })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        if (timer) clearInterval(timer);
        if (observer) observer.disconnect();
        showRead();
        tracker.dispatchEvent(new CustomEvent("content:read", { bubbles: true }));
      })
      .catch(() => {
        sent = false; // try again on the next trigger (the timer keeps running)
      });
  };

  const watchEnd = () => {
    const end = document.getElementById("content-end");
    if (!end || observer || !("IntersectionObserver" in window)) return;
    observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) markRead();
    });
    observer.observe(end);
  };

  if (tracker.dataset.endArmed === "true") {
    watchEnd();
  } else {
    document.querySelectorAll("[data-material-link]").forEach((link) => {
      link.addEventListener("click", watchEnd, { once: true });
    });
  }

  // Seconds with the tab visible; a hidden tab does not count.
  let visibleMs = 0;
  let last = document.visibilityState === "visible" ? Date.now() : null;
  const tick = () => {
    const now = Date.now();
    if (last !== null) visibleMs += now - last;
    last = document.visibilityState === "visible" ? now : null;
    if (visibleMs >= seconds * 1000) markRead();
  };
  document.addEventListener("visibilitychange", tick);
  timer = setInterval(tick, 1000);
})();
