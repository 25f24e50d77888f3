/**
 * Kibana cannot run here, so docker/kibana/dashboard.ndjson is checked the way Kibana's saved
 * objects import reads it (elastic/kibana, src/core/packages/saved-objects/
 * import-export-server-internal/src/import/lib: collect_saved_objects.ts, validate_references.ts;
 * the migrator refuses documents of a newer Kibana), and each visualization is translated into
 * the Elasticsearch request its panel sends, so that tests can run it against real data.
 * docs/kibana.md says what this covers and what it does not.
 */
import type { Properties } from '../../engine/setup/index-templates.js';

export interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
  coreMigrationVersion?: string;
  typeMigrationVersion?: string;
}

/** The types this file may hold: Kibana imports more, but these are the ones we write. */
const SUPPORTED_TYPES = ['index-pattern', 'visualization', 'dashboard', 'search', 'lens'];
/** Kibana validates references of these types on import (validate_references.ts). */
const VALIDATED_REFERENCES = ['index-pattern', 'search'];
/** Field types a terms / max / min aggregation can read. */
const AGGREGATABLE = ['keyword', 'long', 'integer', 'double', 'float', 'date', 'scaled_float'];

/** ndjson as the importer reads it: one JSON object per non-empty line. */
export function readSavedObjects(text: string): SavedObject[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l, i) => {
      const o = JSON.parse(l) as SavedObject;
      if (typeof o !== 'object' || o === null || Array.isArray(o))
        throw new Error(`line ${i + 1}: not an object`);
      return o;
    });
}

/** a.b.c versions compared numerically: < 0 when a is older. */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let k = 0; k < Math.max(x.length, y.length); k++)
    if ((x[k] ?? 0) !== (y[k] ?? 0)) return (x[k] ?? 0) - (y[k] ?? 0);
  return 0;
}

interface VisAgg {
  id: string;
  type: string;
  schema: string;
  params: { field?: string; size?: number; order?: string; orderBy?: string };
}

function visOf(o: SavedObject): { aggs: VisAgg[] } {
  return JSON.parse(o.attributes.visState as string) as { aggs: VisAgg[] };
}

function searchSourceOf(o: SavedObject): {
  indexRefName?: string;
  query?: { query: string; language: string };
} {
  const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: unknown } | undefined;
  if (typeof meta?.searchSourceJSON !== 'string') throw new Error('searchSourceJSON is not a JSON string');
  return JSON.parse(meta.searchSourceJSON);
}

/** The data view a visualization reads (through its searchSource's indexRefName). */
function dataViewOf(o: SavedObject, byKey: Map<string, SavedObject>): SavedObject | undefined {
  const name = searchSourceOf(o).indexRefName;
  const ref = o.references.find((r) => r.name === name);
  return ref && byKey.get(`${ref.type}:${ref.id}`);
}

/**
 * What Kibana's import (or the panels, once imported) would refuse, in words; [] when nothing.
 * `mappings`: our index templates, per index (field names and types).
 */
export function importProblems(
  objects: SavedObject[],
  opts: { kibanaVersion: string; mappings: Record<string, Properties> },
): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, SavedObject>();
  for (const o of objects) {
    const key = `${o.type}:${o.id}`;
    if (byKey.has(key)) problems.push(`${key}: appears twice (the import is refused whole)`);
    byKey.set(key, o);
    if (!SUPPORTED_TYPES.includes(o.type)) problems.push(`${key}: unsupported_type`);
    if (typeof o.attributes?.title !== 'string') problems.push(`${key}: no title`);
    for (const v of [o.coreMigrationVersion, o.typeMigrationVersion])
      if (v && compareVersions(v, opts.kibanaVersion) > 0)
        problems.push(`${key}: migration version ${v} is newer than Kibana ${opts.kibanaVersion}`);
  }
  for (const o of objects) {
    const key = `${o.type}:${o.id}`;
    const names = new Set<string>();
    for (const r of o.references ?? []) {
      if (names.has(r.name)) problems.push(`${key}: reference name ${r.name} twice`);
      names.add(r.name);
      // Kibana checks index patterns and searches against the file and the cluster; here the file is all there is.
      if (!byKey.has(`${r.type}:${r.id}`))
        problems.push(
          `${key}: ${VALIDATED_REFERENCES.includes(r.type) ? 'missing_references' : 'reference not in the file'} ${r.type}:${r.id}`,
        );
    }
    try {
      if (o.type === 'dashboard') {
        if (typeof o.attributes.panelsJSON !== 'string') throw new Error('panelsJSON is not a JSON string');
        for (const p of JSON.parse(o.attributes.panelsJSON) as { panelRefName?: string }[])
          if (!p.panelRefName || !names.has(p.panelRefName))
            problems.push(`${key}: panel ${p.panelRefName} has no reference of that name`);
      }
      if (o.type === 'visualization') problems.push(...visualizationProblems(o, byKey, names, opts.mappings));
    } catch (e) {
      problems.push(`${key}: ${(e as Error).message}`);
    }
  }
  return problems;
}

function visualizationProblems(
  o: SavedObject,
  byKey: Map<string, SavedObject>,
  names: Set<string>,
  mappings: Record<string, Properties>,
): string[] {
  const key = `${o.type}:${o.id}`;
  const out: string[] = [];
  const ss = searchSourceOf(o);
  if (!ss.indexRefName || !names.has(ss.indexRefName))
    out.push(`${key}: indexRefName ${ss.indexRefName} has no reference`);
  const view = dataViewOf(o, byKey);
  const index = view?.attributes.title as string | undefined;
  const fields = index ? mappings[index] : undefined;
  if (!fields) return [...out, `${key}: reads ${index ?? 'no data view'}, which is not one of our indices`];
  const { aggs } = visOf(o);
  if (aggs.length === 0) out.push(`${key}: no aggregation`);
  for (const a of aggs) {
    const f = a.params.field;
    if (f === undefined) continue;
    if (!fields[f]) out.push(`${key}: field ${f} is not in the ${index} template`);
    else if (!AGGREGATABLE.includes(fields[f].type))
      out.push(`${key}: field ${f} (${fields[f].type}) is not aggregatable`);
  }
  return out;
}

/** The Elasticsearch search a visualization's panel sends (its data view's index, query and aggregations). */
export function panelRequest(
  o: SavedObject,
  objects: SavedObject[],
): { index: string; body: Record<string, unknown>; buckets: string[]; metrics: string[] } {
  const byKey = new Map(objects.map((x) => [`${x.type}:${x.id}`, x]));
  const view = dataViewOf(o, byKey);
  if (!view) throw new Error(`${o.id}: no data view`);
  const ss = searchSourceOf(o);
  if (ss.query && ss.query.query !== '')
    throw new Error(`${o.id}: a query (${ss.query.query}) is not translated here`);
  const { aggs } = visOf(o);
  const metrics = aggs.filter((a) => a.schema === 'metric');
  const buckets = aggs.filter((a) => a.schema !== 'metric');
  const metricAggs = Object.fromEntries(
    metrics.map((m) => [
      m.id,
      m.type === 'count' ? { value_count: { field: '_id' } } : { [m.type]: { field: m.params.field } },
    ]),
  );
  // Buckets nest in their order, the metrics inside the innermost (as Kibana's AggConfigs.toDsl does).
  let inner: Record<string, unknown> = metricAggs;
  for (const b of [...buckets].reverse()) {
    if (b.type !== 'terms') throw new Error(`${o.id}: bucket aggregation ${b.type} is not translated here`);
    const order =
      b.params.orderBy === '_key'
        ? { _key: b.params.order }
        : { [b.params.orderBy ?? '_count']: b.params.order };
    inner = { [b.id]: { terms: { field: b.params.field, size: b.params.size, order }, aggs: inner } };
  }
  return {
    index: view.attributes.title as string,
    body: { size: 0, query: { match_all: {} }, aggs: inner },
    buckets: buckets.map((b) => b.id),
    metrics: metrics.map((m) => m.id),
  };
}

/** The Kibana version docker/docker-compose.yml pins (its kibana image's tag). */
export function pinnedKibanaVersion(compose: string): string {
  const m = /image:\s*docker\.elastic\.co\/kibana\/kibana:(\d+\.\d+\.\d+)/.exec(compose);
  if (!m) throw new Error('docker-compose.yml pins no Kibana image');
  return m[1];
}
