/** docker/kibana/dashboard.ndjson: one JSON object per line, every reference resolves, index patterns match the indices. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGG_INDICES } from '../../engine/shared/indices.js';

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
}

const lines = readFileSync(new URL('./dashboard.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const objects = lines.map((l) => JSON.parse(l) as SavedObject);

describe('Kibana saved objects', () => {
  it('are one JSON object per line with id, type and attributes', () => {
    for (const o of objects) {
      expect(typeof o).toBe('object');
      expect(o.id).toMatch(/^[a-z0-9-]+$/);
      expect(['index-pattern', 'visualization', 'dashboard']).toContain(o.type);
      expect(typeof o.attributes.title).toBe('string');
    }
    expect(new Set(objects.map((o) => `${o.type}:${o.id}`)).size).toBe(objects.length);
  });

  it('resolve every reference to an object in the file, and use every reference a panel or search names', () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    for (const o of objects) {
      for (const r of o.references) expect(ids, `${o.id} → ${r.type}:${r.id}`).toContain(`${r.type}:${r.id}`);
      const names = new Set(o.references.map((r) => r.name));
      if (o.type === 'dashboard') {
        for (const p of JSON.parse(o.attributes.panelsJSON as string))
          expect(names).toContain(p.panelRefName);
      }
      if (o.type === 'visualization') {
        const ss = JSON.parse(
          (o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
        );
        expect(names).toContain(ss.indexRefName);
        const vis = JSON.parse(o.attributes.visState as string);
        expect(vis.aggs.length).toBeGreaterThan(0);
      }
    }
  });

  it('have one data view per aggregate index, and the dashboard of the seed', () => {
    const titles = objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title);
    expect(titles.sort()).toEqual([...AGG_INDICES].sort());
    expect(objects.find((o) => o.type === 'dashboard')?.attributes.title).toBe(
      'Real-time Interaction Overview',
    );
  });
});
