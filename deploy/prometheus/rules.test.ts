/**
 * The shipped alerting and recording rules (rendered from the chart with shortened durations),
 * checked and unit-tested with the real promtool (built from its Go module by scripts/tools.sh):
 * each alert fires on the series that should fire it, and not on a healthy engine.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { promtoolPath } from '../../scripts/tools/paths.js';
import { type Rule, renderRules } from './rendered-rules.js';

const ALERTS = {
  noFlushSeconds: 30,
  noFlushFor: '1m',
  lagGrowingFor: '5m',
  lagMin: 1000,
  refusedFor: '2m',
  deadLettersFor: '5m',
  notReadyFor: '2m',
  problemsFor: '5m',
};
const { path, rules } = renderRules(ALERTS);
const alert = (name: string) => rules.find((r) => r.alert === name)!;
const target = { job: 'ria', instance: 'engine-0:8080' };
const sel = (name: string, extra: Record<string, string> = {}) =>
  `${name}{${Object.entries({ ...target, ...extra })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/** An alert's annotations with $labels and $value filled in (what promtool compares exactly). */
function annotations(r: Rule, labels: Record<string, string>, value: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(r.annotations ?? {}).map(([k, t]) => [
      k,
      t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l) => labels[l] ?? '').replace(/\{\{ \$value \}\}/g, value),
    ]),
  );
}

function expected(name: string, labels: Record<string, string>, value: string) {
  const r = alert(name);
  const all = { ...labels, ...r.labels };
  return { exp_labels: all, exp_annotations: annotations(r, all, value) };
}

function promtool(...args: string[]): string {
  try {
    return execFileSync(promtoolPath(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${x.stdout}\n${x.stderr}`);
  }
}

describe('Prometheus rules (real promtool, the chart-rendered rules file)', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', path)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fire when they should, and stay silent for a healthy engine (promtool test rules)', () => {
    const tests = {
      rule_files: [path],
      evaluation_interval: '15s',
      // The alerts read recording rules of the other group. Without an order promtool evaluates the
      // groups of one step in map order, so an alert saw this step's or the previous step's
      // recorded lag (8000 or 7500) from run to run; Prometheus itself evaluates groups
      // independently, so a lag of one evaluation is what production sees either way.
      group_eval_order: ['ria.recording', 'ria.alerts'],
      tests: [
        {
          name: 'Elasticsearch stops acknowledging while work waits',
          interval: '15s',
          input_series: [
            // The last ack at t=0 (seconds), then nothing; batches wait from the start.
            { series: sel('ria_last_flush_acknowledged_timestamp_seconds'), values: '0x20' },
            { series: sel('ria_unflushed_batches'), values: '40x20' },
          ],
          alert_rule_test: [
            { eval_time: '30s', alertname: 'RiaNoAcknowledgedFlush', exp_alerts: [] },
            {
              eval_time: '2m',
              alertname: 'RiaNoAcknowledgedFlush',
              exp_alerts: [expected('RiaNoAcknowledgedFlush', target, '')],
            },
          ],
        },
        {
          name: 'an idle engine with nothing to flush does not page',
          interval: '15s',
          input_series: [
            { series: sel('ria_last_flush_acknowledged_timestamp_seconds'), values: '0x40' },
            { series: sel('ria_unflushed_batches'), values: '0x40' },
            { series: sel('ria_ready'), values: '1x40' },
            { series: sel('ria_consumer_lag', { partition: '0' }), values: '0x40' },
          ],
          alert_rule_test: ['RiaNoAcknowledgedFlush', 'RiaNotReady', 'RiaConsumerLagGrowing'].map((a) => ({
            eval_time: '9m',
            alertname: a,
            exp_alerts: [],
          })),
        },
        {
          name: 'lag above the floor and growing',
          interval: '1m',
          input_series: [
            { series: sel('ria_consumer_lag', { partition: '0' }), values: '2000+500x20' },
            { series: sel('ria_consumer_lag', { partition: '1' }), values: '0x20' },
          ],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'RiaConsumerLagGrowing', exp_alerts: [] },
            {
              eval_time: '12m',
              alertname: 'RiaConsumerLagGrowing',
              exp_alerts: [expected('RiaConsumerLagGrowing', target, '8000')],
            },
          ],
        },
        {
          name: 'Elasticsearch refusing documents',
          interval: '1m',
          input_series: [
            {
              series: sel('ria_es_refused_documents_total', {
                index: 'interaction-agg_user',
                reason: 'document_parsing_exception',
              }),
              values: '0+120x10',
            },
          ],
          alert_rule_test: [
            {
              eval_time: '6m',
              alertname: 'RiaElasticsearchRefusingDocuments',
              exp_alerts: [
                expected(
                  'RiaElasticsearchRefusingDocuments',
                  { ...target, index: 'interaction-agg_user', reason: 'document_parsing_exception' },
                  '2',
                ),
              ],
            },
          ],
        },
        {
          name: 'dead letters rising, not ready, restarts',
          interval: '1m',
          input_series: [
            { series: sel('ria_dead_letters_total'), values: '0+600x15' },
            { series: sel('ria_ready'), values: '1 1 0 0 0 0 0 0' },
            { series: sel('process_start_time_seconds'), values: '100 200 300 400 500' },
          ],
          alert_rule_test: [
            {
              eval_time: '12m',
              alertname: 'RiaDeadLettersRising',
              exp_alerts: [expected('RiaDeadLettersRising', target, '10')],
            },
            { eval_time: '6m', alertname: 'RiaNotReady', exp_alerts: [expected('RiaNotReady', target, '0')] },
            {
              eval_time: '4m',
              alertname: 'RiaRestarting',
              exp_alerts: [expected('RiaRestarting', target, '4')],
            },
          ],
        },
      ],
    };
    const file = join(dirname(path), 'ria-rules.test.yaml');
    writeFileSync(file, stringify(tests));
    expect(promtool('test', 'rules', file)).toMatch(/SUCCESS/);
  });
});
