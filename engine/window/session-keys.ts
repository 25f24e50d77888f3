/**
 * The open sessions' keys — (partition, session id bytes) → a dense entry — for SessionState.
 * Like Dictionary, but entries are deleted when their session closes, so memory follows the
 * sessions open at once, not history: no JS string or object per session (a Map of strings
 * cost the flusher more per span than the rest of a delta: results/funnel-cost.json).
 *
 *   slots:  open addressing over (hash, partition), entry + 1 (0 = empty), linear probing;
 *           deletion shifts the following run back (no tombstones)
 *   arena:  the ids' bytes back to back; a deleted id's bytes are dead until the arena is
 *           compacted (when more than half of it is dead)
 *
 * Ids arrive hashed (FNV-1a of their UTF-8 bytes, as the pool worker computes it: idHash).
 */
import { ensureCapacity } from './dictionary.js';

const FREE = -1;

/** The table slot hash of an id hash in a partition. */
function keyHash(hash: number, partition: number): number {
  return Math.imul(hash ^ (partition + 1), 0x9e3779b1) >>> 0;
}

export class SessionKeys {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private dead = 0;
  private start = new Int32Array(1024);
  private len = new Uint16Array(1024);
  private hash = new Uint32Array(1024);
  /** Per entry: its partition (FREE: a free entry). */
  partition = new Int32Array(1024).fill(FREE);
  /** Per entry: its first span (SessionState's slot), FREE when none. */
  head = new Int32Array(1024);
  private slots: Int32Array;
  private readonly freeEntries: number[] = [];
  private entries = 0;
  size = 0;

  /** `slots`: the table's first size, a power of two (small in tests, so that runs form). */
  constructor(slots = 2048) {
    this.slots = new Int32Array(slots);
  }

  /** The entry of id b[s, e) (hash `h`) in `partition`, or FREE. */
  find(partition: number, b: Uint8Array, s: number, e: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let at = keyHash(h, partition) & mask; ; at = (at + 1) & mask) {
      const x = this.slots[at];
      if (x === 0) return FREE;
      const k = x - 1;
      if (this.hash[k] === h && this.partition[k] === partition && this.sameBytes(k, b, s, e)) return k;
    }
  }

  /** A new entry for id b[s, e) (hash `h`) in `partition`, which find() did not find; its head FREE. */
  add(partition: number, b: Uint8Array, s: number, e: number, h: number): number {
    const n = e - s;
    let k = this.freeEntries.pop();
    if (k === undefined) {
      k = this.entries++;
      if (k >= this.start.length) this.growEntries(k + 1);
    }
    if (this.used + n > this.arena.length) this.makeRoom(n);
    this.arena.set(b.subarray(s, e), this.used);
    this.start[k] = this.used;
    this.len[k] = n;
    this.used += n;
    this.hash[k] = h;
    this.partition[k] = partition;
    this.head[k] = FREE;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const mask = this.slots.length - 1;
    let at = keyHash(h, partition) & mask;
    while (this.slots[at] !== 0) at = (at + 1) & mask;
    this.slots[at] = k + 1;
    return k;
  }

  /** Forgets entry k (its index may be given to a later id). */
  delete(k: number): void {
    const mask = this.slots.length - 1;
    let at = keyHash(this.hash[k], this.partition[k]) & mask;
    while (this.slots[at] !== k + 1) at = (at + 1) & mask;
    // Backward shift: move each following entry of the run into the hole if its home allows.
    for (let next = (at + 1) & mask; this.slots[next] !== 0; next = (next + 1) & mask) {
      const j = this.slots[next] - 1;
      const home = keyHash(this.hash[j], this.partition[j]) & mask;
      // The entry at `next` may fill the hole at `at` unless its home lies in (at, next].
      const homeBetween = at <= next ? home > at && home <= next : home > at || home <= next;
      if (!homeBetween) {
        this.slots[at] = this.slots[next];
        at = next;
      }
    }
    this.slots[at] = 0;
    this.dead += this.len[k];
    this.partition[k] = FREE;
    this.freeEntries.push(k);
    this.size--;
  }

  /** Whether entry k holds an id. */
  isLive(k: number): boolean {
    return this.partition[k] !== FREE;
  }

  /** Entries ever made: live ones are below this. */
  get capacity(): number {
    return this.entries;
  }

  /** The id bytes of entry k (a view into the arena: valid until the next add). */
  bytesOf(k: number): Uint8Array {
    return this.arena.subarray(this.start[k], this.start[k] + this.len[k]);
  }

  /** Copies the id bytes of entry k to out[at…); returns the position after them (no view object). */
  copyTo(k: number, out: Uint8Array, at: number): number {
    const a = this.arena;
    for (let i = this.start[k], end = i + this.len[k]; i < end; i++) out[at++] = a[i];
    return at;
  }

  lengthOf(k: number): number {
    return this.len[k];
  }

  private sameBytes(k: number, b: Uint8Array, s: number, e: number): boolean {
    if (this.len[k] !== e - s) return false;
    const a = this.arena;
    for (let i = 0, at = this.start[k]; i < e - s; i++) if (a[at + i] !== b[s + i]) return false;
    return true;
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
      if (this.partition[k] === FREE) continue;
      arena.set(this.arena.subarray(this.start[k], this.start[k] + this.len[k]), at);
      this.start[k] = at;
      at += this.len[k];
    }
    this.arena = arena;
    this.used = at;
    this.dead = 0;
  }

  private growEntries(n: number): void {
    const before = this.partition.length;
    this.start = ensureCapacity(this.start, n);
    this.len = ensureCapacity(this.len, n);
    this.hash = ensureCapacity(this.hash, n);
    this.partition = ensureCapacity(this.partition, n);
    this.partition.fill(FREE, before);
    this.head = ensureCapacity(this.head, n);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let k = 0; k < this.entries; k++) {
      if (this.partition[k] === FREE) continue;
      let at = keyHash(this.hash[k], this.partition[k]) & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = k + 1;
    }
    this.slots = slots;
  }
}
