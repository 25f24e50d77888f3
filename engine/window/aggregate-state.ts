/**
 * The aggregates, owned by the flusher thread: per item the total, the max / min count over its
 * closed windows and how many windows closed; per user the total; the open windows' per-item
 * counts; and what changed since the last flush (the dirty sets, which become the bulk request
 * and the checkpoint record).
 *
 * Everything is a typed array indexed by a dense id (see Dictionary); an open window holds its
 * items' counts sparsely or densely (open-window.ts), and a few are recycled when they close.
 */
import { DEFAULT_SESSION_GAP_MS } from '../shared/event-rules.js';
import { funnelLayout } from '../shared/funnel-layout.js';
import type { BatchDelta } from '../shared/messages.js';
import { Dictionary, ensureCapacity } from './dictionary.js';
import { FunnelState } from './funnel-state.js';
import { OpenWindow } from './open-window.js';
import { SessionState } from './session-state.js';

/** Closed windows kept for reuse (more would only hold memory after a lagging partition caught up). */
const MAX_SPARE_WINDOWS = 8;

export class AggregateState {
  readonly items = new Dictionary('item ids');
  readonly users = new Dictionary('user ids');
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

  /** Funnel steps and revenue per item, per category and in all (funnel-state.ts). */
  readonly funnel = new FunnelState();
  readonly sessions: SessionState;

  constructor(
    readonly windowMs: number,
    sessionGapMs = DEFAULT_SESSION_GAP_MS,
  ) {
    this.sessions = new SessionState(sessionGapMs);
  }

  /** Adds one batch's contribution. Returns how many of its on-time events found their window closed. */
  apply(d: BatchDelta): number {
    const itemIndex = new Uint32Array(d.itemIds.length);
    for (let k = 0; k < d.itemIds.length; k++) {
      const i = this.internItem(d.itemIds[k]);
      itemIndex[k] = i;
      this.itemTotal[i] += d.itemCounts[k];
      this.markItem(i);
    }
    const f = d.funnel;
    const at = funnelLayout(f, d.itemIds.length, d.categoryIds.length);
    this.funnel.apply(d, at, itemIndex);
    const sessions = this.sessions;
    for (let k = 0; k < at.spans; k++) {
      const id = f[at.spanSession + k];
      sessions.add(
        d.partition,
        d.sessionBytes,
        id === 0 ? 0 : f[at.sessionEnds + id - 1],
        f[at.sessionEnds + id],
        f[at.sessionHashes + id],
        f[at.spanStart + k],
        f[at.spanEnd + k],
        f[at.spanPurchase + k] === 1,
      );
    }
    sessions.late += d.sessionLate;
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
      this.openWindow(w).add(itemIndex[d.windowItem[k]], c, this.items.size);
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
        const c = win.get(i);
        const n = ++this.itemClosed[i];
        if (n === 1 || c > this.itemMax[i]) this.itemMax[i] = c;
        if (n === 1 || c < this.itemMin[i]) this.itemMin[i] = c;
        this.markItem(i);
      }
      this.recycle(w, win);
      this.closedUpTo = Math.max(this.closedUpTo, (w + 1) * this.windowMs);
      closed++;
    }
    return closed;
  }

  /** Drops every open window without folding it (restore replaces them from a checkpoint). */
  closeWindowsSilently(): void {
    for (const [w, win] of this.open) this.recycle(w, win);
  }

  private recycle(w: number, win: OpenWindow): void {
    this.open.delete(w);
    if (this.spare.length >= MAX_SPARE_WINDOWS) return;
    win.reset();
    this.spare.push(win);
  }

  /** The ids changed since the last call, and clears the marks. */
  takeDirty(): { items: number[]; users: number[]; categories: number[] } {
    const items = this.itemDirty;
    const users = this.userDirty;
    for (const i of items) this.itemDirtyFlag[i] = 0;
    for (const u of users) this.userDirtyFlag[u] = 0;
    this.itemDirty = [];
    this.userDirty = [];
    return { items, users, categories: this.funnel.takeDirty() };
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
      this.funnel.items.ensure(this.itemTotal.length);
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
      win = this.spare.pop() ?? new OpenWindow();
      this.open.set(w, win);
    }
    return win;
  }

  /** Changed since the last flush (its document will be written by the next one). */
  itemIsDirty(i: number): boolean {
    return this.itemDirtyFlag[i] === 1;
  }

  userIsDirty(u: number): boolean {
    return this.userDirtyFlag[u] === 1;
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
