/**
 * docker/kibana/dashboard.ndjson as Kibana's import would read it (saved-objects.ts): supported
 * types, no duplicate type:id, dashboards' panels matching their references, every reference in
 * the file, migration versions not newer than the Kibana docker-compose.yml pins, every field a
 * panel aggregates in our index templates — and the checks themselves fail on broken copies. The
 * panels' aggregations run against Elasticsearch in test/integration/kibana-panels.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGG_MAPPINGS } from '../../engine/setup/index-templates.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { importProblems, pinnedKibanaVersion, readSavedObjects, type SavedObject } from './saved-objects.js';

const text = readFileSync(new URL('./dashboard.ndjson', import.meta.url), 'utf8');
const objects = readSavedObjects(text);
const kibanaVersion = pinnedKibanaVersion(
  readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'),
);
const check = (objs: SavedObject[]) => importProblems(objs, { kibanaVersion, mappings: AGG_MAPPINGS });
const copy = () => structuredClone(objects);

describe('Kibana saved objects', () => {
  it('are one JSON object per line, and pass every import check', () => {
    expect(text.split('\n').filter((l) => l.length > 0)).toHaveLength(objects.length);
    expect(check(objects)).toEqual([]);
  });

  it('have one data view per aggregate index, the seed dashboard and the funnel panels', () => {
    const titles = objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title);
    expect(titles.sort()).toEqual([...AGG_INDICES].sort());
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    expect(dashboard.attributes.title).toBe('Real-time Interaction Overview');
    const panels = dashboard.references.map((r) => objects.find((o) => o.id === r.id)!.attributes.title);
    for (const want of [/Funnel/, /Conversion/, /revenue per category/i, /Top items by revenue/])
      expect(
        panels.some((t) => want.test(String(t))),
        String(want),
      ).toBe(true);
  });

  it('fail the checks when a copy is broken the ways an import is refused', () => {
    const dup = copy();
    dup.push(dup[0]);
    expect(check(dup).join('\n')).toMatch(/appears twice/);

    const missing = copy().filter((o) => o.id !== 'ria-agg-category');
    expect(check(missing).join('\n')).toMatch(/missing_references index-pattern:ria-agg-category/);

    const panel = copy();
    const d = panel.find((o) => o.type === 'dashboard')!;
    d.references[0].name = 'panel_renamed';
    expect(check(panel).join('\n')).toMatch(/panel panel_1 has no reference of that name/);

    const newer = copy();
    newer[0].typeMigrationVersion = '99.0.0';
    expect(check(newer).join('\n')).toMatch(/newer than Kibana/);

    const field = copy();
    const v = field.find((o) => o.id === 'ria-vis-funnel')!;
    v.attributes.visState = String(v.attributes.visState).replace('"add_to_cart"', '"carts"');
    expect(check(field).join('\n')).toMatch(/field carts is not in the interaction-agg_avg template/);

    const type = copy();
    type[0].type = 'index_pattern';
    expect(check(type).join('\n')).toMatch(/unsupported_type/);
  });
});
