// KPI pages: Chart.js charts from json_script data, pickers that apply on change, and the recompute with its
// progress bar. Every chart has a table with the same numbers in the page, so nothing here is needed to read them.
(() => {
  "use strict";

  const lang = document.documentElement.lang || "ja";
  const indexFormat = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const tickFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const countFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });

  const FACTOR_COLORS = {
    proposals: "#2251cc",
    win_rate: "#d97706",
    unit_price: "#0f766e",
    expected_value: "#7c3aed",
  };
  const PHASE_COLORS = {
    information_gathering: "#dbe4fd",
    problem_definition: "#b9cafb",
    evaluation: "#93acf5",
    proposal: "#6d8eec",
    pre_approval: "#4a6fdd",
    approval: "#2f55c4",
    informal_award: "#1e3c96",
    won: "#16a34a",
    lost: "#dc2626",
    on_hold: "#9ca3af",
  };
  // Ticks of the log-ratio axes, as indices.
  const INDEX_TICKS = [0.01, 0.03, 0.1, 0.25, 0.5, 1, 2, 4, 10, 30, 100];

  const indexText = (value) => (value === null || value === undefined ? "—" : `×${indexFormat.format(value)}`);

  function logTicks(scale) {
    const ticks = INDEX_TICKS.map(Math.log).filter((value) => value >= scale.min - 1e-9 && value <= scale.max + 1e-9);
    scale.ticks = ticks.map((value) => ({ value }));
  }

  function logAxis(title, limit) {
    return {
      min: -limit,
      max: limit,
      title: { display: Boolean(title), text: title },
      ticks: { callback: (value) => `×${tickFormat.format(Math.exp(value))}` },
      afterBuildTicks: logTicks,
      grid: { color: (context) => (context.tick && Math.abs(context.tick.value) < 1e-9 ? "#33415c" : "#e3e7ef") },
    };
  }

  // The smallest symmetric tick range (at least ×0.5 … ×2) that holds every |ln index| in ``extents``.
  function axisLimit(extents) {
    const extent = Math.max(Math.log(2), ...extents.map(Math.abs));
    return INDEX_TICKS.map(Math.log).find((value) => value >= extent - 1e-9) || Math.log(100);
  }

  function readData(canvas) {
    const source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  // Horizontal bar charts grow with their rows (CSSOM, not a style attribute: the CSP allows it).
  function fitHeight(canvas, rows, perRow, extra) {
    const figure = canvas.closest(".kpi-chart");
    if (figure && rows) figure.style.height = `${Math.max(12, rows * perRow + extra)}rem`;
  }

  const common = { responsive: true, maintainAspectRatio: false, animation: false };

  // Partner names on a category axis: shortened on a phone so the bars keep their width (tooltips and the
  // table beside each chart keep the full names).
  const PHONE = window.matchMedia("(max-width: 575.98px)");
  function shortLabel(label) {
    const text = String(label);
    const limit = PHONE.matches ? 9 : 28;
    return Array.from(text).length > limit ? `${Array.from(text).slice(0, limit - 1).join("")}…` : text;
  }
  const names = {
    ticks: {
      callback(value) {
        return shortLabel(this.getLabelForValue(value));
      },
    },
  };

  function decompositionChart(canvas, data) {
    fitHeight(canvas, data.labels.length, 1.9, 5);
    // Negative and positive parts stack separately: the axis must hold the longer of the two.
    const stacks = data.labels.map((_label, row) => {
      const values = data.datasets.map((series) => series.values[row] || 0);
      return Math.max(
        values.filter((value) => value < 0).reduce((sum, value) => sum - value, 0),
        values.filter((value) => value > 0).reduce((sum, value) => sum + value, 0),
      );
    });
    const limit = axisLimit(stacks);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((series) => ({
          label: series.label,
          data: series.values,
          indices: series.indices,
          backgroundColor: FACTOR_COLORS[series.code],
          stack: "factors",
          barPercentage: 0.8,
        })),
      },
      options: {
        ...common,
        indexAxis: "y",
        scales: { x: { ...logAxis(canvas.dataset.axis, limit), stacked: true }, y: { ...names, stacked: true } },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: (context) => `${context.dataset.label}: ${indexText(context.dataset.indices[context.dataIndex])}`,
              footer: (items) => (items.length ? `= ${indexText(data.totals[items[0].dataIndex])}` : ""),
            },
          },
        },
      },
    });
  }

  function factorsChart(canvas, data) {
    fitHeight(canvas, data.labels.length, 2.6, 3);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            data: data.values,
            indices: data.indices,
            backgroundColor: data.codes.map((code) => FACTOR_COLORS[code]),
            barPercentage: 0.7,
          },
        ],
      },
      options: {
        ...common,
        indexAxis: "y",
        scales: { x: logAxis(canvas.dataset.axis, axisLimit(data.values.map((value) => value || 0))), y: names },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (context) => indexText(data.indices[context.dataIndex]) } },
        },
      },
    });
  }

  function statusChart(canvas, data) {
    fitHeight(canvas, data.labels.length, 1.9, 6);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.phases.map((phase, position) => ({
          label: phase.label,
          data: data.counts[position],
          backgroundColor: PHASE_COLORS[phase.code] || "#cbd5e1",
          stack: "phases",
          barPercentage: 0.8,
        })),
      },
      options: {
        ...common,
        indexAxis: "y",
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: (value) => countFormat.format(value) } },
          y: { ...names, stacked: true },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (context) => `${context.dataset.label}: ${countFormat.format(context.raw)}` } },
        },
      },
    });
  }

  function trendChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((series) => ({
          label: series.label,
          data: series.values,
          indices: series.indices,
          borderColor: FACTOR_COLORS[series.code],
          backgroundColor: FACTOR_COLORS[series.code],
          borderDash: series.code === "expected_value" ? [6, 4] : [],
          borderWidth: series.code === "expected_value" ? 3 : 2,
          spanGaps: false,
          tension: 0,
        })),
      },
      options: {
        ...common,
        scales: { y: logAxis(canvas.dataset.axis, data.limit) },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: (context) => `${context.dataset.label}: ${indexText(context.dataset.indices[context.dataIndex])}`,
            },
          },
        },
      },
    });
  }

  const CHARTS = { decomposition: decompositionChart, factors: factorsChart, status: statusChart, trend: trendChart };

  function drawCharts() {
    if (!window.Chart) return;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-kpi-chart]").forEach((canvas) => {
      const draw = CHARTS[canvas.dataset.kpiChart];
      const data = readData(canvas);
      if (draw && data && data.labels && data.labels.length) {
        canvas.closest(".kpi-chart").classList.add("is-drawn");
        draw(canvas, data);
      }
    });
  }

  // Pickers apply as soon as a choice changes (the Show button stays for keyboard users and without JS).
  document.addEventListener("change", (event) => {
    const select = event.target.closest("form[data-kpi-pickers] select");
    if (select) select.form.requestSubmit();
  });

  // Recompute: POST, then poll the task until it is done; then load the new figures.
  function recompute(button) {
    const panel = document.getElementById(button.dataset.progress);
    const bar = panel.querySelector(".progress");
    const fill = panel.querySelector(".progress-bar");
    const percent = panel.querySelector(".kpi-progress-percent");
    const text = panel.querySelector(".kpi-progress-text");

    function show(progress, message, state) {
      const value = Math.max(0, Math.min(100, Math.round(progress)));
      fill.style.width = `${value}%`;
      bar.setAttribute("aria-valuenow", String(value));
      percent.textContent = `${value}%`;
      text.textContent = message;
      fill.classList.toggle("bg-success", state === "done");
      fill.classList.toggle("bg-danger", state === "failed");
      fill.classList.toggle("progress-bar-striped", state === "running");
      fill.classList.toggle("progress-bar-animated", state === "running");
    }

    function fail() {
      show(Number(bar.getAttribute("aria-valuenow")), button.dataset.textFailed, "failed");
      button.disabled = false;
    }

    async function poll(url) {
      let state;
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return fail();
        state = await response.json();
      } catch {
        return fail();
      }
      if (state.state === "SUCCESS") {
        show(100, button.dataset.textDone, "done");
        window.setTimeout(() => window.location.reload(), 1500);
      } else if (state.state === "FAILURE") {
        fail();
      } else {
        const waiting = state.state === "PENDING";
        show(state.progress || 0, waiting ? button.dataset.textWaiting : button.dataset.textRunning, "running");
        window.setTimeout(() => poll(url), 800);
      }
    }

    async function start() {
      button.disabled = true;
      panel.classList.remove("d-none");
      show(0, button.dataset.textWaiting, "running");
      try {
        const response = await fetch(button.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": button.dataset.csrf },
        });
        if (response.status !== 202) return fail();
        const { task_id: taskId } = await response.json();
        poll(button.dataset.taskUrl.replace("__task__", encodeURIComponent(taskId)));
      } catch {
        fail();
      }
    }

    start();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-kpi-recompute]");
    if (button && !button.disabled) recompute(button);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawCharts);
  else drawCharts();
})();
