/**
 * Who works and who waits during a run: every INTERVAL, each thread's CPU share of that interval
 * (from /proc/<pid>/task/<tid>/stat) and the whole machine's busy share (/proc/stat, us+sy as
 * vmstat counts it — Kafka and Elasticsearch included, they share the cores). The engine names
 * its threads (engine/shared/thread-name.ts): `ria-pool`, `ria-flusher`; librdkafka names its own.
 *
 * A thread's figure is in /proc's ticks (10 ms), so intervals are a few hundred ms.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_S = 0.01;

export interface ThreadTimeline {
  intervalMs: number;
  /** The machine's busy share (0–1) per interval. */
  machine: number[];
  /** Per thread (or group of Node's unnamed helpers): its busy share of one core per interval. */
  threads: { name: string; busy: number[] }[];
}

/** utime+stime ticks per thread label; the main thread is `main`, Node's helpers one `node (V8, libuv)`. */
function ticksOf(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const label =
      tid === String(pid)
        ? 'main'
        : name === 'ria-pool'
          ? `ria-pool#${tid}`
          : name === 'node'
            ? 'node (V8, libuv)'
            : name;
    out.set(label, (out.get(label) ?? 0) + ticks);
  }
  return out;
}

function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  return { busy: total - f[3] - f[4], total };
}

/** Samples `pid` until stop(); the result holds only threads that worked. */
export function sampleThreads(pid: number, intervalMs = 250): { stop(): ThreadTimeline } {
  const rows = new Map<string, number[]>();
  const machine: number[] = [];
  let prev = ticksOf(pid);
  let prevMachine = machineTicks();
  let n = 0;
  const timer = setInterval(() => {
    const now = ticksOf(pid);
    const m = machineTicks();
    machine.push((m.busy - prevMachine.busy) / Math.max(1, m.total - prevMachine.total));
    for (const [label, t] of now) {
      const row = rows.get(label) ?? new Array<number>(n).fill(0);
      // A label whose thread ended (Node's helpers come and go) must not go below zero.
      row.push(Math.max(0, ((t - (prev.get(label) ?? t)) * TICK_S) / (intervalMs / 1000)));
      rows.set(label, row);
    }
    for (const row of rows.values()) if (row.length === n) row.push(0);
    prev = now;
    prevMachine = m;
    n++;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const threads = [...rows]
        .filter(([, busy]) => busy.reduce((a, b) => a + b, 0) * intervalMs >= 100)
        .map(([name, busy]) => ({ name, busy: busy.map((b) => Math.round(b * 100) / 100) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { intervalMs, machine: machine.map((b) => Math.round(b * 100) / 100), threads };
    },
  };
}

/**
 * The drain: from the first to the last interval where a pool worker counted (above 10 % of a
 * core) — stalls in between included, they are what the figure is for.
 */
export function drainSpan(t: ThreadTimeline): { from: number; to: number } {
  const working = (i: number) => t.threads.some((r) => r.name.startsWith('ria-pool') && r.busy[i] > 0.1);
  let from = 0;
  while (from < t.machine.length && !working(from)) from++;
  let to = t.machine.length - 1;
  while (to > from && !working(to)) to--;
  return { from, to };
}

/** The machine's mean busy share over the drain (vmstat's us+sy). */
export function drainBusy(t: ThreadTimeline): number {
  const { from, to } = drainSpan(t);
  const span = t.machine.slice(from, to + 1);
  return span.length ? span.reduce((a, b) => a + b, 0) / span.length : 0;
}
