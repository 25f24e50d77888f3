/**
 * The dashboard page: plain DOM + uPlot (served from node_modules), fed by /events. Every value
 * is put on the page with textContent, never as HTML: ids come from untrusted input.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Real-time Interaction Overview</title>
<link rel="stylesheet" href="/assets/uplot.css">
<script src="/assets/uplot.js"></script>
<style>
  body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  .row { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; }
  .kpi .v { font-size: 22px; font-weight: 600; }
  .kpi .k { color: #666; font-size: 12px; }
  table { border-collapse: collapse; }
  td, th { padding: 2px 10px; text-align: right; border-bottom: 1px solid #eee; }
  td:first-child, th:first-child { text-align: left; max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .up { color: #090; } .down { color: #c00; }
</style>
</head>
<body>
<h1>Real-time Interaction Overview</h1>
<div class="row" id="kpis"></div>
<div class="row">
  <div class="card"><div>Events per second</div><div id="chart-rate"></div></div>
  <div class="card"><div>Latency (ms)</div><div id="chart-latency"></div></div>
  <div class="card"><div>Consumer lag (messages)</div><div id="chart-lag"></div></div>
</div>
<div class="row">
  <div class="card"><div>Top items</div><table id="items"><thead><tr><th>item_id</th><th>total</th><th>max/s</th><th>min/s</th></tr></thead><tbody></tbody></table></div>
  <div class="card"><div>Top users</div><table id="users"><thead><tr><th>user_id</th><th>total</th></tr></thead><tbody></tbody></table></div>
  <div class="card"><div>Lag per partition</div><table id="lag"><thead><tr><th>partition</th><th>lag</th></tr></thead><tbody></tbody></table></div>
  <div class="card"><div>Connections</div><table id="conn"><tbody></tbody></table></div>
</div>
<script>
"use strict";
const MAX_POINTS = 900; // 15 minutes at one point a second, like the server's history
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; }
function fmt(n) { return n === null || n === undefined ? '—' : typeof n === 'number' ? (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2)) : String(n); }
function rows(id, list) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren(...list.map((cells) => { const tr = el('tr'); for (const c of cells) tr.append(el('td', fmt(c))); return tr; }));
}
function kpi(label, value) { const d = el('div', undefined, 'card kpi'); d.append(el('div', fmt(value), 'v'), el('div', label, 'k')); return d; }
function chart(id, series) {
  const data = [[], ...series.map(() => [])];
  const plot = new uPlot({ width: 420, height: 180, series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color }))], axes: [{}, {}] }, data, document.getElementById(id));
  return {
    push(t, values, draw = true) { data[0].push(t); values.forEach((v, i) => data[i + 1].push(v)); if (data[0].length > MAX_POINTS) data.forEach((a) => a.shift()); if (draw) plot.setData(data); },
    draw() { plot.setData(data); },
  };
}
const rate = chart('chart-rate', [{ label: 'in', color: '#36c' }, { label: 'acknowledged', color: '#3a3' }]);
const latency = chart('chart-latency', [{ label: 'flush p50', color: '#999' }, { label: 'flush p99', color: '#333' }, { label: 'event→ES p50', color: '#f90' }, { label: 'event→ES p99', color: '#c30' }, { label: 'batch p99', color: '#39c' }]);
const lag = chart('chart-lag', [{ label: 'lag', color: '#a3c' }]);
let prev;
let inRate = 0;
/** One point of every chart from live figures (latencies: the server's last interval, not since start). */
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
  );
  rows('items', aggregates.items.map((i) => [i.item_id, i.total_interactions, i.max_per_sec, i.min_per_sec]));
  rows('users', aggregates.users.map((u) => [u.user_id, u.total_interactions]));
  rows('lag', Object.entries(live.lag).map(([p, l]) => [p, l]));
  const conn = document.querySelector('#conn tbody');
  const line = (name, up, detail) => { const tr = el('tr'); tr.append(el('td', name), el('td', up ? 'up' : 'down', up ? 'up' : 'down'), el('td', detail)); return tr; };
  conn.replaceChildren(
    line('Kafka', live.kafka.up, 'polled ' + live.kafka.lastPollAgoMs + ' ms ago'),
    line('Elasticsearch', live.elasticsearch.up && !aggregates.error, aggregates.error || live.elasticsearch.lastProblem || 'acknowledged ' + fmt(live.elasticsearch.lastAckAgoMs) + ' ms ago'),
  );
};
</script>
</body>
</html>
`;
