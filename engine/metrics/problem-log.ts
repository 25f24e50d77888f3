/**
 * The engine's log of retried problems, readable under any failure: the first line of a kind is
 * written at once; repeats within the interval are only counted, and when the interval ends one
 * line says how many there were. A kind is the line with its numbers taken out (or a key the
 * caller gives), so "refused 3 documents" and "refused 5 documents" are one kind.
 */
export const PROBLEM_LOG_INTERVAL_MS = 10_000;

interface Repeats {
  /** Occurrences since the first line of the interval (not yet written). */
  count: number;
  /** Sum of the callers' counts (documents, messages) over those occurrences. */
  total: number;
  last: (total: number) => string;
}

export class ProblemLog {
  private readonly seen = new Map<string, Repeats>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = PROBLEM_LOG_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  /** A plain line: repeats of the same line (numbers aside) are counted, not written. */
  line(message: string): void {
    this.report(message.replace(/\d+/g, '#'), 1, () => message);
  }

  /**
   * An occurrence of kind `key` covering `count` things (say, documents); `describe(n)` renders a
   * line for n of them: written at once the first time in an interval, summed afterwards.
   */
  report(key: string, count: number, describe: (count: number) => string): void {
    const r = this.seen.get(key);
    if (!r) {
      this.seen.set(key, { count: 0, total: 0, last: describe });
      this.write(describe(count));
      return;
    }
    r.count++;
    r.total += count;
    r.last = describe;
  }

  /** Writes one line per kind that repeated in the interval, and starts a new interval. */
  flush(): void {
    const seconds = Math.round(this.intervalMs / 1000);
    for (const [key, r] of this.seen) {
      if (r.count === 0) {
        this.seen.delete(key);
        continue;
      }
      this.write(`${r.last(r.total)} (${r.count} more like it in the last ${seconds} s)`);
      r.count = 0;
      r.total = 0;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
