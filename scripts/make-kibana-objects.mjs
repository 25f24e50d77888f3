// Writes docker/kibana/dashboard.ndjson: Kibana saved objects (data views, visualizations and the
// dashboard "Real-time Interaction Overview") for the four aggregate indices: the seed's three
// panels, then the funnel, conversion, revenue and top items by revenue. Run it after changing
// this file: node scripts/make-kibana-objects.mjs (docker/kibana/dashboard.test.ts checks the
// result as Kibana's importer would; test/integration/kibana-panels.test.ts runs every panel's
// aggregation against Elasticsearch).
import { writeFileSync } from 'node:fs';

const views = [
  { id: 'ria-agg-item', title: 'interaction-agg_item' },
  { id: 'ria-agg-user', title: 'interaction-agg_user' },
  { id: 'ria-agg-avg', title: 'interaction-agg_avg' },
  { id: 'ria-agg-category', title: 'interaction-agg_category' },
];
const searchSource = (withIndex) =>
  JSON.stringify({
    ...(withIndex ? { indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' } : {}),
    query: { query: '', language: 'kuery' },
    filter: [],
  });
const terms = (field, size, orderBy) => ({
  id: '2',
  enabled: true,
  type: 'terms',
  schema: 'bucket',
  params: { field, size, order: 'desc', orderBy, otherBucket: false, missingBucket: false },
});
const max = (id, field, label) => ({
  id,
  enabled: true,
  type: 'max',
  schema: 'metric',
  params: { field, customLabel: label },
});
const metricParams = {
  addTooltip: true,
  addLegend: false,
  type: 'metric',
  metric: { percentageMode: false, style: { fontSize: 36 } },
};
const min = (id, field, label) => ({
  id,
  enabled: true,
  type: 'min',
  schema: 'metric',
  params: { field, customLabel: label },
});

const vis = [
  {
    id: 'ria-vis-top-items',
    title: 'Top items: total, max and min per second',
    view: 'ria-agg-item',
    type: 'table',
    params: { perPage: 10, showPartialRows: false, showMetricsAtAllLevels: false, showTotal: false },
    aggs: [
      max('1', 'total_interactions', 'total'),
      terms('item_id', 20, '1'),
      max('3', 'max_per_sec', 'max per sec'),
      min('4', 'min_per_sec', 'min per sec'),
    ],
  },
  {
    id: 'ria-vis-top-users',
    title: 'Top users by interactions',
    view: 'ria-agg-user',
    type: 'histogram',
    params: { type: 'histogram', addLegend: false, addTooltip: true },
    aggs: [
      max('1', 'total_interactions', 'interactions'),
      { ...terms('user_id', 20, '1'), schema: 'segment' },
    ],
  },
  {
    id: 'ria-vis-average',
    title: 'Average interactions per user',
    view: 'ria-agg-avg',
    type: 'metric',
    params: {
      addTooltip: true,
      addLegend: false,
      type: 'metric',
      metric: { percentageMode: false, style: { fontSize: 48 } },
    },
    aggs: [
      max('1', 'avg_interactions_per_user', 'avg per user'),
      max('2', 'total_interactions', 'total interactions'),
      max('3', 'distinct_users', 'distinct users'),
    ],
  },
  {
    id: 'ria-vis-funnel',
    title: 'Funnel: views → clicks → carts → purchases',
    view: 'ria-agg-avg',
    type: 'metric',
    params: metricParams,
    aggs: [
      max('1', 'views', 'views'),
      max('2', 'clicks', 'clicks'),
      max('3', 'add_to_cart', 'add to cart'),
      max('4', 'purchases', 'purchases'),
    ],
  },
  {
    id: 'ria-vis-conversion',
    title: 'Conversion and revenue',
    view: 'ria-agg-avg',
    type: 'metric',
    params: metricParams,
    aggs: [
      max('1', 'conversion_rate', 'purchases / views'),
      max('2', 'session_conversion_rate', 'sessions with a purchase / sessions'),
      max('3', 'revenue_usd', 'revenue (USD)'),
      max('4', 'sessions', 'sessions (closed)'),
    ],
  },
  {
    id: 'ria-vis-category-funnel',
    title: 'Funnel and revenue per category',
    view: 'ria-agg-category',
    type: 'table',
    params: { perPage: 10, showPartialRows: false, showMetricsAtAllLevels: false, showTotal: false },
    aggs: [
      max('1', 'revenue_usd', 'revenue (USD)'),
      terms('category', 20, '1'),
      max('3', 'views', 'views'),
      max('4', 'clicks', 'clicks'),
      max('5', 'add_to_cart', 'add to cart'),
      max('6', 'purchases', 'purchases'),
      max('7', 'conversion_rate', 'conversion'),
    ],
  },
  {
    id: 'ria-vis-top-revenue-items',
    title: 'Top items by revenue',
    view: 'ria-agg-item',
    type: 'histogram',
    params: { type: 'histogram', addLegend: false, addTooltip: true },
    aggs: [max('1', 'revenue_usd', 'revenue (USD)'), { ...terms('item_id', 15, '1'), schema: 'segment' }],
  },
];

/** Panel places on Kibana's 48-column grid, in the order of `vis`. */
const grid = [
  { x: 0, y: 0, w: 48, h: 15 },
  { x: 0, y: 15, w: 24, h: 15 },
  { x: 24, y: 15, w: 24, h: 15 },
  { x: 0, y: 30, w: 24, h: 10 },
  { x: 24, y: 30, w: 24, h: 10 },
  { x: 0, y: 40, w: 24, h: 15 },
  { x: 24, y: 40, w: 24, h: 15 },
];

const objects = [
  ...views.map((v) => ({
    id: v.id,
    type: 'index-pattern',
    attributes: { title: v.title, name: v.title, timeFieldName: '@timestamp' },
    references: [],
  })),
  ...vis.map((v) => ({
    id: v.id,
    type: 'visualization',
    attributes: {
      title: v.title,
      description: '',
      uiStateJSON: '{}',
      visState: JSON.stringify({ title: v.title, type: v.type, params: v.params, aggs: v.aggs }),
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(true) },
    },
    references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: v.view }],
  })),
  {
    id: 'ria-dashboard-overview',
    type: 'dashboard',
    attributes: {
      title: 'Real-time Interaction Overview',
      description: 'Live KPIs kept by the realtime-interaction-analytics engine',
      timeRestore: false,
      optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
      panelsJSON: JSON.stringify(
        vis.map((_v, i) => ({
          panelIndex: String(i + 1),
          gridData: { ...grid[i], i: String(i + 1) },
          embeddableConfig: {},
          panelRefName: `panel_${i + 1}`,
        })),
      ),
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(false) },
    },
    references: vis.map((v, i) => ({ name: `panel_${i + 1}`, type: 'visualization', id: v.id })),
  },
];

writeFileSync(
  new URL('../docker/kibana/dashboard.ndjson', import.meta.url),
  `${objects.map((o) => JSON.stringify(o)).join('\n')}\n`,
);
