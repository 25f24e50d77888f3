import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { riaDashboard } from '../../scripts/grafana/dashboard.js';

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}

describe('deploy/grafana/ria-dashboard.json', () => {
  const committed = JSON.parse(readFileSync(new URL('./ria-dashboard.json', import.meta.url), 'utf8'));

  it('is what scripts/grafana/dashboard.ts generates (run `npm run docs:config`)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(riaDashboard())));
  });

  it('has the panels an operator needs, each querying the provisioned Prometheus', () => {
    const panels = (committed.panels as Panel[]).filter((p) => p.type !== 'row');
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const series of [
      'ria_events_total',
      'ria_bulk_documents_total',
      'ria_consumer_lag',
      'ria_event_to_ack_seconds_bucket',
      'ria_dead_letters_total',
      'ria_es_refused_documents_total',
    ])
      expect(exprs).toContain(series);
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe('prometheus');
    }
    expect(committed.uid).toBe('ria-engine');
  });
});
