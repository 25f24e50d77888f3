/**
 * One open window's per-item counts. Sparse while it holds few items — an open-addressing hash of
 * item → count in two typed arrays, memory in proportion to the items it touched — and dense (one
 * count per known item) once it holds a sixth of them, where a dense array is smaller and faster.
 * Open windows multiply when one partition lags the others in event time (the watermark waits
 * for it): with dense windows only, 600 windows over 1,000,000 items took 2.4 GB; sparse, the
 * memory follows the events in those windows (results/window-lag.json).
 */
import { ensureCapacity } from './dictionary.js';

const EMPTY = -1;
/** A sparse window turns dense past touched > capacity / DENSE_SHARE (16 B per sparse entry vs 4 B per item). */
const DENSE_SHARE = 6;

export class OpenWindow {
  /** Items with a count, in the order they came (what a window close folds). */
  readonly touched: number[] = [];
  private dense: Uint32Array | undefined;
  private keys = new Int32Array(16).fill(EMPTY);
  private values = new Uint32Array(16);

  /** Adds `c` to item i's count; `itemCapacity` is how many items are known (for the dense switch). */
  add(i: number, c: number, itemCapacity: number): void {
    if (this.dense) {
      if (this.dense.length <= i) this.dense = ensureCapacity(this.dense, itemCapacity);
      if (this.dense[i] === 0) this.touched.push(i);
      this.dense[i] += c;
      return;
    }
    const slot = this.slotOf(i);
    if (this.keys[slot] === EMPTY) {
      this.keys[slot] = i;
      this.values[slot] = c;
      this.touched.push(i);
      if (this.touched.length * DENSE_SHARE > itemCapacity) this.toDense(itemCapacity);
      else if (this.touched.length * 2 > this.keys.length) this.rehash(this.keys.length * 2);
      return;
    }
    this.values[slot] += c;
  }

  get(i: number): number {
    if (this.dense) return i < this.dense.length ? this.dense[i] : 0;
    const slot = this.slotOf(i);
    return this.keys[slot] === EMPTY ? 0 : this.values[slot];
  }

  /** Empties the window for reuse (sparse again, small). */
  reset(): void {
    this.touched.length = 0;
    this.dense = undefined;
    if (this.keys.length !== 16) {
      this.keys = new Int32Array(16);
      this.values = new Uint32Array(16);
    }
    this.keys.fill(EMPTY);
  }

  /** Bytes held by its counts (for tests and the window-lag benchmark). */
  get bytes(): number {
    return this.dense ? this.dense.byteLength : this.keys.byteLength + this.values.byteLength;
  }

  private slotOf(i: number): number {
    const mask = this.keys.length - 1;
    // Fibonacci hashing spreads consecutive dense ids; linear probing finds the slot.
    let slot = (Math.imul(i, 0x9e3779b1) >>> 0) & mask;
    while (this.keys[slot] !== EMPTY && this.keys[slot] !== i) slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(size: number): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Int32Array(size).fill(EMPTY);
    this.values = new Uint32Array(size);
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === EMPTY) continue;
      const slot = this.slotOf(keys[s]);
      this.keys[slot] = keys[s];
      this.values[slot] = values[s];
    }
  }

  private toDense(itemCapacity: number): void {
    const dense = new Uint32Array(itemCapacity);
    for (let s = 0; s < this.keys.length; s++)
      if (this.keys[s] !== EMPTY) dense[this.keys[s]] = this.values[s];
    this.dense = dense;
    this.keys = new Int32Array(0);
    this.values = new Uint32Array(0);
  }
}
