// Writes docker/kibana/dashboard.ndjson: Kibana saved objects (data views, visualizations and the
// dashboard "Real-time Interaction Overview") for the three aggregate indices. Run it after
// changing this file: node scripts/make-kibana-objects.mjs
import { writeFileSync } from 'node:fs';

const views = [
  { id: 'ria-agg-item', title: 'interaction-agg_item' },
  { id: 'ria-agg-user', title: 'interaction-agg_user' },
  { id: 'ria-agg-avg', title: 'interaction-agg_avg' },
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
          gridData: {
            x: i === 2 ? 24 : 0,
            y: i === 0 ? 0 : 15,
            w: i === 0 ? 48 : 24,
            h: 15,
            i: String(i + 1),
          },
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
