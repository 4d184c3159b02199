// infermon dashboard, "Alerts" section: the alerts open now and the latest open/resolve events, from
// /api/v1/alerts (docs/dashboard.md), which reads OUT/alerts.jsonl.
//
// Alerts are shown for every model, not just the one picked at the top: an alert is what should catch the eye.
// alerts.jsonl grows on its own schedule (a few milliseconds after metrics.jsonl), so app.js calls refreshAlerts()
// on every poll, not only when a new bucket came. Loaded before app.js; uses app.js's helpers (api, el, fmt) only
// inside functions.
'use strict';

/** Events shown in the history, newest first (the API returns up to 100). */
const ALERT_HISTORY_ROWS = 20;
/** Properties every series has, or that have their own column: the rest tell series of one rule apart. */
const ALERT_SERIES_SHOWN = new Set(['what', 'target_type', 'model', 'model_version', 'signature']);
const alertState = {last: null};  // the previous answer as text: nothing is drawn again while it is the same

async function refreshAlerts() {
  const data = await api('/api/v1/alerts');
  const text = JSON.stringify(data);
  if (text === alertState.last) return;
  alertState.last = text;
  renderAlerts(data.open, data.events);
}

const alertTime = sec => sec === undefined || sec === null ? '–'
  : new Date(sec * 1000).toISOString().replace('T', ' ').substring(0, 19);
/** The series' other properties (feature, stat, label_window, agent...), e.g. "feature=feat_3". */
const alertSeries = series => Object.entries(series || {}).filter(([k]) => !ALERT_SERIES_SHOWN.has(k))
  .map(([k, v]) => k + '=' + v).join(' ') || '–';

/** A row whose data-* attributes say which alert and model it is (for the browser test and for styling). */
function alertRow(e, cells) {
  const series = e.series || {};
  const tr = el('tr', {'data-alert': String(e.alert), 'data-state': String(e.state),
    'data-model': series.model ?? '', 'data-version': series.model_version ?? ''});
  tr.append(...cells.map(c => el('td', {}, c === undefined || c === null ? '–' : String(c))));
  return tr;
}

function renderAlerts(open, events) {
  const section = document.getElementById('alerts-section');
  section.classList.toggle('alerting', open.length > 0);
  const badge = document.getElementById('alerts-badge');
  badge.hidden = open.length === 0;
  badge.textContent = open.length === 1 ? '1 alert open' : open.length + ' alerts open';

  document.getElementById('alerts-none').hidden = open.length > 0;
  const openTable = document.getElementById('alerts-open');
  if (open.length) {
    const head = el('tr');
    head.append(...['alert', 'model', 'version', 'series', 'metric', 'value', 'condition', 'open since (UTC)']
      .map(t => el('th', {}, t)));
    openTable.replaceChildren(head, ...open.map(e => alertRow(e, [e.alert, e.series?.model, e.series?.model_version,
      alertSeries(e.series), e.metric, fmt(e.value), e.condition, alertTime(e.bucket)])));
  } else {
    openTable.replaceChildren();
  }

  const recent = events.slice(-ALERT_HISTORY_ROWS).reverse();
  document.getElementById('alerts-history-empty').hidden = recent.length > 0;
  const history = document.getElementById('alerts-history');
  if (recent.length) {
    const head = el('tr');
    head.append(...['bucket (UTC)', 'event', 'alert', 'model', 'version', 'series', 'metric', 'value', 'condition',
      'opened (UTC)'].map(t => el('th', {}, t)));
    history.replaceChildren(head, ...recent.map(e => {
      const tr = alertRow(e, [alertTime(e.bucket), e.state, e.alert, e.series?.model, e.series?.model_version,
        alertSeries(e.series), e.metric, fmt(e.value), e.condition,
        e.state === 'resolved' ? alertTime(e.opened_bucket) : '']);
      if (e.state === 'open') tr.children[1].className = 'alert-open';
      return tr;
    }));
  } else {
    history.replaceChildren();
  }
}
