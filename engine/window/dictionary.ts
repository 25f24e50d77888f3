/**
 * Id strings → dense indices 0, 1, 2…, so that everything else is a typed array indexed by id.
 *
 * Built for tens of millions of ids: no JS object per id. The ids' UTF-8 bytes live back to back
 * in one growable byte arena; an open-addressing table of Int32 slots (load ≤ 1/2) maps a hash
 * of the bytes to the index; per index, the arena offset (Float64: arenas past 2 GiB) and
 * length (Uint16: ids are ≤ 256 bytes by contract, longer ones still fit). About 13 bytes of
 * id + 8 + 2 + 8 of table ≈ 31 bytes per id, against ~100 for a Map of strings.
 *
 *   slots:  [ 0 | 3 | 0 | 1 | 2 | 0 | … ]   index + 1 (0 = empty), at hash & mask, linear probing
 *   arena:  "SKU-0001SKU-0002user-0042…"    ids' bytes; start[i], len[i] locate id i
 *
 * Indices are never reused (state only grows; a checkpoint stores ids in index order).
 */
import { constants } from 'node:buffer';
import { RiaError } from '../errors/errors.js';

const encoder = new TextEncoder();

/** The largest typed array Node allocates (4 GiB on Node 20): the arena's limit. */
export const MAX_ARENA_BYTES = constants.MAX_LENGTH;

export class Dictionary {
  /**
   * `name`: what the ids are (for the error at the limit); `maxArenaBytes`: the arena's limit
   * (MAX_ARENA_BYTES; smaller in tests).
   */
  constructor(
    private readonly name = 'ids',
    private readonly maxArenaBytes = MAX_ARENA_BYTES,
  ) {}

  private arena = new Uint8Array(1 << 16);
  /** The arena seen as a Buffer, for decoding ids without a view object each (idOf runs per document). */
  private text = Buffer.from(this.arena.buffer);
  private used = 0;
  private start = new Float64Array(1024);
  private len = new Uint16Array(1024);
  private hashes = new Uint32Array(1024);
  private slots = new Int32Array(2048);
  private count = 0;
  /** Scratch for encoding a looked-up id. */
  private scratch = new Uint8Array(1024);

  get size(): number {
    return this.count;
  }

  /** The index of `id`, adding it when new. */
  intern(id: string): number {
    return this.find(id, true);
  }

  get(id: string): number | undefined {
    const i = this.find(id, false);
    return i < 0 ? undefined : i;
  }

  /** The id of index i. */
  idOf(i: number): string {
    const s = this.start[i];
    return this.text.toString('utf8', s, s + this.len[i]);
  }

  /** Ids from index `from` to the end, in order. */
  idsFrom(from: number): string[] {
    const out: string[] = [];
    for (let i = from; i < this.count; i++) out.push(this.idOf(i));
    return out;
  }

  private find(id: string, add: boolean): number {
    // Encode into the scratch buffer (ids are short; grow for the rare long one).
    if (id.length * 3 > this.scratch.length) this.scratch = new Uint8Array(id.length * 3);
    const n = encoder.encodeInto(id, this.scratch).written;
    const bytes = this.scratch;
    let h = 0x811c9dc5;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
    h >>>= 0;
    const mask = this.slots.length - 1;
    let s = h & mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) break;
      const i = e - 1;
      if (this.hashes[i] === h && this.len[i] === n && this.sameBytes(i, bytes, n)) return i;
      s = (s + 1) & mask;
    }
    if (!add) return -1;
    const i = this.count++;
    this.reserve(i + 1, n);
    this.arena.set(bytes.subarray(0, n), this.used);
    this.start[i] = this.used;
    this.len[i] = n;
    this.hashes[i] = h;
    this.used += n;
    this.slots[s] = i + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return i;
  }

  private sameBytes(i: number, bytes: Uint8Array, n: number): boolean {
    const a = this.arena;
    const s = this.start[i];
    for (let k = 0; k < n; k++) if (a[s + k] !== bytes[k]) return false;
    return true;
  }

  private reserve(entries: number, bytes: number): void {
    if (entries > this.start.length) {
      this.start = grow(this.start, entries);
      this.len = grow(this.len, entries);
      this.hashes = grow(this.hashes, entries);
    }
    if (this.used + bytes > this.arena.length) {
      if (this.used + bytes > this.maxArenaBytes)
        throw new RiaError(
          `${this.count} distinct ${this.name} fill ${this.used} bytes, the most one process holds (one array of at most ${this.maxArenaBytes} bytes): spread the ids over more counters (docs/scale-out.md)`,
          { code: 'RIA_ERR_CAPACITY' },
        );
      this.arena = grow(this.arena, this.used + bytes, this.maxArenaBytes);
      this.text = Buffer.from(this.arena.buffer, this.arena.byteOffset, this.arena.byteLength);
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.count; i++) {
      let s = this.hashes[i] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = i + 1;
    }
    this.slots = slots;
  }
}

type Growable = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

function grow<T extends Growable>(a: T, n: number, max = Number.POSITIVE_INFINITY): T {
  let size = Math.max(1024, a.length);
  while (size < n) size = Math.ceil(size * 1.5);
  size = Math.min(size, max);
  const grown = new (a.constructor as new (n: number) => T)(size);
  grown.set(a);
  return grown;
}

/** Grows a typed array to hold at least `n` entries (by half again), keeping its contents. */
export function ensureCapacity<T extends Growable>(a: T, n: number): T {
  return n <= a.length ? a : grow(a, n);
}
