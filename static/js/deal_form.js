// Deal form: live per-line counter for the proposal reason, loss type only for lost deals,
// amounts shown with thousands separators. The server checks every rule again.
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

    field.addEventListener("input", render);
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

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-line-counter]").forEach(setupCounter);
    document.querySelectorAll("[data-deal-form]").forEach((form) => {
      setupPhase(form);
      setupAmount(form);
    });
  });
})();
