/**
 * The aggregates, owned by the flusher thread: per item the total, the max / min count over its
 * closed windows and how many windows closed; per user the total; the open windows' per-item
 * counts; and what changed since the last flush (the dirty sets, which become the bulk request
 * and the checkpoint record).
 *
 * Everything is a typed array indexed by a dense id (see Dictionary); an open window is a dense
 * count array plus the list of items it touched, recycled when the window closes.
 */
import type { BatchDelta } from '../shared/messages.js';
import { Dictionary, ensureCapacity } from './dictionary.js';

interface OpenWindow {
  counts: Uint32Array;
  touched: number[];
}

export class AggregateState {
  readonly items = new Dictionary();
  readonly users = new Dictionary();
  itemTotal = new Float64Array(1024);
  itemMax = new Uint32Array(1024);
  itemMin = new Uint32Array(1024);
  itemClosed = new Uint32Array(1024);
  userTotal = new Float64Array(1024);
  valid = 0;
  late = 0;
  /** Windows whose end is at or before this (ms) are closed; events for them are late. */
  closedUpTo = Number.NEGATIVE_INFINITY;
  readonly open = new Map<number, OpenWindow>();
  private readonly spare: OpenWindow[] = [];

  private itemDirtyFlag = new Uint8Array(1024);
  private userDirtyFlag = new Uint8Array(1024);
  private itemDirty: number[] = [];
  private userDirty: number[] = [];

  constructor(readonly windowMs: number) {}

  /** Adds one batch's contribution. Returns how many of its on-time events found their window closed. */
  apply(d: BatchDelta): number {
    const itemIndex = new Uint32Array(d.itemIds.length);
    for (let k = 0; k < d.itemIds.length; k++) {
      const i = this.internItem(d.itemIds[k]);
      itemIndex[k] = i;
      this.itemTotal[i] += d.itemCounts[k];
      this.markItem(i);
    }
    for (let k = 0; k < d.userIds.length; k++) {
      const u = this.internUser(d.userIds[k]);
      this.userTotal[u] += d.userCounts[k];
      this.markUser(u);
    }
    let lateHere = 0;
    for (let k = 0; k < d.windowIndex.length; k++) {
      const w = d.windowIndex[k];
      const c = d.windowCount[k];
      // Only after every partition went idle can a window close ahead of a partition's own
      // watermark; an event that then finds its window closed is late, as docs/contract.md says.
      if ((w + 1) * this.windowMs <= this.closedUpTo) {
        lateHere += c;
        continue;
      }
      const win = this.openWindow(w);
      const i = itemIndex[d.windowItem[k]];
      if (win.counts[i] === 0) win.touched.push(i);
      win.counts[i] += c;
    }
    this.valid += d.valid;
    this.late += d.late + lateHere;
    return lateHere;
  }

  /** Closes every open window that ends at or before `watermarkMs` (Infinity: all). */
  closeWindows(watermarkMs: number): number {
    let closed = 0;
    const due = [...this.open.keys()]
      .filter((w) => (w + 1) * this.windowMs <= watermarkMs)
      .sort((a, b) => a - b);
    for (const w of due) {
      const win = this.open.get(w)!;
      for (const i of win.touched) {
        const c = win.counts[i];
        win.counts[i] = 0;
        const n = ++this.itemClosed[i];
        if (n === 1 || c > this.itemMax[i]) this.itemMax[i] = c;
        if (n === 1 || c < this.itemMin[i]) this.itemMin[i] = c;
        this.markItem(i);
      }
      win.touched.length = 0;
      this.open.delete(w);
      this.spare.push(win);
      this.closedUpTo = Math.max(this.closedUpTo, (w + 1) * this.windowMs);
      closed++;
    }
    return closed;
  }

  /** Drops every open window without folding it (restore replaces them from a checkpoint). */
  closeWindowsSilently(): void {
    for (const [w, win] of this.open) {
      for (const i of win.touched) win.counts[i] = 0;
      win.touched.length = 0;
      this.spare.push(win);
      this.open.delete(w);
    }
  }

  /** The ids changed since the last call, and clears the marks. */
  takeDirty(): { items: number[]; users: number[] } {
    const items = this.itemDirty;
    const users = this.userDirty;
    for (const i of items) this.itemDirtyFlag[i] = 0;
    for (const u of users) this.userDirtyFlag[u] = 0;
    this.itemDirty = [];
    this.userDirty = [];
    return { items, users };
  }

  get distinctUsers(): number {
    return this.users.size;
  }

  internItem(id: string): number {
    const i = this.items.intern(id);
    if (i >= this.itemTotal.length) {
      const n = i + 1;
      this.itemTotal = ensureCapacity(this.itemTotal, n);
      this.itemMax = ensureCapacity(this.itemMax, n);
      this.itemMin = ensureCapacity(this.itemMin, n);
      this.itemClosed = ensureCapacity(this.itemClosed, n);
      this.itemDirtyFlag = ensureCapacity(this.itemDirtyFlag, n);
      for (const win of this.open.values()) win.counts = ensureCapacity(win.counts, n);
      for (const win of this.spare) win.counts = ensureCapacity(win.counts, n);
    }
    return i;
  }

  internUser(id: string): number {
    const u = this.users.intern(id);
    if (u >= this.userTotal.length) {
      this.userTotal = ensureCapacity(this.userTotal, u + 1);
      this.userDirtyFlag = ensureCapacity(this.userDirtyFlag, u + 1);
    }
    return u;
  }

  /** The open window w, created (or recycled) when new. */
  openWindow(w: number): OpenWindow {
    let win = this.open.get(w);
    if (!win) {
      win = this.spare.pop() ?? { counts: new Uint32Array(this.itemTotal.length), touched: [] };
      win.counts = ensureCapacity(win.counts, this.itemTotal.length);
      this.open.set(w, win);
    }
    return win;
  }

  markItem(i: number): void {
    if (this.itemDirtyFlag[i] === 0) {
      this.itemDirtyFlag[i] = 1;
      this.itemDirty.push(i);
    }
  }

  markUser(u: number): void {
    if (this.userDirtyFlag[u] === 0) {
      this.userDirtyFlag[u] = 1;
      this.userDirty.push(u);
    }
  }
}
