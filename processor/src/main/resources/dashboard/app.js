// infermon dashboard: reads /api/v1 (docs/dashboard.md) and draws with Chart.js. Polls every 2 s and fetches only
// the buckets it has not seen. Data is always put into the page with textContent, never as HTML.
'use strict';

const POLL_MS = 2000;
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac'];
const state = {
  generation: -1, models: [], model: null,
  series: new Map(),           // key "version|signature" -> {model, version, signature, buckets: []}
  agents: [],                  // agent health buckets
  charts: new Map(),           // canvas id -> Chart
  featureSort: {column: 'name', dir: 1},
};

// A token given as #token=... (never sent to the server by the browser) is kept for this tab only.
(function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('infermon-token', decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
})();

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem('infermon-token');
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(path, {headers});
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

const keyOf = s => s.version + '|' + s.signature;
const label = s => (s.version ? 'version ' + s.version : 'no version') + (s.signature ? ' [' + s.signature + ']' : '');
const time = sec => new Date(sec * 1000).toISOString().substring(11, 19);
const fmt = (v, d = 3) => v === undefined || v === null ? '–' : Number(v).toFixed(d);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
  if (text !== undefined) e.textContent = text;
  return e;
};

async function refresh() {
  const models = await api('/api/v1/models');
  const names = [...new Set(models.models.map(m => m.model))].sort();
  const select = document.getElementById('model');
  if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n)) {
    const keep = state.model;
    select.replaceChildren(...names.map(n => el('option', {value: n}, n)));
    state.model = names.includes(keep) ? keep : names[0] || null;
    select.value = state.model || '';
  }
  if (models.generation === state.generation) return;
  state.generation = models.generation;
  if (state.model) {
    // only what is new, unless a version appeared that this page has not seen at all
    const unseen = models.models.some(m => m.model === state.model && !state.series.has(keyOf(m)));
    const since = unseen ? Infinity : Math.min(...[...state.series.values()].map(lastStart), Infinity);
    const q = '/api/v1/buckets?model=' + encodeURIComponent(state.model)
      + (Number.isFinite(since) ? '&since=' + since : '');
    const data = await api(q);
    for (const s of data.series) {
      const k = keyOf(s);
      const known = state.series.get(k);
      if (!known) {
        state.series.set(k, s);
      } else {
        // newer versions of a bucket (re-written) replace older ones
        const byStart = new Map(known.buckets.map(b => [b.start, b]));
        s.buckets.forEach(b => byStart.set(b.start, b));
        known.buckets = [...byStart.values()].sort((a, b) => a.start - b.start);
      }
    }
    await refreshLabels(state.model); // labels.js
  }
  const agentsSince = state.agents.length ? state.agents[state.agents.length - 1].start - 1 : '';
  const agents = await api('/api/v1/agents' + (agentsSince === '' ? '' : '?since=' + agentsSince));
  const byStart = new Map(state.agents.map(a => [a.start, a]));
  agents.buckets.forEach(a => byStart.set(a.start, a));
  state.agents = [...byStart.values()].sort((a, b) => a.start - b.start);
  render();
}

const lastStart = s => s.buckets.length ? s.buckets[s.buckets.length - 1].start - 1 : -Infinity;

function sortedSeries() {
  return [...state.series.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b), undefined, {numeric: true}));
}

function card(containerId, s, kind) {
  const id = kind + '-' + keyOf(s).replace(/[^A-Za-z0-9_-]/g, '_');
  let canvas = document.getElementById(id);
  if (!canvas) {
    const c = el('div', {class: 'card'});
    c.append(el('h3', {}, label(s)));
    const holder = el('div', {class: 'chart'});
    canvas = el('canvas', {id, 'data-chart': kind, 'data-version': s.version, 'data-signature': s.signature});
    holder.append(canvas);
    c.append(holder);
    document.getElementById(containerId).append(c);
  }
  return canvas;
}

function draw(canvas, config) {
  let chart = state.charts.get(canvas.id);
  if (!chart) {
    config.options = Object.assign({animation: false, maintainAspectRatio: false, responsive: true,
      interaction: {mode: 'index', intersect: false}}, config.options || {});
    chart = new Chart(canvas, config);
    state.charts.set(canvas.id, chart);
  } else {
    chart.data = config.data;
    chart.update('none');
  }
}

function render() {
  const series = sortedSeries();
  document.getElementById('status').textContent = state.model
    ? state.model + ': ' + series.length + ' version(s), '
      + series.reduce((n, s) => n + s.buckets.length, 0) + ' buckets, updated ' + new Date().toISOString().substring(11, 19) + ' UTC'
    : 'no closed bucket yet: waiting for ' + 'metrics.jsonl';
  for (const s of series) {
    const labels = s.buckets.map(b => time(b.start));
    draw(card('volume', s, 'volume'), {
      type: 'bar',
      data: {labels, datasets: [
        {label: 'rows', data: s.buckets.map(b => b.rows), backgroundColor: '#a0c4e8', yAxisID: 'y'},
        {label: 'calls', data: s.buckets.map(b => b.calls), backgroundColor: '#4e79a7', yAxisID: 'y'},
        {type: 'line', label: 'latency p50 ms', data: s.buckets.map(b => b.latencyMs.p50 ?? null),
          borderColor: '#59a14f', pointRadius: 2, yAxisID: 'ms'},
        {type: 'line', label: 'latency p99 ms', data: s.buckets.map(b => b.latencyMs.p99 ?? null),
          borderColor: '#e15759', pointRadius: 2, yAxisID: 'ms'},
      ]},
      options: {scales: {y: {beginAtZero: true, title: {display: true, text: 'per bucket'}},
        ms: {position: 'right', beginAtZero: true, grid: {drawOnChartArea: false}, title: {display: true, text: 'ms'}}}},
    });
    const classes = [...new Set(s.buckets.flatMap(b => Object.keys(b.classShares)))]
      .sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
    draw(card('classes', s, 'classes'), {
      type: 'line',
      data: {labels, datasets: classes.map((c, i) => ({label: c.replace('class_', 'class '),
        data: s.buckets.map(b => b.classShares[c] ?? 0), fill: true, pointRadius: 0,
        borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length] + 'aa'}))},
      options: {scales: {y: {stacked: true, min: 0, max: 1}}, plugins: {legend: {labels: {boxWidth: 10}}}},
    });
    const band = (name, key, color) => [
      {label: name + ' q25', data: s.buckets.map(b => b[key].q25 ?? null), borderColor: color + '55',
        pointRadius: 0, borderWidth: 1, fill: false},
      {label: name + ' q75', data: s.buckets.map(b => b[key].q75 ?? null), borderColor: color + '55',
        backgroundColor: color + '33', pointRadius: 0, borderWidth: 1, fill: '-1'},
      {label: name + ' median', data: s.buckets.map(b => b[key].median ?? null), borderColor: color,
        pointRadius: 2, fill: false},
    ];
    draw(card('confidence', s, 'confidence'), {
      type: 'line',
      data: {labels, datasets: [...band('pred1', 'pred1', '#4e79a7'), ...band('spread12', 'spread12', '#f28e2b')]},
      options: {scales: {y: {min: 0, max: 1}}, plugins: {legend: {labels: {boxWidth: 10,
        filter: item => item.text.endsWith('median')}}}},
    });
  }
  renderLabels(series); // labels.js
  renderCompare(series);
  renderFeatures(series);
  renderAgents();
}

function renderCompare(series) {
  const table = document.getElementById('compare');
  const rows = [
    ['bucket start (UTC)', b => new Date(b.start * 1000).toISOString().replace('T', ' ').substring(0, 19)],
    ['calls', b => b.calls], ['rows', b => b.rows],
    ['latency p50 ms', b => fmt(b.latencyMs.p50, 2)], ['latency p99 ms', b => fmt(b.latencyMs.p99, 2)],
    ['pred1 mean', b => fmt(b.pred1.mean)], ['spread12 mean', b => fmt(b.spread12.mean)],
    ['top class', b => {
      const e = Object.entries(b.classShares).sort((x, y) => y[1] - x[1])[0];
      return e ? e[0] + ' (' + Math.round(e[1] * 100) + '%)' : '–';
    }],
    ['drift share', b => fmt(b.driftShare, 2)],
    ['drifted features', b => {
      const f = Object.values(b.features).filter(x => x.driftDetected !== undefined);
      return f.length ? f.filter(x => x.driftDetected).length + ' / ' + f.length : '–';
    }],
  ];
  const head = el('tr');
  head.append(el('th', {}, ''), ...series.map(s => el('th', {}, label(s))));
  const body = rows.map(([name, f]) => {
    const tr = el('tr');
    tr.append(el('td', {}, name), ...series.map(s => el('td', {}, s.buckets.length ? String(f(s.buckets[s.buckets.length - 1])) : '–')));
    return tr;
  });
  table.replaceChildren(head, ...body);
}

const FEATURE_COLUMNS = [
  ['name', 'feature'], ['spark', 'mean over time'], ['mean', 'mean'], ['std', 'std'], ['nan', 'NaN'],
  ['psi', 'PSI'], ['js', 'JS'], ['ks', 'KS'], ['wasserstein', 'Wasserstein'], ['drifted', 'drift'],
];

function renderFeatures(series) {
  const select = document.getElementById('feature-version');
  const keys = series.map(keyOf);
  if (select.options.length !== keys.length || keys.some((k, i) => select.options[i].value !== k)) {
    const keep = select.value;
    select.replaceChildren(...series.map(s => el('option', {value: keyOf(s)}, label(s))));
    select.value = keys.includes(keep) ? keep : keys[0] || '';
  }
  const s = state.series.get(select.value);
  const table = document.getElementById('features');
  state.charts.forEach((c, id) => { if (id.startsWith('spark-')) { c.destroy(); state.charts.delete(id); } });
  if (!s || !s.buckets.length) { table.replaceChildren(); return; }
  // the latest bucket with calls: an empty bucket (traffic stopped) has no features to show
  const latest = s.buckets.findLast(b => b.calls > 0) ?? s.buckets[s.buckets.length - 1];
  const filter = document.getElementById('feature-filter').value.trim().toLowerCase();
  const driftedOnly = document.getElementById('feature-drifted').checked;
  let rows = Object.entries(latest.features).map(([name, f]) => ({
    name, mean: f.value.mean, std: f.value.std, nan: f.nan,
    psi: f.drift.psi, js: f.drift.js, ks: f.drift.ks, wasserstein: f.drift.wasserstein,
    drifted: f.driftDetected === undefined ? null : f.driftDetected ? 1 : 0,
    index: Number(name.replace(/\D/g, '')),
  }));
  const total = rows.length;
  rows = rows.filter(r => r.name.toLowerCase().includes(filter) && (!driftedOnly || r.drifted === 1));
  const {column, dir} = state.featureSort;
  rows.sort((a, b) => {
    const x = column === 'name' ? a.index : a[column] ?? -Infinity;
    const y = column === 'name' ? b.index : b[column] ?? -Infinity;
    return (x < y ? -1 : x > y ? 1 : a.index - b.index) * dir;
  });
  document.getElementById('feature-count').textContent = rows.length + ' of ' + total + ' features';
  const head = el('tr');
  for (const [col, text] of FEATURE_COLUMNS) {
    const th = el('th', {'data-column': col}, text);
    if (col === column) th.className = dir > 0 ? 'sorted-asc' : 'sorted-desc';
    if (col !== 'spark') th.addEventListener('click', () => {
      state.featureSort = {column: col, dir: state.featureSort.column === col ? -state.featureSort.dir : 1};
      renderFeatures(sortedSeries());
    });
    head.append(th);
  }
  const body = rows.map(r => {
    const tr = el('tr', {'data-feature': r.name});
    const spark = el('canvas', {class: 'spark', id: 'spark-' + r.name, width: 120, height: 24});
    const sparkCell = el('td');
    sparkCell.append(spark);
    tr.append(el('td', {}, r.name), sparkCell, el('td', {}, fmt(r.mean)), el('td', {}, fmt(r.std)),
      el('td', {}, String(r.nan)), el('td', {}, fmt(r.psi)), el('td', {}, fmt(r.js)), el('td', {}, fmt(r.ks)),
      el('td', {}, fmt(r.wasserstein)),
      el('td', r.drifted === 1 ? {class: 'drifted'} : {}, r.drifted === null ? '–' : r.drifted ? 'DRIFT' : 'ok'));
    return tr;
  });
  table.replaceChildren(head, ...body);
  for (const r of rows) {
    const canvas = document.getElementById('spark-' + r.name);
    state.charts.set(canvas.id, new Chart(canvas, {
      type: 'line',
      data: {labels: s.buckets.map(b => b.start), datasets: [{data: s.buckets.map(b => b.features[r.name]?.value.mean ?? null),
        borderColor: r.drifted === 1 ? '#b00020' : '#4e79a7', borderWidth: 1, pointRadius: 0}]},
      options: {animation: false, responsive: false, events: [], plugins: {legend: {display: false}, tooltip: {enabled: false}},
        scales: {x: {display: false}, y: {display: false}}},
    }));
  }
}

function renderAgents() {
  const counters = ['calls_seen', 'calls_captured', 'dropped_ring_full', 'queue_errors'];
  const labels = state.agents.map(a => time(a.start));
  draw(document.getElementById('agents-chart'), {
    type: 'line',
    data: {labels, datasets: counters.map((c, i) => ({label: c, borderColor: COLORS[i], pointRadius: 2,
      data: state.agents.map(a => Object.values(a.agents).reduce((n, x) => n + (x[c] || 0), 0))}))},
    options: {scales: {y: {beginAtZero: true}}},
  });
  const table = document.getElementById('agents');
  const latest = state.agents[state.agents.length - 1];
  if (!latest) { table.replaceChildren(el('tr', {}, 'no agent health yet')); return; }
  const head = el('tr');
  head.append(...['agent', 'capturing', 'calls seen', 'captured', 'dropped (ring full)', 'queue errors']
    .map(t => el('th', {}, t)));
  const body = Object.entries(latest.agents).map(([agent, c]) => {
    const tr = el('tr');
    tr.append(el('td', {}, agent), el('td', {}, c.capture_enabled === 0 ? 'NO' : 'yes'),
      ...['calls_seen', 'calls_captured', 'dropped_ring_full', 'queue_errors'].map(k => el('td', {}, String(c[k] ?? 0))));
    return tr;
  });
  table.replaceChildren(head, ...body);
}

function reset() {
  state.series.clear();
  state.generation = -1;
  state.charts.forEach(c => c.destroy());
  state.charts.clear();
  ['volume', 'classes', 'confidence'].forEach(id => document.getElementById(id).replaceChildren());
  resetLabels(); // labels.js
}

async function tick() {
  // alerts.js: on every poll (alerts.jsonl is not counted in the generation), and even when the buckets fail
  for (const step of [refresh, refreshAlerts]) {
    try {
      await step();
    } catch (e) {
      document.getElementById('status').textContent = 'cannot read the API: ' + e.message;
    }
  }
}

document.getElementById('model').addEventListener('change', e => { state.model = e.target.value; reset(); tick(); });
document.getElementById('feature-version').addEventListener('change', () => renderFeatures(sortedSeries()));
document.getElementById('feature-filter').addEventListener('input', () => renderFeatures(sortedSeries()));
document.getElementById('feature-drifted').addEventListener('change', () => renderFeatures(sortedSeries()));
tick();
setInterval(tick, POLL_MS);
