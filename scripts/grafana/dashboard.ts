/**
 * The Grafana dashboard over the engine's /metrics, generated from code with
 * @grafana/grafana-foundation-sdk: deploy/grafana/ria-dashboard.json (`npm run docs:config`
 * writes it; a test fails when it is stale, and another checks every query's series against a live
 * engine's /metrics). The Prometheus data source is referred to by uid `prometheus` (the compose
 * stack's provisioning names it so).
 */
import {
  DashboardBuilder,
  type DataSourceRef,
  QueryVariableBuilder,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

const prometheus: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

function panel(title: string, unit: string, description: string, queries: [expr: string, legend: string][]) {
  const p = new PanelBuilder()
    .title(title)
    .unit(unit)
    .description(description)
    .datasource(prometheus)
    .height(8)
    .span(12);
  for (const [expr, legend] of queries)
    p.withTarget(new DataqueryBuilder().expr(expr).legendFormat(legend).datasource(prometheus));
  return p;
}

const q = (le: number, metric: string) =>
  `histogram_quantile(${le}, sum by (le) (rate(${metric}_bucket{job=~"$job"}[$__rate_interval])))`;

export function riaDashboard(): object {
  return new DashboardBuilder('realtime-interaction-analytics')
    .uid('ria-engine')
    .tags(['ria', 'kafka', 'elasticsearch', 'generated'])
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new QueryVariableBuilder('job')
        .label('job')
        .datasource(prometheus)
        .query('label_values(ria_events_total, job)')
        .includeAll(true)
        .allValue('.*')
        .multi(true),
    )
    .withRow(new RowBuilder('Throughput'))
    .withPanel(
      panel(
        'Events in, by outcome',
        'ops',
        'Events consumed per second: valid, invalid (dead-lettered), late (counted in totals, in no window)',
        [['sum by (outcome) (rate(ria_events_total{job=~"$job"}[$__rate_interval]))', '{{outcome}}']],
      ),
    )
    .withPanel(
      panel('Acknowledged by Elasticsearch', 'ops', 'Documents written and flushes acknowledged per second', [
        ['sum(rate(ria_bulk_documents_total{job=~"$job"}[$__rate_interval]))', 'documents/s'],
        ['sum(rate(ria_flushes_total{job=~"$job"}[$__rate_interval]))', 'flushes/s'],
      ]),
    )
    .withRow(new RowBuilder('Lag and latency'))
    .withPanel(
      panel(
        'Consumer lag per partition',
        'short',
        'Messages behind the end of each partition (counters: source partitions; merger: deltas partitions)',
        [['ria_consumer_lag{job=~"$job"}', '{{instance}} p{{partition}}']],
      ),
    )
    .withPanel(
      panel(
        'Latency percentiles',
        's',
        'Event time → document acknowledged (sampled events), and where it goes: until the batch was taken from Kafka, until the flush covering it began, the flush round trip',
        [
          [q(0.5, 'ria_event_to_ack_seconds'), 'event→ES p50'],
          [q(0.99, 'ria_event_to_ack_seconds'), 'event→ES p99'],
          [q(0.99, 'ria_event_to_consume_seconds'), 'event→consumed p99'],
          [q(0.99, 'ria_consume_to_flush_seconds'), 'consumed→flush p99'],
          [q(0.99, 'ria_flush_duration_seconds'), 'flush p99'],
        ],
      ),
    )
    .withRow(new RowBuilder('Problems'))
    .withPanel(
      panel('Dead letters', 'ops', 'Invalid messages written to <topic>.dlq per second', [
        ['sum by (instance) (rate(ria_dead_letters_total{job=~"$job"}[$__rate_interval]))', '{{instance}}'],
      ]),
    )
    .withPanel(
      panel(
        'Elasticsearch refusals and retried problems',
        'ops',
        'Documents refused by index and reason, and retried Kafka/Elasticsearch failures',
        [
          [
            'sum by (index, reason) (rate(ria_es_refused_documents_total{job=~"$job"}[$__rate_interval]))',
            '{{index}} {{reason}}',
          ],
          [
            'sum by (instance) (rate(ria_problems_total{job=~"$job"}[$__rate_interval]))',
            'problems {{instance}}',
          ],
        ],
      ),
    )
    .withPanel(
      panel(
        'Ready, paused, unflushed',
        'short',
        'ria_ready (1 = /readyz 200), ria_paused (back-pressure), batches not yet acknowledged',
        [
          ['ria_ready{job=~"$job"}', 'ready {{instance}}'],
          ['ria_paused{job=~"$job"}', 'paused {{instance}}'],
          ['ria_unflushed_batches{job=~"$job"}', 'unflushed {{instance}}'],
        ],
      ),
    )
    .withPanel(
      panel('Process', 'short', 'CPU (cores) and resident memory (GiB) of each engine process', [
        ['rate(process_cpu_seconds_total{job=~"$job"}[$__rate_interval])', 'cpu {{instance}}'],
        ['process_resident_memory_bytes{job=~"$job"} / 2^30', 'rss GiB {{instance}}'],
      ]),
    )
    .build();
}
