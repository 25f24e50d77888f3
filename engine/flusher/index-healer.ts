/**
 * Indices that heal (docs/guarantees.md): every HEAL_INTERVAL_MS the flusher thread looks at the
 * indices it writes, cheaply — each index's UUID and document count, and the global document's
 * version — and compares them with its state. On a mismatch (an index deleted or recreated,
 * documents missing, a global document older than the last flush: a restore from an older
 * snapshot) it reads the index whole and names every document that is missing or differs from the
 * state; the flusher rewrites them (flusher.ts, heal()) at versions above every version the index
 * holds — known from this very read, which returns each document's version, so even with the
 * global document gone. `ria verify --live` uses the same whole read (compareAll).
 *
 * Only documents the state already wrote are compared: one changed since the last flush is due
 * in the next flush anyway.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Known } from '../checkpoint/record.js';
import { FUNNEL_STEPS } from '../shared/event-rules.js';
import { AVG_INDEX, CATEGORY_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';
import { httpStatusOf } from '../sink/es-access.js';
import type { AggregateState } from '../window/aggregate-state.js';

/** What the healer found: why, which documents to rewrite, the highest version seen. */
export interface Finding {
  reasons: string[];
  items: number[];
  users: number[];
  categories: number[];
  global: boolean;
  maxVersion: number;
  /** Each difference in words (the first MAX_DETAILS), and how many documents were read. */
  details: string[];
  checked: { items: number; users: number };
}

/** Documents read per request of a full comparison. */
const PAGE = 5000;
const MAX_DETAILS = 25;

interface IndexLook {
  uuid: string | undefined;
  count: number;
}

/** The funnel fields as the state holds them: the four steps and cents (documents.ts writes them). */
const FUNNEL_FIELDS = ['views', 'clicks', 'add_to_cart', 'purchases', 'revenue_cents'];

export class IndexHealer {
  private readonly uuids = new Map<string, string>();

  constructor(private readonly es: Client) {}

  /**
   * Looks at the indices; undefined when they match the state as of the last flush (`known`:
   * ids written so far, `seq`: its sequence); else what to rewrite.
   */
  async inspect(state: AggregateState, known: Known, seq: number): Promise<Finding | undefined> {
    const reasons: string[] = [];
    const expected: [string, number][] = [
      [ITEM_INDEX, known.items],
      [USER_INDEX, known.users],
      [CATEGORY_INDEX, known.categories],
      [AVG_INDEX, seq > 0 ? 1 : 0],
    ];
    const suspect = new Set<string>();
    for (const [index, want] of expected) {
      const look = await this.look(index);
      const before = this.uuids.get(index);
      if (look.uuid && before && look.uuid !== before) {
        reasons.push(`${index} was recreated (uuid ${before} → ${look.uuid})`);
        suspect.add(index);
      } else if (!look.uuid && want > 0) {
        reasons.push(`${index} is gone`);
        suspect.add(index);
      }
      if (look.uuid) this.uuids.set(index, look.uuid);
      if (look.count < want && !suspect.has(index)) {
        // Recently written documents may not be searchable yet: count again after a refresh.
        const recount = await this.recount(index);
        if (recount < want) {
          reasons.push(`${index} holds ${recount} of ${want} documents`);
          suspect.add(index);
        }
      }
    }
    const global = await this.globalVersion();
    if (seq > 0 && global < seq) {
      reasons.push(
        `the global document is at flush ${global}, the engine at ${seq} (restored from an older copy?)`,
      );
      for (const index of [ITEM_INDEX, USER_INDEX, CATEGORY_INDEX, AVG_INDEX]) suspect.add(index);
    }
    if (suspect.size === 0) return undefined;
    const found = newFinding(reasons, suspect.has(AVG_INDEX), global);
    if (suspect.has(ITEM_INDEX)) await this.compareItems(state, known.items, found);
    if (suspect.has(USER_INDEX)) await this.compareUsers(state, known.users, found);
    if (suspect.has(CATEGORY_INDEX)) await this.compareCategories(state, known.categories, found);
    return found;
  }

  /**
   * Every document against the state, whatever the cheap look says (`ria verify --live`): what
   * differs, in words; the global document's totals too.
   */
  async compareAll(state: AggregateState, known: Known, seq: number): Promise<Finding> {
    const found = newFinding([], false, 0);
    await this.es.indices.refresh({
      index: [ITEM_INDEX, USER_INDEX, CATEGORY_INDEX, AVG_INDEX],
      ignore_unavailable: true,
    });
    await this.compareItems(state, known.items, found);
    await this.compareUsers(state, known.users, found);
    await this.compareCategories(state, known.categories, found);
    const g = await this.es
      .get<Record<string, number>>({ index: AVG_INDEX, id: GLOBAL_DOC_ID })
      .catch((e) => (httpStatusOf(e) === 404 ? undefined : Promise.reject(e)));
    const doc = g?._source;
    found.maxVersion = Math.max(found.maxVersion, g?._version ?? 0);
    const want = { total: state.valid, distinct: known.users };
    const funnelSame = doc && sameFunnel(doc, state.funnel.steps, state.funnel.cents);
    if (
      seq > 0 &&
      (!doc || doc.total_interactions !== want.total || doc.distinct_users !== want.distinct || !funnelSame)
    ) {
      found.global = true;
      detail(
        found,
        doc
          ? `global: total_interactions ${doc.total_interactions}, distinct_users ${doc.distinct_users} in the index; ${want.total}, ${want.distinct} in the state`
          : 'global: missing',
      );
    }
    return found;
  }

  private async look(index: string): Promise<IndexLook> {
    try {
      const stats = await this.es.indices.stats({ index, metric: 'docs' });
      const s = stats.indices?.[index];
      return { uuid: s?.uuid, count: s?.primaries?.docs?.count ?? 0 };
    } catch (e) {
      if (httpStatusOf(e) === 404) return { uuid: undefined, count: 0 };
      throw e;
    }
  }

  private async recount(index: string): Promise<number> {
    await this.es.indices.refresh({ index });
    return (await this.es.count({ index })).count;
  }

  private async globalVersion(): Promise<number> {
    try {
      return (await this.es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID, _source: false }))._version ?? 0;
    } catch (e) {
      if (httpStatusOf(e) === 404) return 0;
      throw e;
    }
  }

  /** Every document of `index`, page by page in id order, with its version (none: no index). */
  private async *documents(index: string, idField: string, fields: string[]) {
    let after: (string | number)[] | undefined;
    for (;;) {
      const r = await this.es
        .search<Record<string, number | null>>({
          index,
          size: PAGE,
          version: true,
          sort: [{ [idField]: 'asc' }],
          _source: [idField, ...fields],
          ...(after ? { search_after: after } : {}),
        })
        .catch((e) => (httpStatusOf(e) === 404 ? undefined : Promise.reject(e)));
      const hits = r?.hits.hits ?? [];
      for (const h of hits) yield { id: h._id as string, version: h._version ?? 0, doc: h._source ?? {} };
      if (hits.length < PAGE) return;
      after = hits[hits.length - 1].sort as (string | number)[];
    }
  }

  private async compareItems(s: AggregateState, known: number, found: Finding): Promise<void> {
    const seen = new Uint8Array(known);
    const fields = ['total_interactions', 'windows', 'max_per_sec', 'min_per_sec', ...FUNNEL_FIELDS];
    const funnel = s.funnel.items;
    for await (const { id, version, doc } of this.documents(ITEM_INDEX, 'item_id', fields)) {
      found.maxVersion = Math.max(found.maxVersion, version);
      found.checked.items++;
      const i = s.items.get(id);
      if (i === undefined || i >= known) continue; // not the engine's, or not written yet
      seen[i] = 1;
      if (s.itemIsDirty(i)) continue;
      const closed = s.itemClosed[i];
      const same =
        doc.total_interactions === s.itemTotal[i] &&
        doc.windows === closed &&
        doc.max_per_sec === (closed > 0 ? s.itemMax[i] : null) &&
        doc.min_per_sec === (closed > 0 ? s.itemMin[i] : null) &&
        sameFunnel(doc, funnel.steps.subarray(i * FUNNEL_STEPS), funnel.cents[i]);
      if (same) continue;
      found.items.push(i);
      detail(
        found,
        `item ${id}: total_interactions ${doc.total_interactions}, windows ${doc.windows} in the index; ${s.itemTotal[i]}, ${closed} in the state`,
      );
    }
    for (let i = 0; i < known; i++)
      if (!seen[i] && !s.itemIsDirty(i)) {
        found.items.push(i);
        detail(found, `item ${s.items.idOf(i)}: missing`);
      }
  }

  private async compareUsers(s: AggregateState, known: number, found: Finding): Promise<void> {
    const seen = new Uint8Array(known);
    for await (const { id, version, doc } of this.documents(USER_INDEX, 'user_id', ['total_interactions'])) {
      found.maxVersion = Math.max(found.maxVersion, version);
      found.checked.users++;
      const u = s.users.get(id);
      if (u === undefined || u >= known) continue;
      seen[u] = 1;
      if (s.userIsDirty(u) || doc.total_interactions === s.userTotal[u]) continue;
      found.users.push(u);
      detail(
        found,
        `user ${id}: total_interactions ${doc.total_interactions} in the index, ${s.userTotal[u]} in the state`,
      );
    }
    for (let u = 0; u < known; u++)
      if (!seen[u] && !s.userIsDirty(u)) {
        found.users.push(u);
        detail(found, `user ${s.users.idOf(u)}: missing`);
      }
  }

  /** Categories are few: every document read and compared with the state. */
  private async compareCategories(s: AggregateState, known: number, found: Finding): Promise<void> {
    const seen = new Uint8Array(known);
    const f = s.funnel;
    const fields = ['total_interactions', ...FUNNEL_FIELDS];
    for await (const { id, version, doc } of this.documents(CATEGORY_INDEX, 'category', fields)) {
      found.maxVersion = Math.max(found.maxVersion, version);
      const c = f.categories.get(id);
      if (c === undefined || c >= known) continue;
      seen[c] = 1;
      const steps = f.categoryColumns.steps.subarray(c * FUNNEL_STEPS);
      if (f.categoryIsDirty(c)) continue;
      if (doc.total_interactions === f.categoryTotal[c] && sameFunnel(doc, steps, f.categoryColumns.cents[c]))
        continue;
      found.categories.push(c);
      detail(
        found,
        `category ${id}: total_interactions ${doc.total_interactions} in the index, ${f.categoryTotal[c]} in the state`,
      );
    }
    for (let c = 0; c < known; c++)
      if (!seen[c] && !f.categoryIsDirty(c)) {
        found.categories.push(c);
        detail(found, `category ${f.categories.idOf(c)}: missing`);
      }
  }
}

function newFinding(reasons: string[], global: boolean, maxVersion: number): Finding {
  return {
    reasons,
    items: [],
    users: [],
    categories: [],
    global,
    maxVersion,
    details: [],
    checked: { items: 0, users: 0 },
  };
}

/** A document's funnel fields against the state's steps (from steps[0]) and cents. */
function sameFunnel(doc: Record<string, number | null>, steps: ArrayLike<number>, cents: number): boolean {
  for (let k = 0; k < FUNNEL_STEPS; k++) if (doc[FUNNEL_FIELDS[k]] !== steps[k]) return false;
  return doc.revenue_cents === cents;
}

function detail(found: Finding, text: string): void {
  if (found.details.length < MAX_DETAILS) found.details.push(text);
}

/** How many documents differ in all. */
export function differencesOf(f: Finding): number {
  return f.items.length + f.users.length + f.categories.length + (f.global ? 1 : 0);
}
