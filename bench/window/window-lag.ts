/**
 * Memory of open windows when one partition lags (issue "bad input and bad neighbours", point 5):
 * six partitions, 1,000,000 items; five partitions deliver events "now", the sixth keeps
 * delivering events 10 minutes of event time behind (not idle, so the watermark waits for it):
 * about 600 windows stay open. The flusher's state is driven directly with the deltas the pool
 * would send (no broker: the state is what holds the memory), in a child process per rate so that
 * its peak RSS is its own. The old design's cost is exact arithmetic: one dense 4-byte count per
 * known item per open window.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { noFunnel } from '../../engine/shared/batch-funnel.js';
import type { BatchDelta } from '../../engine/shared/messages.js';
import { AggregateState } from '../../engine/window/aggregate-state.js';

const ITEMS = 1_000_000;
const LAG_S = 600;
const PARTITIONS = 6;

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** One second of one partition's events as a pool delta: `n` events over random items. */
function secondOf(
  partition: number,
  second: number,
  n: number,
  rng: () => number,
  ids: string[],
): BatchDelta {
  const counts = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rng() * ITEMS);
    counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  const items = [...counts.keys()];
  const c = Uint32Array.from(items, (i) => counts.get(i)!);
  return {
    ...noFunnel(),
    partition,
    nextOffset: 0,
    partitionMax: second * 1000 + 999,
    valid: n,
    late: 0,
    itemIds: items.map((i) => ids[i]),
    itemCounts: c,
    windowItem: Uint32Array.from(items, (_, k) => k),
    windowIndex: new Float64Array(items.length).fill(second),
    windowCount: c,
    userIds: [],
    userCounts: new Uint32Array(0),
    invalidIndex: new Int32Array(0),
    invalidReasons: [],
    invalidValues: new Uint8Array(0),
    invalidEnds: new Int32Array(0),
    invalidOffsets: new Float64Array(0),
    sampledTimes: new Float64Array(0),
    workerNs: 0,
  };
}

/** The child: runs one rate and prints its figures as JSON. */
function child(rate: number, seconds: number): void {
  let seed = 42;
  const rng = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const ids = Array.from({ length: ITEMS }, (_, i) => `SKU-${String(i).padStart(7, '0')}`);
  const state = new AggregateState(1000);
  for (const id of ids) state.internItem(id); // every item known: the dense windows' worst case
  const perPartition = Math.round(rate / PARTITIONS);
  let peakOpen = 0;
  let peakWindowBytes = 0;
  const t0 = performance.now();
  for (let s = LAG_S; s < LAG_S + seconds; s++) {
    for (let p = 0; p < PARTITIONS - 1; p++) state.apply(secondOf(p, s, perPartition, rng, ids));
    const slow = s - LAG_S;
    state.apply(secondOf(PARTITIONS - 1, slow, perPartition, rng, ids));
    // Watermark: the slow partition's maximum − allowed lateness (2 s).
    state.closeWindows(slow * 1000 + 999 - 2000);
    state.takeDirty();
    if (state.open.size >= peakOpen) {
      peakOpen = state.open.size;
      let bytes = 0;
      for (const w of state.open.values()) bytes += w.bytes;
      peakWindowBytes = Math.max(peakWindowBytes, bytes);
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      rate,
      items: ITEMS,
      lagSeconds: LAG_S,
      eventSeconds: seconds,
      peakOpenWindows: peakOpen,
      windowMiB: peakWindowBytes / 2 ** 20,
      denseWindowMiB: (peakOpen * ITEMS * 4) / 2 ** 20,
      peakRssMiB: peakRssMiB(),
      seconds: (performance.now() - t0) / 1000,
    })}\n`,
  );
}

export async function windowLag(quick: boolean) {
  const self = fileURLToPath(import.meta.url);
  const seconds = quick ? LAG_S + 20 : LAG_S + 100;
  return [5_000, 50_000].map((rate) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--max-old-space-size=8192', self, 'child', String(rate), String(seconds)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      ),
    ),
  );
}

if (process.argv[2] === 'child') child(Number(process.argv[3]), Number(process.argv[4]));
