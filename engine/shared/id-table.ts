/**
 * Per-batch dedup of ids by their bytes: an open-addressing hash table over byte ranges of the
 * batch buffer, so an id becomes a string once per batch, not once per event. Slots hold
 * (hash, start, length); equal hashes are confirmed by comparing bytes.
 */
/** FNV-1a of b[s, e): how ids are hashed everywhere (the scanner hashes them as it reads them). */
export function idHash(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** Ids as UTF-8 bytes back to back, each one's end and hash (ids that came as strings). */
export function packIds(ids: string[]): { bytes: Uint8Array; ends: Uint32Array; hashes: Uint32Array } {
  const parts = ids.map((id) => Buffer.from(id, 'utf8'));
  const bytes = new Uint8Array(Buffer.concat(parts));
  const ends = new Uint32Array(parts.length);
  const hashes = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((b, k) => {
    hashes[k] = idHash(bytes, at, at + b.length);
    at += b.length;
    ends[k] = at;
  });
  return { bytes, ends, hashes };
}

export class IdTable {
  private mask: number;
  private slots: Int32Array; // entry index + 1, 0 = empty
  private hashes: Uint32Array;
  private starts: Int32Array;
  private ends: Int32Array;
  /** Per entry, the slot it sits in: reset() empties those alone. */
  private slotAt: Int32Array;
  readonly counts: number[] = [];
  size = 0;

  /**
   * `initial`: entries to make room for at once; more grow the table. Items and users of a batch
   * are many (room for every event); categories and sessions few, and zeroing tables sized for
   * every event of a 65,536-event batch was a cost per batch.
   */
  constructor(
    private bytes: Uint8Array,
    initial: number,
  ) {
    const entries = Math.max(16, initial);
    // Slots: a power of two (the mask), at least twice the entries (load ≤ 1/2).
    let slots = 64;
    while (slots < entries * 2) slots *= 2;
    this.mask = slots - 1;
    this.slots = new Int32Array(this.mask + 1);
    this.hashes = new Uint32Array(entries);
    this.starts = new Int32Array(entries);
    this.ends = new Int32Array(entries);
    this.slotAt = new Int32Array(entries);
  }

  /**
   * Empty again, for the next batch's bytes: one table per worker thread is reused batch after
   * batch (allocating four arrays per table and batch showed in the steady cost:
   * results/funnel-cost.json); only the slots in use are cleared.
   */
  reset(bytes: Uint8Array): void {
    for (let k = 0; k < this.size; k++) this.slots[this.slotAt[k]] = 0;
    this.size = 0;
    this.counts.length = 0;
    this.bytes = bytes;
  }

  /** The entry of bytes[start, end) (hash given), added when new; counts one occurrence. */
  add(start: number, end: number, hash: number): number {
    const b = this.bytes;
    let s = hash & this.mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) break;
      const k = e - 1;
      if (this.hashes[k] === hash && this.ends[k] - this.starts[k] === end - start) {
        let same = true;
        for (let i = 0, a = this.starts[k]; i < end - start; i++) {
          if (b[a + i] !== b[start + i]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.counts[k]++;
          return k;
        }
      }
      s = (s + 1) & this.mask;
    }
    const k = this.size++;
    if (k >= this.hashes.length) this.growEntries();
    this.slots[s] = k + 1;
    this.slotAt[k] = s;
    this.hashes[k] = hash;
    this.starts[k] = start;
    this.ends[k] = end;
    this.counts.push(1);
    if (this.size * 2 > this.mask + 1) this.rehash();
    return k;
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, (m) => new Uint32Array(m));
    this.starts = grow(this.starts, (m) => new Int32Array(m));
    this.ends = grow(this.ends, (m) => new Int32Array(m));
    this.slotAt = grow(this.slotAt, (m) => new Int32Array(m));
  }

  /** Doubles the slots (load kept at most 1/2), placing every entry again by its hash. */
  private rehash(): void {
    this.mask = (this.mask + 1) * 2 - 1;
    this.slots = new Int32Array(this.mask + 1);
    for (let k = 0; k < this.size; k++) {
      let s = this.hashes[k] & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = k + 1;
      this.slotAt[k] = s;
    }
  }

  /**
   * The ids' bytes back to back, then `more` ids (UTF-8, hashed here); each one's end and hash
   * into `out` from `endsAt` and `hashesAt`: no string per id.
   */
  packInto(out: Float64Array, endsAt: number, hashesAt: number, more: Uint8Array[] = []): Uint8Array {
    let total = 0;
    for (let k = 0; k < this.size; k++) total += this.ends[k] - this.starts[k];
    for (const m of more) total += m.length;
    const bytes = new Uint8Array(total);
    const b = this.bytes;
    let at = 0;
    for (let k = 0; k < this.size; k++) {
      for (let i = this.starts[k]; i < this.ends[k]; i++) bytes[at++] = b[i];
      out[endsAt + k] = at;
      out[hashesAt + k] = this.hashes[k];
    }
    more.forEach((m, j) => {
      bytes.set(m, at);
      out[hashesAt + this.size + j] = idHash(bytes, at, at + m.length);
      at += m.length;
      out[endsAt + this.size + j] = at;
    });
    return bytes;
  }

  /** The ids as strings (ASCII bytes, so latin1 is exact). */
  ids(): string[] {
    const buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength) as Buffer & {
      latin1Slice(start: number, end: number): string;
    };
    const out = new Array<string>(this.size);
    for (let k = 0; k < this.size; k++) out[k] = buf.latin1Slice(this.starts[k], this.ends[k]);
    return out;
  }
}
