/**
 * The main thread's side of Avro input: before a batch goes to the pool, every schema id its Avro
 * messages carry (those starting with byte 0) is known — fetched once per id and kept, or answered
 * "unknown" by the registry (those events become dead letters, `schema: unknown id N`). A registry
 * that cannot be asked is an outage, never bad input: the batch is held, /readyz says why, and the
 * same batch is tried again on the next turn of the loop (which keeps flushing meanwhile).
 */
import type { Health } from '../metrics/health.js';
import type { Problems } from '../metrics/problems.js';
import { compileSchema, schemaIdOf } from '../shared/avro-reference.js';
import type { AvroWriter } from '../shared/messages.js';
import { type Segment, segmentViews } from '../source/rdkafka-batch.js';
import { RegistryClient, type RegistryConnection } from './registry-client.js';

function unusableReason(id: number, schema: string): string | undefined {
  const c = compileSchema(id, schema);
  return c.ok ? undefined : c.reason;
}

/** Between two tries while the registry cannot be asked: the loop turns (and flushes) in between. */
const RETRY_MS = 1000;

export class SchemaCache {
  private readonly known = new Map<number, AvroWriter>();
  /** Per segment, the distinct schema ids of its Avro messages (found once, in resolve). */
  private readonly idsOf = new WeakMap<Segment, number[]>();
  private waiting = false;

  constructor(
    private readonly client: RegistryClient,
    private readonly problems: Pick<Problems, 'problem' | 'warn'>,
    private readonly health: Pick<Health, 'waitingForRegistry'>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * True once every schema id of the segments is known; false (after a pause) when the registry
   * could not be asked — hold the segments and call again.
   */
  async resolve(segments: Segment[]): Promise<boolean> {
    const missing = new Set<number>();
    for (const s of segments) for (const id of this.ids(s)) if (!this.known.has(id)) missing.add(id);
    for (const id of missing) {
      try {
        const schema = await this.client.schemaById(id);
        this.known.set(id, schema === undefined ? { id, error: `schema: unknown id ${id}` } : { id, schema });
        // Said once per id (the dead letters carry the reason per event): an operator sees a
        // producer's schema the engine cannot use as soon as its first event arrives.
        const unusable =
          schema === undefined ? `schema registry does not know schema id ${id}` : unusableReason(id, schema);
        if (unusable) this.problems.warn(`${unusable}: its events go to the dead-letter topic`);
      } catch (e) {
        const why = (e as Error).message;
        this.waiting = true;
        this.health.waitingForRegistry = `waiting for the schema registry (${why})`;
        this.problems.problem('schema-registry', `${why}; Avro events wait, nothing is dead-lettered`);
        await this.sleep(RETRY_MS);
        return false;
      }
    }
    if (this.waiting) {
      this.waiting = false;
      this.health.waitingForRegistry = undefined;
      this.problems.warn('schema registry answers again: the held batch goes on');
    }
    return true;
  }

  /** What the pool worker needs for a segment's Avro messages (one entry per schema id). */
  writersOf(s: Segment): AvroWriter[] {
    return this.ids(s).map((id) => this.known.get(id) ?? { id, error: `schema: unknown id ${id}` });
  }

  private ids(s: Segment): number[] {
    let ids = this.idsOf.get(s);
    if (ids) return ids;
    const { ends } = segmentViews(s);
    const b = new Uint8Array(s.values);
    const found = new Set<number>();
    let start = 0;
    for (let k = 0; k < s.count; k++) {
      const end = ends[k];
      if (end < 0) continue;
      if (b[start] === 0 && end > start) {
        const id = schemaIdOf(b, start, end);
        if (id >= 0) found.add(id);
      }
      start = end;
    }
    ids = [...found];
    this.idsOf.set(s, ids);
    return ids;
  }
}

/** The cache of a role that decodes events, or undefined when no registry is configured. */
export function schemaCacheOf(
  cfg: Partial<RegistryConnection>,
  problems: Pick<Problems, 'problem' | 'warn'>,
  health: Pick<Health, 'waitingForRegistry'>,
): SchemaCache | undefined {
  if (!cfg.schemaRegistryUrl) return undefined;
  return new SchemaCache(new RegistryClient(cfg as RegistryConnection), problems, health);
}
