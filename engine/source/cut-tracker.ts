/**
 * Where each partition stands, for both roles' cuts: the next offset to count and the maximum
 * event time counted so far; and the engine's watermark over them (docs/windows-and-lateness.md):
 * the minimum over partitions that are not idle of (maximum − ALLOWED_LATENESS_MS), +∞ when all
 * are idle. Pure: idleness is asked of the caller.
 */
export class CutTracker {
  private readonly next = new Map<number, number>();
  private readonly max = new Map<number, number>();

  constructor(private readonly allowedLatenessMs: number) {}

  /** Starts tracking `p` (a no-op when it is tracked): a new partition is read from `next`. */
  track(p: number, next = 0, max = Number.NEGATIVE_INFINITY): void {
    if (!this.next.has(p)) this.next.set(p, next);
    if (!this.max.has(p)) this.max.set(p, max);
  }

  /** A checkpoint's or a record's positions. */
  restore(offsets: Record<number, number>, maxes: Record<number, number>): void {
    for (const [p, o] of Object.entries(offsets)) this.next.set(Number(p), o);
    for (const [p, m] of Object.entries(maxes)) this.max.set(Number(p), m);
  }

  /** A batch of `p` was counted up to `nextOffset` (exclusive), its maximum event time now `partitionMax`. */
  counted(p: number, nextOffset: number, partitionMax: number): void {
    this.next.set(p, nextOffset);
    this.max.set(p, partitionMax);
  }

  forget(p: number): void {
    this.next.delete(p);
    this.max.delete(p);
  }

  clear(): void {
    this.next.clear();
    this.max.clear();
  }

  has(p: number): boolean {
    return this.next.has(p);
  }

  nextOf(p: number): number {
    return this.next.get(p) ?? 0;
  }

  maxOf(p: number): number {
    return this.max.get(p) ?? Number.NEGATIVE_INFINITY;
  }

  partitions(): number[] {
    return [...this.next.keys()];
  }

  /** Next offset per partition: the cut's offsets. */
  offsets(): Record<number, number> {
    return Object.fromEntries(this.next);
  }

  maxes(): Record<number, number> {
    return Object.fromEntries(this.max);
  }

  /** Minimum over non-idle partitions of (maximum event time − lateness); +∞ when all are idle. */
  watermark(isIdle: (p: number) => boolean): number {
    let wm = Number.POSITIVE_INFINITY;
    for (const p of this.next.keys()) {
      if (isIdle(p)) continue;
      wm = Math.min(wm, this.maxOf(p) - this.allowedLatenessMs);
    }
    return wm;
  }
}
