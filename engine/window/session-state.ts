/**
 * Open sessions (docs/contract.md, "Sessions"): per partition and session id, the event-time
 * spans of its on-time events that are not yet closed — usually one, more while events arrive
 * out of order; two spans less than SESSION_GAP_MS apart are one session (sessionsTouch). A
 * session closes when its partition's watermark (max event time − ALLOWED_LATENESS_MS) reaches
 * its last event + the gap; it is then counted and forgotten, so memory follows the sessions open
 * at once, not history. Idleness never closes one: a paused session must not be split.
 *
 * Keyed by partition too: the message key (user_id) keeps a session's events in one partition,
 * and a partition's own watermark makes the outcome independent of how partitions interleave —
 * and lets the merger of a scaled-out deployment hold them exactly like a single engine.
 *
 * Slots are typed arrays (start, end, purchase, partition, next span of the same id); a map per
 * partition holds each id's first slot. Closing scans the slots (a few ns each), and only when
 * some partition's watermark reached its earliest deadline.
 */
import { sessionsTouch } from '../shared/event-rules.js';
import { ensureCapacity } from './dictionary.js';

const FREE = -1;

/**
 * Session ids and their spans now, as checkpoint records store them: flat typed arrays (no
 * object per session; a flush touches thousands). Id k has `counts[k]` spans (0: all closed),
 * the next ones in starts / ends / purchases.
 */
export interface SessionChanges {
  partitions: Uint32Array;
  ids: string[];
  counts: Uint32Array;
  starts: Float64Array;
  ends: Float64Array;
  purchases: Uint8Array;
}

/** Builds SessionChanges id by id. */
class ChangesWriter {
  partitions: number[] = [];
  ids: string[] = [];
  counts: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  purchases: number[] = [];

  done(): SessionChanges {
    return {
      partitions: Uint32Array.from(this.partitions),
      ids: this.ids,
      counts: Uint32Array.from(this.counts),
      starts: Float64Array.from(this.starts),
      ends: Float64Array.from(this.ends),
      purchases: Uint8Array.from(this.purchases),
    };
  }
}

export class SessionState {
  private start = new Float64Array(1024);
  private end = new Float64Array(1024);
  private purchase = new Uint8Array(1024);
  private part = new Int32Array(1024).fill(FREE);
  private next = new Int32Array(1024);
  private key: string[] = [];
  private readonly freeSlots: number[] = [];
  private used = 0;
  private readonly heads = new Map<number, Map<string, number>>();
  /** Per partition, no open session closes before its watermark reaches this. */
  private readonly earliest = new Map<number, number>();
  private dirty = new Map<number, Set<string>>();
  /** Per slot: its id is in `dirty` already (saves a set insertion per span of a busy session). */
  private slotDirty = new Uint8Array(1024);
  /** Open sessions (spans), closed sessions, closed ones with a purchase, events late for sessions. */
  open = 0;
  closed = 0;
  purchasing = 0;
  late = 0;

  constructor(readonly gapMs: number) {}

  /** Adds a span of on-time events of session `id` in `partition`, merging what it touches. */
  add(partition: number, id: string, s: number, e: number, purchase: boolean): void {
    const heads = this.headsOf(partition);
    let p = purchase ? 1 : 0;
    let head = heads.get(id) ?? FREE;
    // The common case: the id's one open span grows (at a steady rate, nearly every span).
    if (
      head !== FREE &&
      this.next[head] === FREE &&
      sessionsTouch(this.start[head], this.end[head], s, e, this.gapMs)
    ) {
      if (s < this.start[head]) this.start[head] = s;
      if (e > this.end[head]) this.end[head] = e;
      this.purchase[head] |= p;
      if (this.slotDirty[head] === 0) {
        this.slotDirty[head] = 1;
        this.markDirty(partition, id);
      }
      return;
    }
    // A span may bridge two spans of the id: merge until nothing it touches is left.
    for (let merged = true; merged; ) {
      merged = false;
      for (let cur = head, prev = FREE; cur !== FREE; ) {
        const after = this.next[cur];
        if (sessionsTouch(this.start[cur], this.end[cur], s, e, this.gapMs)) {
          s = Math.min(s, this.start[cur]);
          e = Math.max(e, this.end[cur]);
          p |= this.purchase[cur];
          if (prev === FREE) head = after;
          else this.next[prev] = after;
          this.release(cur);
          merged = true;
        } else prev = cur;
        cur = after;
      }
    }
    const slot = this.slot(partition, id, s, e, p, head);
    this.slotDirty[slot] = 1;
    heads.set(id, slot);
    this.earliest.set(partition, Math.min(this.earliest.get(partition) ?? Infinity, e + this.gapMs));
    this.markDirty(partition, id);
  }

  /**
   * Closes the sessions whose partition's watermark (`partitionMax` − `allowedLatenessMs`) reached
   * their end + the gap: counted, and forgotten. Returns how many closed.
   */
  close(partitionMax: Record<number, number>, allowedLatenessMs: number): number {
    const watermark = new Map<number, number>();
    for (const [p, first] of this.earliest) {
      const w = (partitionMax[p] ?? Number.NEGATIVE_INFINITY) - allowedLatenessMs;
      if (w >= first) watermark.set(p, w);
    }
    if (watermark.size === 0) return 0;
    for (const p of watermark.keys()) this.earliest.set(p, Infinity);
    let n = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const p = this.part[slot];
      if (p === FREE) continue;
      const w = watermark.get(p);
      if (w === undefined) continue;
      const deadline = this.end[slot] + this.gapMs;
      if (deadline > w) {
        if (deadline < this.earliest.get(p)!) this.earliest.set(p, deadline);
        continue;
      }
      this.closed++;
      this.purchasing += this.purchase[slot];
      this.unlink(slot);
      n++;
    }
    return n;
  }

  /** The ids changed since the last call, with their spans now (none: all closed). */
  takeDirty(): SessionChanges {
    const w = new ChangesWriter();
    for (const [partition, ids] of this.dirty)
      for (const id of ids) {
        this.write(w, partition, id);
        for (let cur = this.heads.get(partition)?.get(id) ?? FREE; cur !== FREE; cur = this.next[cur])
          this.slotDirty[cur] = 0;
      }
    this.dirty = new Map();
    return w.done();
  }

  /** Every open session (a snapshot). */
  all(): SessionChanges {
    const w = new ChangesWriter();
    for (const [partition, heads] of this.heads) for (const id of heads.keys()) this.write(w, partition, id);
    return w.done();
  }

  /** Restore: each id's spans become exactly the given ones. */
  apply(c: SessionChanges): void {
    let at = 0;
    for (let k = 0; k < c.ids.length; k++) {
      const partition = c.partitions[k];
      const id = c.ids[k];
      const heads = this.headsOf(partition);
      for (let cur = heads.get(id) ?? FREE; cur !== FREE; ) {
        const after = this.next[cur];
        this.release(cur);
        cur = after;
      }
      heads.delete(id);
      let head = FREE;
      for (const end = at + c.counts[k]; at < end; at++) {
        head = this.slot(partition, id, c.starts[at], c.ends[at], c.purchases[at], head);
        const deadline = c.ends[at] + this.gapMs;
        this.earliest.set(partition, Math.min(this.earliest.get(partition) ?? Infinity, deadline));
      }
      if (head !== FREE) heads.set(id, head);
    }
  }

  /** One id and its spans, in the order of their start. */
  private write(w: ChangesWriter, partition: number, id: string): void {
    const slots: number[] = [];
    for (let cur = this.heads.get(partition)?.get(id) ?? FREE; cur !== FREE; cur = this.next[cur])
      slots.push(cur);
    if (slots.length > 1) slots.sort((x, y) => this.start[x] - this.start[y]);
    w.partitions.push(partition);
    w.ids.push(id);
    w.counts.push(slots.length);
    for (const slot of slots) {
      w.starts.push(this.start[slot]);
      w.ends.push(this.end[slot]);
      w.purchases.push(this.purchase[slot]);
    }
  }

  private headsOf(partition: number): Map<string, number> {
    let heads = this.heads.get(partition);
    if (!heads) {
      heads = new Map();
      this.heads.set(partition, heads);
    }
    return heads;
  }

  private markDirty(partition: number, id: string): void {
    let ids = this.dirty.get(partition);
    if (!ids) {
      ids = new Set();
      this.dirty.set(partition, ids);
    }
    ids.add(id);
  }

  private slot(partition: number, id: string, s: number, e: number, p: number, next: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.part.length) {
        const n = slot + 1;
        const before = this.part.length;
        this.start = ensureCapacity(this.start, n);
        this.end = ensureCapacity(this.end, n);
        this.purchase = ensureCapacity(this.purchase, n);
        this.part = ensureCapacity(this.part, n);
        this.part.fill(FREE, before);
        this.next = ensureCapacity(this.next, n);
        this.slotDirty = ensureCapacity(this.slotDirty, n);
      }
    }
    this.start[slot] = s;
    this.end[slot] = e;
    this.purchase[slot] = p;
    this.part[slot] = partition;
    this.next[slot] = next;
    this.key[slot] = id;
    this.open++;
    return slot;
  }

  private release(slot: number): void {
    this.part[slot] = FREE;
    this.slotDirty[slot] = 0;
    this.key[slot] = '';
    this.freeSlots.push(slot);
    this.open--;
  }

  /** Removes a closed span from its id's chain. */
  private unlink(slot: number): void {
    const partition = this.part[slot];
    const id = this.key[slot];
    const heads = this.heads.get(partition)!;
    const head = heads.get(id)!;
    if (head === slot) {
      if (this.next[slot] === FREE) heads.delete(id);
      else heads.set(id, this.next[slot]);
    } else {
      let prev = head;
      while (this.next[prev] !== slot) prev = this.next[prev];
      this.next[prev] = this.next[slot];
    }
    this.markDirty(partition, id);
    this.release(slot);
  }
}
