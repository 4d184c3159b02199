// infermon dashboard, "Labels" section: label coverage and accuracy (or the regression error) per label window
// (maturity) over time, and the latest window's quality numbers, from /api/v1/labels (docs/dashboard.md).
//
// Label windows arrive long after their bucket and carry its old start, so they are followed by generation
// (?after=G), not by start. Loaded before app.js; uses app.js's helpers (api, el, card, draw, ...) only inside
// functions, which app.js calls: refreshLabels() from refresh(), renderLabels() from render(), resetLabels() on a
// model change.
'use strict';

/** Points kept per version and window in this tab (the server keeps as many buckets by default). */
const LABEL_POINTS_MAX = 1440;
const labelState = {
  after: null,                 // the generation of the last answer; null: nothing read yet
  series: new Map(),           // key "version|signature" -> {version, signature, windows: Map(window -> Map(start -> view))}
};

async function refreshLabels(model) {
  const data = await api('/api/v1/labels?model=' + encodeURIComponent(model)
    + (labelState.after === null ? '' : '&after=' + labelState.after));
  for (const s of data.series) {
    const k = keyOf(s);
    if (!labelState.series.has(k)) {
      labelState.series.set(k, {version: s.version, signature: s.signature, windows: new Map()});
    }
    const windows = labelState.series.get(k).windows;
    for (const w of s.windows) {
      if (!windows.has(w.window)) windows.set(w.window, new Map());
      const byStart = windows.get(w.window);
      byStart.set(w.start, w); // a window written again (a restarted processor) replaces the earlier one
      if (byStart.size > LABEL_POINTS_MAX) byStart.delete(Math.min(...byStart.keys()));
    }
  }
  labelState.after = data.generation;
}

function resetLabels() {
  labelState.after = null;
  labelState.series.clear();
  document.getElementById('labels').replaceChildren();
}

/** Windows of one version, shortest maturity first (as the API orders them), each with its views by start. */
function labelWindowsOf(entry) {
  const views = w => [...entry.windows.get(w).values()].sort((a, b) => a.start - b.start);
  return [...entry.windows.keys()]
    .map(w => ({window: w, maturity: views(w)[0].maturitySeconds ?? Infinity, views: views(w)}))
    .sort((a, b) => a.maturity - b.maturity || a.window.localeCompare(b.window));
}

function renderLabels(series) {
  const empty = document.getElementById('labels-empty');
  const withLabels = series.filter(s => labelState.series.get(keyOf(s))?.windows.size);
  empty.hidden = withLabels.length > 0;
  for (const s of withLabels) {
    const windows = labelWindowsOf(labelState.series.get(keyOf(s)));
    const regression = windows.some(w => w.views.some(v => v.accuracy === undefined && v.mae !== undefined));
    // the buckets' own starts too, so this chart's time axis matches the charts above
    const starts = [...new Set([...s.buckets.map(b => b.start), ...windows.flatMap(w => w.views.map(v => v.start))])]
      .sort((a, b) => a - b);
    const datasets = [];
    windows.forEach((w, i) => {
      const color = COLORS[i % COLORS.length];
      const byStart = new Map(w.views.map(v => [v.start, v]));
      const quality = regression ? 'mae' : 'accuracy';
      datasets.push({label: (regression ? 'MAE ' : 'accuracy ') + w.window, borderColor: color, pointRadius: 2,
        spanGaps: true, yAxisID: 'y', data: starts.map(t => byStart.get(t)?.[quality] ?? null)});
      datasets.push({label: 'coverage ' + w.window, borderColor: color, borderDash: [5, 4], pointRadius: 2,
        spanGaps: true, yAxisID: regression ? 'coverage' : 'y', data: starts.map(t => byStart.get(t)?.coverage ?? null)});
    });
    const canvas = card('labels', s, 'labels');
    draw(canvas, {
      type: 'line',
      data: {labels: starts.map(time), datasets},
      options: {scales: regression
        ? {y: {beginAtZero: true, title: {display: true, text: 'MAE'}},
          coverage: {position: 'right', min: 0, max: 1, grid: {drawOnChartArea: false},
            title: {display: true, text: 'label coverage'}}}
        : {y: {min: 0, max: 1, title: {display: true, text: 'accuracy, label coverage (dashed)'}}},
      plugins: {legend: {labels: {boxWidth: 10}}}},
    });
    renderLatestLabels(canvas.closest('.card'), s, windows, regression);
  }
}

const LABEL_ROWS = [
  ['bucket start (UTC)', v => new Date(v.start * 1000).toISOString().replace('T', ' ').substring(0, 19)],
  ['labelled rows', v => String(v.labeledRows)],
  ['label coverage', v => v.coverage === undefined ? '–' : (100 * v.coverage).toFixed(1) + '%'],
  ['accuracy', v => fmt(v.accuracy)], ['expected accuracy', v => fmt(v.expectedAccuracy)],
  ['macro F1', v => fmt(v.f1Macro)], ['weighted F1', v => fmt(v.f1Weighted)],
  ['log loss', v => fmt(v.logLoss)], ['Brier score', v => fmt(v.brierScore)], ['ROC AUC', v => fmt(v.rocAuc)],
  ['calibration error', v => fmt(v.calibrationError)],
  ['MAE', v => fmt(v.mae)], ['RMSE', v => fmt(v.rmse)], ['MAPE', v => fmt(v.mape)], ['R²', v => fmt(v.r2)],
];
const CLASSIFICATION_ONLY = new Set(['accuracy', 'expected accuracy', 'macro F1', 'weighted F1', 'log loss',
  'Brier score', 'ROC AUC', 'calibration error']);
const REGRESSION_ONLY = new Set(['MAE', 'RMSE', 'MAPE', 'R²']);

/** Per window, its newest bucket's numbers: one column per window. */
function renderLatestLabels(cardElement, s, windows, regression) {
  let table = cardElement.querySelector('table[data-labels-latest]');
  if (!table) {
    table = el('table', {'data-labels-latest': '', 'data-version': s.version, 'data-signature': s.signature});
    cardElement.append(table);
  }
  const latest = windows.map(w => w.views[w.views.length - 1]);
  const head = el('tr');
  head.append(el('th', {}, 'latest per window'), ...windows.map(w => el('th', {'data-window': w.window}, w.window)));
  const rows = LABEL_ROWS.filter(([name]) => !(regression ? CLASSIFICATION_ONLY : REGRESSION_ONLY).has(name))
    .map(([name, f]) => {
      const tr = el('tr', {'data-row': name});
      tr.append(el('td', {}, name), ...latest.map(v => el('td', {}, f(v))));
      return tr;
    });
  table.replaceChildren(head, ...rows);
}
