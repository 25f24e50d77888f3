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
 * Spans are slots of typed arrays (start, end, purchase, key, next span of the same id); the
 * keys — (partition, id bytes) — are a byte table (session-keys.ts) holding each id's first
 * slot: no string or object per session. Closing scans the slots (a few ns each), and only when
 * some partition's watermark reached its earliest deadline.
 */
import { sessionsTouch } from '../shared/event-rules.js';
import { idHash } from '../shared/id-table.js';
import { ensureCapacity } from './dictionary.js';
import type { SessionChanges } from './session-changes.js';
import { SessionKeys } from './session-keys.js';

const FREE = -1;

export class SessionState {
  private start = new Float64Array(1024);
  private end = new Float64Array(1024);
  private purchase = new Uint8Array(1024);
  /** Per slot: its key's entry (FREE: a free slot). */
  private keyOf = new Int32Array(1024).fill(FREE);
  private next = new Int32Array(1024);
  private readonly freeSlots: number[] = [];
  private used = 0;
  private readonly keys = new SessionKeys();
  /** Per partition, no open session closes before its watermark reaches this. */
  private readonly earliest = new Map<number, number>();
  /** Entries whose spans changed since the last takeDirty (flag per entry, and their list). */
  private dirtyFlag = new Uint8Array(1024);
  /**
   * Their list: a typed array kept from flush to flush (a JS array of tens of thousands of
   * entries per flush lived long enough to be promoted, and was collected as old garbage).
   */
  private dirty = new Int32Array(1024);
  private dirtyCount = 0;
  private readonly scratch: number[] = [];
  /** Open sessions (spans), closed sessions, closed ones with a purchase, events late for sessions. */
  open = 0;
  closed = 0;
  purchasing = 0;
  late = 0;

  constructor(readonly gapMs: number) {}

  /**
   * Adds a span [s, e] of on-time events of the session id b[from, to) (hash h: idHash) in
   * `partition`, merging what it touches.
   */
  add(
    partition: number,
    b: Uint8Array,
    from: number,
    to: number,
    h: number,
    s: number,
    e: number,
    purchase: boolean,
  ): void {
    let k = this.keys.find(partition, b, from, to, h);
    if (k === FREE) k = this.keys.add(partition, b, from, to, h);
    let p = purchase ? 1 : 0;
    let head = this.keys.headOf(k);
    this.markDirty(k);
    // The common case: the id's one open span grows (at a steady rate, nearly every span).
    if (
      head !== FREE &&
      this.next[head] === FREE &&
      sessionsTouch(this.start[head], this.end[head], s, e, this.gapMs)
    ) {
      if (s < this.start[head]) this.start[head] = s;
      if (e > this.end[head]) this.end[head] = e;
      this.purchase[head] |= p;
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
    this.keys.setHead(k, this.slot(k, s, e, p, head));
    this.earliest.set(partition, Math.min(this.earliest.get(partition) ?? Infinity, e + this.gapMs));
  }

  /**
   * Closes the sessions whose partition's watermark (`partitionMax` − `allowedLatenessMs`) reached
   * their end + the gap: counted, and forgotten. Returns how many closed.
   */
  close(partitionMax: Record<number, number>, allowedLatenessMs: number): number {
    const watermark: number[] = [];
    let any = false;
    for (const [p, first] of this.earliest) {
      const w = (partitionMax[p] ?? Number.NEGATIVE_INFINITY) - allowedLatenessMs;
      if (w >= first) {
        watermark[p] = w;
        this.earliest.set(p, Infinity);
        any = true;
      }
    }
    if (!any) return 0;
    let n = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const k = this.keyOf[slot];
      if (k === FREE) continue;
      const p = this.keys.partitionOf(k);
      const w = watermark[p];
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
    const dirty = this.dirty.subarray(0, this.dirtyCount);
    const changes = this.write(dirty);
    for (const k of dirty) {
      this.dirtyFlag[k] = 0;
      // Its last span closed: the id is written (0 spans) and forgotten.
      if (this.keys.headOf(k) === FREE) this.keys.delete(k);
    }
    this.dirtyCount = 0;
    return changes;
  }

  /** Every open session (a snapshot). */
  all(): SessionChanges {
    const open: number[] = [];
    for (let k = 0; k < this.keys.capacity; k++)
      if (this.keys.isLive(k) && this.keys.headOf(k) !== FREE) open.push(k);
    return this.write(Int32Array.from(open));
  }

  /** Restore: each id's spans become exactly the given ones. */
  apply(c: SessionChanges): void {
    let at = 0;
    for (let k = 0; k < c.idEnds.length; k++) {
      const partition = c.partitions[k];
      const from = k === 0 ? 0 : c.idEnds[k - 1];
      const to = c.idEnds[k];
      const h = idHash(c.idBytes, from, to);
      let key = this.keys.find(partition, c.idBytes, from, to, h);
      if (key === FREE) key = this.keys.add(partition, c.idBytes, from, to, h);
      for (let cur = this.keys.headOf(key); cur !== FREE; ) {
        const after = this.next[cur];
        this.release(cur);
        cur = after;
      }
      let head = FREE;
      for (const end = at + c.counts[k]; at < end; at++) {
        head = this.slot(key, c.starts[at], c.ends[at], c.purchases[at], head);
        const deadline = c.ends[at] + this.gapMs;
        this.earliest.set(partition, Math.min(this.earliest.get(partition) ?? Infinity, deadline));
      }
      this.keys.setHead(key, head);
      if (head === FREE && this.dirtyFlag[key] !== 1) this.keys.delete(key);
    }
  }

  /** Entries' ids and spans (in the order of their start) as SessionChanges. */
  private write(entries: Int32Array): SessionChanges {
    let bytes = 0;
    let spans = 0;
    for (const k of entries) {
      bytes += this.keys.lengthOf(k);
      for (let cur = this.keys.headOf(k); cur !== FREE; cur = this.next[cur]) spans++;
    }
    const c: SessionChanges = {
      partitions: new Uint32Array(entries.length),
      idBytes: new Uint8Array(bytes),
      idEnds: new Uint32Array(entries.length),
      counts: new Uint32Array(entries.length),
      starts: new Float64Array(spans),
      ends: new Float64Array(spans),
      purchases: new Uint8Array(spans),
    };
    let b = 0;
    let at = 0;
    const slots = this.scratch;
    for (let j = 0; j < entries.length; j++) {
      const k = entries[j];
      c.partitions[j] = this.keys.partitionOf(k);
      b = this.keys.copyTo(k, c.idBytes, b);
      c.idEnds[j] = b;
      const head = this.keys.headOf(k);
      if (head === FREE || this.next[head] === FREE) {
        // Nearly always: one span (or none, closed), written as it is.
        c.counts[j] = head === FREE ? 0 : 1;
        if (head !== FREE) {
          c.starts[at] = this.start[head];
          c.ends[at] = this.end[head];
          c.purchases[at++] = this.purchase[head];
        }
        continue;
      }
      slots.length = 0;
      for (let cur = head; cur !== FREE; cur = this.next[cur]) slots.push(cur);
      slots.sort((x, y) => this.start[x] - this.start[y]);
      c.counts[j] = slots.length;
      for (const slot of slots) {
        c.starts[at] = this.start[slot];
        c.ends[at] = this.end[slot];
        c.purchases[at++] = this.purchase[slot];
      }
    }
    return c;
  }

  private markDirty(k: number): void {
    if (k >= this.dirtyFlag.length) this.dirtyFlag = ensureCapacity(this.dirtyFlag, k + 1);
    if (this.dirtyFlag[k] === 0) {
      this.dirtyFlag[k] = 1;
      if (this.dirtyCount === this.dirty.length) this.dirty = ensureCapacity(this.dirty, this.dirtyCount + 1);
      this.dirty[this.dirtyCount++] = k;
    }
  }

  private slot(key: number, s: number, e: number, p: number, next: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.keyOf.length) {
        const n = slot + 1;
        const before = this.keyOf.length;
        this.start = ensureCapacity(this.start, n);
        this.end = ensureCapacity(this.end, n);
        this.purchase = ensureCapacity(this.purchase, n);
        this.keyOf = ensureCapacity(this.keyOf, n);
        this.keyOf.fill(FREE, before);
        this.next = ensureCapacity(this.next, n);
      }
    }
    this.start[slot] = s;
    this.end[slot] = e;
    this.purchase[slot] = p;
    this.keyOf[slot] = key;
    this.next[slot] = next;
    this.open++;
    return slot;
  }

  private release(slot: number): void {
    this.keyOf[slot] = FREE;
    this.freeSlots.push(slot);
    this.open--;
  }

  /** Removes a closed span from its id's chain. */
  private unlink(slot: number): void {
    const k = this.keyOf[slot];
    const head = this.keys.headOf(k);
    if (head === slot) this.keys.setHead(k, this.next[slot]);
    else {
      let prev = head;
      while (this.next[prev] !== slot) prev = this.next[prev];
      this.next[prev] = this.next[slot];
    }
    this.markDirty(k);
    this.release(slot);
  }
}
