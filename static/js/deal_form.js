// Deal form: live per-line counter for the proposal reason, loss type only for lost deals, amounts shown with
// thousands separators, MEDDIC cards that fold on a phone, and unsaved changes kept on the device. The server
// checks every rule again.
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
  }

  // Characters as the server counts them (code points, so Japanese and emoji count one each).
  function length(text) {
    return Array.from(text).length;
  }

  function setupCounter(list) {
    const field = document.getElementById(list.dataset.lineCounter);
    if (!field) return;
    const maxLines = Number(list.dataset.maxLines);
    const maxChars = Number(list.dataset.maxChars);

    function render() {
      const lines = field.value.split(/\r\n|\r|\n/).map((line) => line.trim()).filter((line) => line);
      const shown = Math.max(lines.length, maxLines);
      const items = [];
      let invalid = lines.length > maxLines;
      for (let index = 0; index < shown; index += 1) {
        const count = index < lines.length ? length(lines[index]) : 0;
        const over = count > maxChars;
        invalid = invalid || over;
        const item = document.createElement("li");
        item.className = "reason-line";
        if (over) item.classList.add("is-over");
        if (index >= maxLines) item.classList.add("is-extra");
        const label = document.createElement("span");
        label.className = "reason-line-label";
        label.textContent = format(list.dataset.labelLine, { n: index + 1 });
        const value = document.createElement("span");
        value.className = "reason-line-count";
        value.textContent = `${count}/${maxChars}`;
        item.append(label, " ", value);
        if (over) {
          const extra = document.createElement("span");
          extra.className = "reason-line-over";
          extra.textContent = format(list.dataset.labelOver, { over: count - maxChars });
          item.append(" ", extra);
        }
        items.push(item);
      }
      if (lines.length > maxLines) {
        const warning = document.createElement("li");
        warning.className = "reason-warning";
        warning.setAttribute("role", "alert");
        warning.textContent = format(list.dataset.labelTooMany, { n: maxLines + 1 });
        items.push(warning);
      }
      list.replaceChildren(...items);
      field.classList.toggle("is-over-limit", invalid);
      // Grow with the text so a wrapped or extra line is never hidden behind a scrollbar.
      field.style.height = "auto";
      field.style.height = `${field.scrollHeight + 2}px`;
    }

    field.addEventListener("input", () => {
      render();
      // Keep the counter in sight under the text while typing (a phone's keyboard takes half the screen).
      const box = list.getBoundingClientRect();
      const bottom = window.visualViewport ? window.visualViewport.height : window.innerHeight;
      if (box.bottom > bottom || box.top < 0) list.scrollIntoView({ block: "nearest" });
    });
    render();
  }

  function setupPhase(form) {
    const phase = form.querySelector("select[name='phase']");
    if (!phase) return;
    const toggle = () => {
      form.querySelectorAll("[data-show-for-phase]").forEach((block) => {
        block.hidden = !block.dataset.showForPhase.split(" ").includes(phase.value);
      });
    };
    phase.addEventListener("change", toggle);
    toggle();
  }

  function setupAmount(form) {
    const amount = form.querySelector("input[name='amount']");
    if (!amount) return;
    const formatter = new Intl.NumberFormat("ja-JP");
    amount.addEventListener("blur", () => {
      const digits = amount.value.normalize("NFKC").replace(/[\s,¥円]/g, "");
      if (/^\d+$/.test(digits)) amount.value = formatter.format(Number(digits));
    });
  }

  // On a phone the six MEDDIC cards fold: each header shows the chosen level and evidence and opens the card.
  const PHONE = window.matchMedia("(max-width: 767.98px)");

  function setupFolding(form) {
    form.querySelectorAll(".element-card").forEach((card) => {
      const button = card.querySelector(".element-fold");
      const body = card.querySelector(".card-body");
      const summary = card.querySelector(".element-summary");
      if (!button || !body) return;
      const describe = () => {
        const chosen = Array.from(card.querySelectorAll(".element-axis input:checked"))
          .map((input) => card.querySelector(`label[for="${input.id}"] .axis-value`))
          .filter((label) => label)
          .map((label) => {
            const text = label.cloneNode(true);
            text.querySelector(".level-number")?.remove();
            return text.textContent.trim();
          });
        summary.textContent = chosen.join(" · ");
      };
      const show = (open) => {
        body.hidden = !open;
        button.setAttribute("aria-expanded", String(open));
        card.classList.toggle("is-folded", !open);
      };
      button.addEventListener("click", () => show(body.hidden));
      card.addEventListener("change", describe);
      describe();
      const arrange = () => {
        button.hidden = !PHONE.matches;
        show(!PHONE.matches || card.classList.contains("has-errors"));
      };
      PHONE.addEventListener("change", arrange);
      arrange();
    });
  }

  // Leaving with unsaved changes asks first; the changes are also kept on this device (localStorage) until the
  // save goes through, so a lost connection or a closed tab loses nothing.
  const SKIPPED = new Set(["csrfmiddlewaretoken", "version", "base", "action"]);

  function valuesOf(form) {
    const values = {};
    Array.from(form.elements).forEach((element) => {
      if (!element.name || SKIPPED.has(element.name) || element.type === "file") return;
      if (element.type === "submit" || element.type === "button") return;
      if (element.type === "radio" || element.type === "checkbox") {
        values[element.name] = values[element.name] || [];
        if (element.checked) values[element.name].push(element.value);
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function applyValues(form, values) {
    Array.from(form.elements).forEach((element) => {
      if (!(element.name in values) || SKIPPED.has(element.name)) return;
      const value = values[element.name];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = value.includes(element.value);
      } else if (element.type !== "file") {
        element.value = value;
      }
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function readDraft(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeDraft(key, draft) {
    try {
      window.localStorage.setItem(key, JSON.stringify(draft));
    } catch (error) {
      // Storage full or refused (private mode): the leave-page warning still protects the typing.
    }
  }

  function setupDraft(form) {
    const key = form.dataset.draftKey;
    const banner = form.querySelector(".draft-restore");
    const initial = JSON.stringify(valuesOf(form));
    let dirty = false;
    let timer = null;
    const saved = readDraft(key);
    if (saved && JSON.stringify(saved.values) !== initial && banner) {
      const time = banner.querySelector(".draft-time");
      if (time && saved.savedAt) {
        time.textContent = new Date(saved.savedAt).toLocaleString(document.documentElement.lang);
      }
      banner.hidden = false;
      banner.querySelector("[data-draft-restore]").addEventListener("click", () => {
        applyValues(form, saved.values);
        dirty = true;
        banner.hidden = true;
        writeDraft(key, { ...saved, submittedAt: null });
      });
      banner.querySelector("[data-draft-discard]").addEventListener("click", () => {
        window.localStorage.removeItem(key);
        banner.hidden = true;
      });
    } else if (saved) {
      window.localStorage.removeItem(key);
    }
    const remember = () => {
      dirty = JSON.stringify(valuesOf(form)) !== initial;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (dirty) writeDraft(key, { values: valuesOf(form), savedAt: Date.now(), submittedAt: null });
      }, 300);
    };
    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
    form.addEventListener("submit", () => {
      window.clearTimeout(timer);
      // Kept until the next page shows the save went through (app.js removes it there).
      writeDraft(key, { values: valuesOf(form), savedAt: Date.now(), submittedAt: Date.now() });
      dirty = false;
    });
    window.addEventListener("beforeunload", (event) => {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = form.dataset.leaveWarning || "";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-line-counter]").forEach(setupCounter);
    document.querySelectorAll("[data-deal-form]").forEach((form) => {
      setupPhase(form);
      setupAmount(form);
      setupFolding(form);
      if (form.dataset.draftKey) setupDraft(form);
    });
  });
})();
