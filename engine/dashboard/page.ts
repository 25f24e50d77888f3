/**
 * The dashboard page: plain DOM + uPlot (served from node_modules), fed by /events. Every value
 * is put on the page with textContent, never as HTML: ids come from untrusted input.
 *
 * One failing part never blanks the page: each panel draws inside its own try/catch and says its
 * error in its own card. Before uPlot loads, Intl.NumberFormat is guarded: uPlot formats with
 * navigator.language at load, and a browser whose language is a POSIX one (en-US@posix) makes that
 * throw (RangeError: Invalid language tag), which left uPlot undefined and the page empty.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Real-time Interaction Overview</title>
<link rel="stylesheet" href="/assets/uplot.css">
<script>
"use strict";
(function () {
  const NumberFormat = Intl.NumberFormat;
  try { new NumberFormat(navigator.language); return; } catch (e) { /* a language tag Intl rejects: fall back below */ }
  const Guarded = function (locales, options) {
    try { return new NumberFormat(locales, options); } catch (e) { return new NumberFormat('en-US', options); }
  };
  Guarded.prototype = NumberFormat.prototype;
  Guarded.supportedLocalesOf = NumberFormat.supportedLocalesOf;
  Intl.NumberFormat = Guarded;
})();
</script>
<script src="/assets/uplot.js"></script>
<style>
  body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  .row { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
  .kpi .v { font-size: 22px; font-weight: 600; }
  .kpi .k { color: #666; font-size: 12px; }
  .err { color: #c00; font-size: 12px; }
  table { border-collapse: collapse; }
  td, th { padding: 2px 10px; text-align: right; border-bottom: 1px solid #eee; }
  td:first-child, th:first-child { text-align: left; max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .up { color: #090; } .down { color: #c00; }
  .step { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
  .step .bar { height: 18px; background: #36c; border-radius: 3px; min-width: 2px; }
  .step .label { width: 90px; color: #444; }
  .step .n { font-weight: 600; } .step .pct { color: #666; font-size: 12px; }
</style>
</head>
<body>
<h1>Real-time Interaction Overview</h1>
<div class="row" id="kpis"></div>
<div class="row">
  <div class="card" id="card-rate"><div>Events per second</div><div id="chart-rate"></div><div class="err"></div></div>
  <div class="card" id="card-latency"><div>Latency (ms)</div><div id="chart-latency"></div><div class="err"></div></div>
  <div class="card" id="card-lag"><div>Consumer lag (messages)</div><div id="chart-lag"></div><div class="err"></div></div>
</div>
<div class="row">
  <div class="card" id="card-funnel" style="min-width: 420px"><div>Funnel: views → clicks → carts → purchases</div><div id="funnel"></div><div class="err"></div></div>
  <div class="card" id="card-revenue"><div>Revenue per second (USD)</div><div id="chart-revenue"></div><div class="err"></div></div>
  <div class="card" id="card-top-revenue"><div>Top items by revenue</div><table id="top-revenue"><thead><tr><th>item_id</th><th>revenue (USD)</th><th>purchases</th><th>conversion</th></tr></thead><tbody></tbody></table><div class="err"></div></div>
</div>
<div class="row">
  <div class="card" id="card-items"><div>Top items</div><table id="items"><thead><tr><th>item_id</th><th>total</th><th>max/s</th><th>min/s</th></tr></thead><tbody></tbody></table><div class="err"></div></div>
  <div class="card" id="card-users"><div>Top users</div><table id="users"><thead><tr><th>user_id</th><th>total</th></tr></thead><tbody></tbody></table><div class="err"></div></div>
  <div class="card" id="card-lag-table"><div>Lag per partition</div><table id="lag"><thead><tr><th>partition</th><th>lag</th></tr></thead><tbody></tbody></table><div class="err"></div></div>
  <div class="card" id="card-conn"><div>Connections</div><table id="conn"><tbody></tbody></table><div class="err"></div></div>
</div>
<script>
"use strict";
const MAX_POINTS = 900; // 15 minutes at one point a second, like the server's history
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; }
function fmt(n) { return n === null || n === undefined ? '—' : typeof n === 'number' ? (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 })) : String(n); }
function pct(x) { return x === null || x === undefined || !Number.isFinite(x) ? '—' : (x * 100).toFixed(1) + ' %'; }
function rows(id, list) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren(...list.map((cells) => { const tr = el('tr'); for (const c of cells) tr.append(el('td', fmt(c))); return tr; }));
}
function kpi(label, value) { const d = el('div', undefined, 'card kpi'); d.append(el('div', typeof value === 'string' ? value : fmt(value), 'v'), el('div', label, 'k')); return d; }
/** Runs one panel's drawing; its failure is said in its own card, and the other panels go on. */
function panel(cardId, draw) {
  const err = document.querySelector('#' + cardId + ' .err');
  try { draw(); if (err) err.textContent = ''; } catch (e) { if (err) err.textContent = 'not shown: ' + (e && e.message ? e.message : e); console.error(cardId, e); }
}
/** A y axis wide enough for its longest label (uPlot's default 50 px clipped "10,000" to "0,000"). */
function axisSize(u, values, axisIdx) {
  if (!values || values.length === 0) return 50;
  const font = u.axes[axisIdx].font;
  u.ctx.font = Array.isArray(font) ? font[0] : font;
  const widest = Math.max(...values.map((v) => u.ctx.measureText(String(v)).width)) / (window.devicePixelRatio || 1);
  return Math.ceil(widest) + 24;
}
function chart(cardId, id, series) {
  const data = [[], ...series.map(() => [])];
  let plot;
  panel(cardId, () => {
    plot = new uPlot({ width: 420, height: 180, series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color }))], axes: [{}, { size: axisSize }] }, data, document.getElementById(id));
  });
  const draw = () => { if (plot) panel(cardId, () => plot.setData(data)); };
  return {
    get plot() { return plot; },
    push(t, values, now = true) { data[0].push(t); values.forEach((v, i) => data[i + 1].push(v)); if (data[0].length > MAX_POINTS) data.forEach((a) => a.shift()); if (now) draw(); },
    draw,
  };
}
const rate = chart('card-rate', 'chart-rate', [{ label: 'in', color: '#36c' }, { label: 'acknowledged', color: '#3a3' }]);
const latency = chart('card-latency', 'chart-latency', [{ label: 'flush p50', color: '#999' }, { label: 'flush p99', color: '#333' }, { label: 'event→ES p50', color: '#f90' }, { label: 'event→ES p99', color: '#c30' }, { label: 'batch p99', color: '#39c' }]);
const lag = chart('card-lag', 'chart-lag', [{ label: 'lag', color: '#a3c' }]);
const revenue = chart('card-revenue', 'chart-revenue', [{ label: 'USD/s', color: '#2a7' }]);
window.riaCharts = { rate, latency, lag, revenue }; // for the browser test's axis check
let prev;
let inRate = 0;
/** One point of every live chart (latencies: the server's last interval, not since start). */
function plotPoint(live, draw) {
  const t = live.at / 1000;
  const dt = prev ? (live.at - prev.at) / 1000 : 0;
  inRate = prev && dt > 0 ? (live.consumed - prev.consumed) / dt : 0;
  const outRate = prev && dt > 0 ? Math.max(0, live.acknowledged - prev.acknowledged) / dt : 0;
  prev = live;
  const totalLag = Object.values(live.lag).reduce((a, b) => a + b, 0);
  rate.push(t, [Math.round(inRate), Math.round(outRate)], draw);
  latency.push(t, [live.latency.flushMs.p50, live.latency.flushMs.p99, live.latency.endToEndMs.p50, live.latency.endToEndMs.p99, live.latency.batchUs.p99 / 1000], draw);
  lag.push(t, [totalLag], draw);
}
let prevRevenue;
/** Revenue per second from two readings of the global document's exact revenue. */
function revenuePoint(g) {
  if (g.revenue_cents === undefined) return;
  const now = { at: Date.now(), cents: g.revenue_cents };
  if (prevRevenue && now.at > prevRevenue.at) revenue.push(now.at / 1000, [Math.max(0, now.cents - prevRevenue.cents) / 100 / ((now.at - prevRevenue.at) / 1000)]);
  prevRevenue = now;
}
/** Views → clicks → carts → purchases, each with its share of the step before. */
function drawFunnel(g) {
  const steps = [['views', g.views], ['clicks', g.clicks], ['add to cart', g.add_to_cart], ['purchases', g.purchases]];
  if (steps.some(([, n]) => typeof n !== 'number')) { document.getElementById('funnel').textContent = 'no funnel figures in Elasticsearch yet'; return; }
  const top = Math.max(1, steps[0][1]);
  document.getElementById('funnel').replaceChildren(...steps.map(([label, n], i) => {
    const row = el('div', undefined, 'step');
    const bar = el('div', undefined, 'bar');
    bar.style.width = Math.round((240 * n) / top) + 'px';
    row.append(el('span', label, 'label'), bar, el('span', fmt(n), 'n'), el('span', i === 0 ? '' : pct(steps[i - 1][1] > 0 ? n / steps[i - 1][1] : null) + ' of ' + steps[i - 1][0], 'pct'));
    return row;
  }));
}
const source = new EventSource('/events');
// First the last 15 minutes, so that the charts never start empty.
source.addEventListener('history', (msg) => {
  for (const live of JSON.parse(msg.data)) plotPoint(live, false);
  rate.draw(); latency.draw(); lag.draw();
});
source.onmessage = (msg) => {
  const { live, aggregates } = JSON.parse(msg.data);
  plotPoint(live, true);
  const g = aggregates.global || {};
  document.getElementById('kpis').replaceChildren(
    kpi('events/s in', Math.round(inRate)), kpi('valid events', live.valid), kpi('late events', live.late), kpi('invalid events (DLQ)', live.invalid),
    kpi('avg interactions per user', g.avg_interactions_per_user), kpi('distinct users', g.distinct_users), kpi('total interactions (ES)', g.total_interactions),
    kpi('revenue (USD)', g.revenue_usd), kpi('conversion (purchases / views)', pct(g.conversion_rate)),
    kpi('session conversion', pct(g.session_conversion_rate)), kpi('sessions (closed)', g.sessions), kpi('sessions open', g.sessions_open),
  );
  panel('card-funnel', () => drawFunnel(g));
  panel('card-revenue', () => revenuePoint(g));
  panel('card-top-revenue', () => rows('top-revenue', aggregates.topRevenue.map((i) => [i.item_id, i.revenue_usd, i.purchases, pct(i.conversion_rate)])));
  panel('card-items', () => rows('items', aggregates.items.map((i) => [i.item_id, i.total_interactions, i.max_per_sec, i.min_per_sec])));
  panel('card-users', () => rows('users', aggregates.users.map((u) => [u.user_id, u.total_interactions])));
  panel('card-lag-table', () => rows('lag', Object.entries(live.lag).map(([p, l]) => [p, l])));
  panel('card-conn', () => {
    const conn = document.querySelector('#conn tbody');
    const line = (name, up, detail) => { const tr = el('tr'); tr.append(el('td', name), el('td', up ? 'up' : 'down', up ? 'up' : 'down'), el('td', detail)); return tr; };
    conn.replaceChildren(
      line('Kafka', live.kafka.up, 'polled ' + live.kafka.lastPollAgoMs + ' ms ago'),
      line('Elasticsearch', live.elasticsearch.up && !aggregates.error, aggregates.error || live.elasticsearch.lastProblem || 'acknowledged ' + fmt(live.elasticsearch.lastAckAgoMs) + ' ms ago'),
    );
  });
};
</script>
</body>
</html>
`;
