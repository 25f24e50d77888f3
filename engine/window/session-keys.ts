/**
 * The open sessions' keys — (partition, session id bytes) → a dense entry — for SessionState.
 * Like Dictionary, but entries are deleted when their session closes, so memory follows the
 * sessions open at once, not history: no JS string or object per session (a Map of strings
 * cost the flusher more per span than the rest of a delta: results/funnel-cost.json).
 *
 *   slots:   open addressing, two Int32 per slot: entry + 1 (0 = empty) and the key's hash, so
 *            a probe reads one cache line until the hash matches; linear probing, deletion
 *            shifts the following run back (no tombstones)
 *   entries: four Int32 each, read together: partition (FREE: unused), arena start, length,
 *            first span (SessionState's slot)
 *   arena:   the ids' bytes back to back; a deleted id's bytes are dead until the arena is
 *            compacted (when more than half of it is dead)
 *
 * With hundreds of thousands of sessions open every lookup misses the caches; the layout keeps
 * that to the slot, the entry and the id's bytes.
 *
 * Ids arrive hashed (FNV-1a of their UTF-8 bytes, as the pool worker computes it: idHash).
 */
import { idHash } from '../shared/id-table.js';
import { ensureCapacity } from './dictionary.js';

const FREE = -1;
/** Int32 fields per entry. */
const E = 4;
const PARTITION = 0;
const START = 1;
const LEN = 2;
const HEAD = 3;

/** The table slot hash of an id hash in a partition. */
function keyHash(hash: number, partition: number): number {
  return Math.imul(hash ^ (partition + 1), 0x9e3779b1) | 0;
}

export class SessionKeys {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private dead = 0;
  private entry = new Int32Array(1024 * E).fill(FREE);
  /** Pairs: entry + 1, keyHash. */
  private slots: Int32Array;
  private mask: number;
  private readonly freeEntries: number[] = [];
  private entries = 0;
  size = 0;

  /** `slots`: the table's first size, a power of two (small in tests, so that runs form). */
  constructor(slots = 2048) {
    this.slots = new Int32Array(2 * slots);
    this.mask = slots - 1;
  }

  /** The entry of id b[s, e) (hash `h`) in `partition`, or FREE. */
  find(partition: number, b: Uint8Array, s: number, e: number, h: number): number {
    const kh = keyHash(h, partition);
    const slots = this.slots;
    for (let at = kh & this.mask; ; at = (at + 1) & this.mask) {
      const x = slots[2 * at];
      if (x === 0) return FREE;
      if (
        slots[2 * at + 1] === kh &&
        this.entry[(x - 1) * E + PARTITION] === partition &&
        this.same(x - 1, b, s, e)
      )
        return x - 1;
    }
  }

  /** A new entry for id b[s, e) (hash `h`) in `partition`, which find() did not find; its head FREE. */
  add(partition: number, b: Uint8Array, s: number, e: number, h: number): number {
    const n = e - s;
    let k = this.freeEntries.pop();
    if (k === undefined) {
      k = this.entries++;
      if ((k + 1) * E > this.entry.length) {
        const before = this.entry.length;
        this.entry = ensureCapacity(this.entry, (k + 1) * E);
        this.entry.fill(FREE, before);
      }
    }
    if (this.used + n > this.arena.length) this.makeRoom(n);
    this.arena.set(b.subarray(s, e), this.used);
    const at = k * E;
    this.entry[at + PARTITION] = partition;
    this.entry[at + START] = this.used;
    this.entry[at + LEN] = n;
    this.entry[at + HEAD] = FREE;
    this.used += n;
    this.size++;
    if (this.size * 2 > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.place(k, keyHash(h, partition));
    return k;
  }

  /** Forgets entry k (its index may be given to a later id). */
  delete(k: number): void {
    const slots = this.slots;
    const mask = this.mask;
    // Its slot's hash, again from its bytes (once per session closed).
    const f = k * E;
    const start = this.entry[f + START];
    const kh = keyHash(idHash(this.arena, start, start + this.entry[f + LEN]), this.entry[f + PARTITION]);
    let at = kh & mask;
    while (slots[2 * at] !== k + 1) at = (at + 1) & mask;
    // Backward shift: move each following entry of the run into the hole if its home allows.
    for (let next = (at + 1) & mask; slots[2 * next] !== 0; next = (next + 1) & mask) {
      const home = slots[2 * next + 1] & mask;
      // The entry at `next` may fill the hole at `at` unless its home lies in (at, next].
      const homeBetween = at <= next ? home > at && home <= next : home > at || home <= next;
      if (!homeBetween) {
        slots[2 * at] = slots[2 * next];
        slots[2 * at + 1] = slots[2 * next + 1];
        at = next;
      }
    }
    slots[2 * at] = 0;
    slots[2 * at + 1] = 0;
    this.dead += this.entry[k * E + LEN];
    this.entry[k * E + PARTITION] = FREE;
    this.freeEntries.push(k);
    this.size--;
  }

  /** Whether entry k holds an id. */
  isLive(k: number): boolean {
    return this.entry[k * E + PARTITION] !== FREE;
  }

  partitionOf(k: number): number {
    return this.entry[k * E + PARTITION];
  }

  /** Entry k's first span, FREE when none. */
  headOf(k: number): number {
    return this.entry[k * E + HEAD];
  }

  setHead(k: number, slot: number): void {
    this.entry[k * E + HEAD] = slot;
  }

  /** Entries ever made: live ones are below this. */
  get capacity(): number {
    return this.entries;
  }

  lengthOf(k: number): number {
    return this.entry[k * E + LEN];
  }

  /** The id bytes of entry k (a view into the arena: valid until the next add). */
  bytesOf(k: number): Uint8Array {
    const s = this.entry[k * E + START];
    return this.arena.subarray(s, s + this.entry[k * E + LEN]);
  }

  /** Copies the id bytes of entry k to out[at…); returns the position after them (no view object). */
  copyTo(k: number, out: Uint8Array, at: number): number {
    const a = this.arena;
    for (let i = this.entry[k * E + START], end = i + this.entry[k * E + LEN]; i < end; i++) out[at++] = a[i];
    return at;
  }

  private same(k: number, b: Uint8Array, s: number, e: number): boolean {
    if (this.entry[k * E + LEN] !== e - s) return false;
    const a = this.arena;
    for (let i = 0, at = this.entry[k * E + START]; i < e - s; i++) if (a[at + i] !== b[s + i]) return false;
    return true;
  }

  private place(k: number, kh: number): void {
    const slots = this.slots;
    let at = kh & this.mask;
    while (slots[2 * at] !== 0) at = (at + 1) & this.mask;
    slots[2 * at] = k + 1;
    slots[2 * at + 1] = kh;
  }

  /**
   * Room for n more bytes: the arena grows (one copy) or, when more than half of it is dead,
   * the live ids are copied back to back into a new one twice their size.
   */
  private makeRoom(n: number): void {
    const live = this.used - this.dead;
    if (this.dead * 2 <= this.used) {
      this.arena = ensureCapacity(this.arena, this.used + n);
      return;
    }
    const arena = new Uint8Array(Math.max(1 << 16, (live + n) * 2));
    let at = 0;
    for (let k = 0; k < this.entries; k++) {
      const f = k * E;
      if (this.entry[f + PARTITION] === FREE) continue;
      arena.set(this.arena.subarray(this.entry[f + START], this.entry[f + START] + this.entry[f + LEN]), at);
      this.entry[f + START] = at;
      at += this.entry[f + LEN];
    }
    this.arena = arena;
    this.used = at;
    this.dead = 0;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let at = 0; at < old.length; at += 2) if (old[at] !== 0) this.place(old[at] - 1, old[at + 1]);
  }
}
