/**
 * Open sessions' memory and the cost of closing them (issue 22: bounded by the sessions open at
 * once, measured with 1 M): SessionState driven directly — 1,000,000 sessions of UUID ids over 6
 * partitions, each with two spans' worth of events, then the watermark passes half of them, then
 * all. Bytes per open session from the heap and array buffers (after a GC when node runs with
 * --expose-gc, as `npm run bench` does), and the time of one close() over all open slots.
 */
import { randomUUID } from 'node:crypto';
import { idHash } from '../../engine/shared/id-table.js';
import { SessionState } from '../../engine/window/session-state.js';

const GAP = 30 * 60_000;
const T0 = Date.UTC(2026, 0, 1);

function used(): number {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export async function sessionMemory(quick: boolean) {
  const n = quick ? 100_000 : 1_000_000;
  const before = used();
  let s: SessionState | undefined = new SessionState(GAP);
  // Ids as the worker sends them: UTF-8 bytes with their hash (the state keeps its own copy).
  const b = new Uint8Array(36);
  for (let i = 0; i < n; i++) {
    const t = T0 + i;
    b.set(Buffer.from(randomUUID(), 'latin1'));
    const h = idHash(b, 0, 36);
    s.add(i % 6, b, 0, 36, h, t, t + 5000, i % 7 === 0);
    s.add(i % 6, b, 0, 36, h, t + 10_000, t + 20_000, false);
  }
  s.takeDirty();
  const open = used();
  const max = (t: number) => Object.fromEntries([0, 1, 2, 3, 4, 5].map((p) => [p, t]));
  // A watermark at the median session's end + gap: half close. The scan covers every open slot.
  let t0 = performance.now();
  const closedHalf = s.close(max(T0 + n / 2 + 20_000 + GAP), 0);
  const halfMs = performance.now() - t0;
  s.takeDirty();
  const half = used();
  t0 = performance.now();
  const closedRest = s.close(max(T0 + n + 20_000 + GAP), 0);
  const restMs = performance.now() - t0;
  s.takeDirty();
  const none = used();
  const counted = { closed: s.closed, purchasing: s.purchasing, open: s.open };
  s = undefined;
  const released = used();
  return {
    sessions: n,
    gcExposed: typeof globalThis.gc === 'function',
    bytesPerOpenSession: (open - before) / n,
    megabytes: {
      open: (open - before) / 2 ** 20,
      halfClosed: (half - before) / 2 ** 20,
      allClosed: (none - before) / 2 ** 20,
      dropped: (released - before) / 2 ** 20,
    },
    closeMs: { firstHalf: halfMs, rest: restMs },
    closed: { firstHalf: closedHalf, rest: closedRest },
    counted,
  };
}
