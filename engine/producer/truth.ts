/**
 * Ground truth: the exact aggregates the engine must produce from the valid events of a topic,
 * computed from the events in partition order (the only order Kafka defines). The producer
 * feeds it as it sends; a consumer reading the topic back can feed it too and must get the same.
 *
 * File format (JSON, `format: "ria-truth/2"`):
 *   topic, partitions, window_ms, allowed_lateness_ms, session_gap_ms   what the figures assume
 *   events: { valid, invalid, late }                        counts of what was sent
 *   global: { total_interactions, distinct_users, avg_interactions_per_user,
 *             views, clicks, add_to_cart, purchases, revenue_cents, purchases_without_price,
 *             sessions, purchasing_sessions, sessions_open, session_late_events }
 *   items:  { <item_id>: { total_interactions, max_per_sec, min_per_sec, views, clicks, add_to_cart,
 *                          purchases, revenue_cents, windows: { <window start ms>: count } } }
 *   categories: { <category>: { total_interactions, views, clicks, add_to_cart, purchases, revenue_cents } }
 *   users:  { <user_id>: total_interactions }
 * Windows hold on-time events only; max/min_per_sec are over windows with at least one event
 * (null when an item had only late events); late events count in the totals.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { internalError } from '../errors/errors.js';
import type { ValidEvent } from '../shared/event-reference.js';
import {
  DEFAULT_SESSION_GAP_MS,
  isLate,
  NO_CATEGORY,
  OTHER_STEP,
  PURCHASE_STEP,
  windowOf,
} from '../shared/event-rules.js';
import { FunnelCount, SessionTruth, type TruthFunnel, type TruthSessions } from './truth-funnel.js';

export const TRUTH_FORMAT = 'ria-truth/2';

/** A valid event's funnel and session fields (event-reference.ts ValidEvent). */
export interface TruthEventFields {
  step: number;
  /** Price in cents, -1: none. */
  cents: number;
  category: string;
  /** Session key: the session id, or any value equal for the same id ('' or undefined: none). */
  session: string | number | undefined;
}

/** An event with no funnel step, no category and no session (tests about windows only). */
const NO_FIELDS: TruthEventFields = {
  step: OTHER_STEP,
  cents: -1,
  category: NO_CATEGORY,
  session: undefined,
};

/** The fields of an event the reference validator accepted. */
export function truthFieldsOf(v: ValidEvent): TruthEventFields {
  return { step: v.step, cents: v.cents, category: v.category, session: v.sessionId };
}

export interface TruthItem extends TruthFunnel {
  total_interactions: number;
  max_per_sec: number | null;
  min_per_sec: number | null;
  windows: Record<string, number>;
}

export interface TruthFile {
  format: typeof TRUTH_FORMAT;
  topic: string;
  partitions: number;
  window_ms: number;
  allowed_lateness_ms: number;
  session_gap_ms: number;
  events: { valid: number; invalid: number; late: number };
  global: {
    total_interactions: number;
    distinct_users: number;
    avg_interactions_per_user: number;
    purchases_without_price: number;
  } & TruthFunnel &
    TruthSessions;
  items: Record<string, TruthItem>;
  categories: Record<string, TruthFunnel & { total_interactions: number }>;
  users: Record<string, number>;
}

/** Ids to dense indices, with a growable counter per index. */
class Counted {
  readonly index = new Map<string, number>();
  readonly ids: string[] = [];
  totals = new Uint32Array(1024);

  /** The index of `id`, registering it when new. */
  of(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.index.set(id, i);
      this.ids.push(id);
      if (i >= this.totals.length) {
        const grown = new Uint32Array(this.totals.length * 2);
        grown.set(this.totals);
        this.totals = grown;
      }
    }
    return i;
  }
}

export class TruthBuilder {
  private readonly users = new Counted();
  private readonly items = new Counted();
  /** Per item index: window index → on-time count. */
  private readonly itemWindows: Map<number, number>[] = [];
  private readonly partitionMax: Float64Array;
  private readonly itemFunnel: FunnelCount[] = [];
  private readonly categories = new Map<string, FunnelCount>();
  private readonly funnel = new FunnelCount();
  private readonly sessions: SessionTruth;
  private purchasesWithoutPrice = 0;
  private valid = 0;
  private invalid = 0;
  private late = 0;

  constructor(
    readonly topic: string,
    readonly partitions: number,
    readonly windowMs: number,
    readonly allowedLatenessMs: number,
    readonly sessionGapMs = DEFAULT_SESSION_GAP_MS,
  ) {
    this.partitionMax = new Float64Array(partitions).fill(Number.NEGATIVE_INFINITY);
    this.sessions = new SessionTruth(sessionGapMs, allowedLatenessMs);
  }

  /** Registers ids up front so that their indices are the caller's own (the producer's catalog). */
  registerIds(userIds: readonly string[], itemIds: readonly string[]): void {
    if (this.users.ids.length || this.items.ids.length) throw internalError('registerIds must come first');
    for (const u of userIds) this.users.of(u);
    for (const i of itemIds) this.items.of(i);
  }

  addInvalid(): void {
    this.invalid++;
  }

  /** A valid event, in the order it sits in its partition. */
  addValid(
    partition: number,
    userId: string,
    itemId: string,
    time: number,
    fields: TruthEventFields = NO_FIELDS,
  ): void {
    this.addValidByIndex(partition, this.users.of(userId), this.items.of(itemId), time, fields);
  }

  /** The same with indices from registerIds (no string lookups: the producer's hot path). */
  addValidByIndex(partition: number, user: number, item: number, time: number, f: TruthEventFields): void {
    this.valid++;
    if (this.funnel.add(f.step, f.cents)) this.purchasesWithoutPrice++;
    this.itemFunnel[item] ??= new FunnelCount();
    this.itemFunnel[item].add(f.step, f.cents);
    let category = this.categories.get(f.category);
    if (category === undefined) {
      category = new FunnelCount();
      this.categories.set(f.category, category);
    }
    category.add(f.step, f.cents);
    if (f.session !== undefined && f.session !== '') {
      this.sessions.add(partition, f.session, time, f.step === PURCHASE_STEP, this.partitionMax[partition]);
      // Closing now and then bounds the memory; when does not matter (session-state.ts).
      if ((this.valid & 0xffff) === 0) this.sessions.close(this.partitionMax);
    }
    this.users.totals[user]++;
    this.items.totals[item]++;
    const max = this.partitionMax[partition];
    if (isLate(time, max, this.windowMs, this.allowedLatenessMs)) {
      this.late++;
    } else {
      const w = windowOf(time, this.windowMs);
      let windows = this.itemWindows[item];
      if (windows === undefined) windows = this.itemWindows[item] = new Map();
      windows.set(w, (windows.get(w) ?? 0) + 1);
    }
    if (time > max) this.partitionMax[partition] = time;
  }

  get validCount(): number {
    return this.valid;
  }

  get invalidCount(): number {
    return this.invalid;
  }

  get lateCount(): number {
    return this.late;
  }

  result(): TruthFile {
    const items: Record<string, TruthItem> = {};
    for (let i = 0; i < this.items.ids.length; i++) {
      if (this.items.totals[i] === 0) continue;
      let max: number | null = null;
      let min: number | null = null;
      const windows: Record<string, number> = {};
      for (const [w, c] of [...(this.itemWindows[i] ?? [])].sort((a, b) => a[0] - b[0])) {
        windows[String(w * this.windowMs)] = c;
        max = max === null ? c : Math.max(max, c);
        min = min === null ? c : Math.min(min, c);
      }
      items[this.items.ids[i]] = {
        total_interactions: this.items.totals[i],
        max_per_sec: max,
        min_per_sec: min,
        ...this.itemFunnel[i].result(),
        windows,
      };
    }
    const users: Record<string, number> = {};
    let distinct = 0;
    for (let u = 0; u < this.users.ids.length; u++) {
      if (this.users.totals[u] === 0) continue;
      users[this.users.ids[u]] = this.users.totals[u];
      distinct++;
    }
    this.sessions.close(this.partitionMax);
    const categories: TruthFile['categories'] = {};
    for (const [id, c] of this.categories) categories[id] = { total_interactions: c.total, ...c.result() };
    return {
      format: TRUTH_FORMAT,
      topic: this.topic,
      partitions: this.partitions,
      window_ms: this.windowMs,
      allowed_lateness_ms: this.allowedLatenessMs,
      session_gap_ms: this.sessionGapMs,
      events: { valid: this.valid, invalid: this.invalid, late: this.late },
      global: {
        total_interactions: this.valid,
        distinct_users: distinct,
        avg_interactions_per_user: distinct === 0 ? 0 : this.valid / distinct,
        ...this.funnel.result(),
        purchases_without_price: this.purchasesWithoutPrice,
        ...this.sessions.result(),
      },
      items,
      categories,
      users,
    };
  }
}

/**
 * Writes the truth as JSON, streaming the big maps entry by entry: millions of users would not
 * fit one string.
 */
export async function writeTruthFile(path: string, truth: TruthFile): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const { items, users, ...head } = truth;
  const headJson = JSON.stringify(head);
  await write(`${headJson.slice(0, -1)},\n"items":{`);
  let first = true;
  for (const [id, v] of Object.entries(items)) {
    await write(`${first ? '\n' : ',\n'}${JSON.stringify(id)}:${JSON.stringify(v)}`);
    first = false;
  }
  await write('},\n"users":{');
  first = true;
  let chunk = '';
  for (const [id, v] of Object.entries(users)) {
    chunk += `${first ? '\n' : ',\n'}${JSON.stringify(id)}:${v}`;
    first = false;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}}}\n`);
  out.end();
  await once(out, 'close');
}
