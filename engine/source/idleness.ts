/**
 * Per partition: is it caught up and quiet — idle (docs/windows-and-lateness.md)? Pure, with the
 * clock injected, so tests drive it by hand. A partition is idle once it has been caught up (an
 * end-of-partition marker at its position, or the broker's end offset confirmed) and nothing new
 * has come for `idleMs`. One quiet for `idleMs` without a marker (librdkafka gives one per
 * reaching the end, not again after a reconnect) is due a confirmation: the caller asks the broker
 * and reports the answer. While the broker is out of reach nothing counts as idle (else every
 * window would close, and the outage's events would then arrive late).
 */
interface PartitionIdleness {
  /** When it was last seen caught up with nothing new (undefined: not since its last message). */
  caughtUpSince: number | undefined;
  /** When a message last came (or the broker was last lost): the clock for confirming. */
  lastMessageAt: number;
  /** A confirmation is under way. */
  confirming: boolean;
}

export class Idleness {
  private readonly partitions = new Map<number, PartitionIdleness>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A partition just assigned: nothing known of its end yet. */
  assigned(p: number): void {
    this.partitions.set(p, { caughtUpSince: undefined, lastMessageAt: this.now(), confirming: false });
  }

  forgetAll(): void {
    this.partitions.clear();
  }

  message(p: number): void {
    const s = this.partitions.get(p);
    if (!s) return;
    s.caughtUpSince = undefined;
    s.lastMessageAt = this.now();
  }

  /** Its end was reached (an end-of-partition marker at the next offset). */
  caughtUp(p: number): void {
    const s = this.partitions.get(p);
    if (s) s.caughtUpSince ??= this.now();
  }

  /** The broker is out of reach: no partition is known to be caught up any more. */
  brokerLost(): void {
    const now = this.now();
    for (const s of this.partitions.values()) {
      s.caughtUpSince = undefined;
      s.lastMessageAt = now;
    }
  }

  /** True when the caller should ask the broker for the end offset now (and call `confirmed`). */
  confirmationDue(p: number, idleMs: number): boolean {
    const s = this.partitions.get(p);
    if (!s || s.confirming || s.caughtUpSince !== undefined || this.now() - s.lastMessageAt < idleMs)
      return false;
    s.confirming = true;
    return true;
  }

  /** The broker's answer: caught up (end ≤ next), behind (ask again later), or none (error). */
  confirmed(p: number, caughtUp: boolean | undefined): void {
    const s = this.partitions.get(p);
    if (!s) return;
    s.confirming = false;
    if (caughtUp === true) s.caughtUpSince ??= this.now();
    else if (caughtUp === false) s.lastMessageAt = this.now();
  }

  isIdle(p: number, idleMs: number): boolean {
    const s = this.partitions.get(p);
    return s?.caughtUpSince !== undefined && this.now() - s.caughtUpSince >= idleMs;
  }
}
