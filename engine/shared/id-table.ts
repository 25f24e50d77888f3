/**
 * Per-batch dedup of ids by their bytes: an open-addressing hash table over byte ranges of the
 * batch buffer, so an id becomes a string once per batch, not once per event. Slots hold
 * (hash, start, length); equal hashes are confirmed by comparing bytes.
 */
export class IdTable {
  private mask: number;
  private slots: Int32Array; // entry index + 1, 0 = empty
  private hashes: Uint32Array;
  private starts: Int32Array;
  private ends: Int32Array;
  readonly counts: number[] = [];
  size = 0;

  constructor(
    private readonly bytes: Uint8Array,
    expected: number,
  ) {
    let cap = 64;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.hashes = new Uint32Array(expected + 1);
    this.starts = new Int32Array(expected + 1);
    this.ends = new Int32Array(expected + 1);
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
    this.slots[s] = k + 1;
    this.hashes[k] = hash;
    this.starts[k] = start;
    this.ends[k] = end;
    this.counts.push(1);
    return k;
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
