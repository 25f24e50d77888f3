/**
 * CPU of a whole process tree from /proc (Linux): the process, its threads and every descendant
 * (a JVM under a Python driver, say). Used by the steady-state cost suites, where what a peer's
 * whole tree spends per second is the figure.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

interface Stat {
  pid: number;
  ppid: number;
  name: string;
  /** utime + stime, seconds. */
  cpu: number;
}

/** /proc/<path>/stat, parsed; undefined when the process or thread is gone. */
function statOf(path: string): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${path}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name sits in parentheses and may itself hold spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  // After the name: state(0) ppid(1) … utime(11) stime(12)
  return {
    pid: Number(text.slice(0, text.indexOf(' '))),
    ppid: Number(f[1]),
    name,
    cpu: (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND,
  };
}

/** The pids of `root` and all its descendants now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds used so far by the tree under `root` (threads included, exited children not). */
export function treeCpuSeconds(root: number): number {
  let sum = 0;
  for (const pid of processTree(root)) sum += statOf(String(pid))?.cpu ?? 0;
  return sum;
}

/**
 * CPU seconds per thread of one process: `main` (the thread whose id is the pid), librdkafka's
 * by name (`rdk:broker1`), Node's other threads (pool and flusher workers, V8's GC and compiler
 * helpers, libuv's pool: all named `node`) as `node#<tid>`.
 */
export function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    const s = statOf(`${pid}/task/${t}`);
    if (!s) continue;
    const label = s.pid === pid ? 'main' : s.name === 'node' ? `node#${s.pid}` : s.name;
    out[label] = (out[label] ?? 0) + s.cpu;
  }
  return out;
}

/** `after - before` per key, rounded to milliseconds, largest first. */
export function cpuDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const rows = Object.entries(after).map(
    ([k, v]) => [k, Math.round((v - (before[k] ?? 0)) * 1000) / 1000] as const,
  );
  return Object.fromEntries(rows.filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]));
}

/** The highest CPU total seen for `pid`'s tree until stop() (a tree's CPU is gone once it exits). */
export function sampleTreeCpu(pid: number): { stop(): number } {
  let last = 0;
  const timer = setInterval(() => {
    last = Math.max(last, treeCpuSeconds(pid));
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return last;
    },
  };
}

/** threadCpu(pid) per thread as last seen until stop() (threads come and go; the last reading stays). */
export function sampleThreadCpu(pid: number): { stop(): Record<string, number> } {
  const last: Record<string, number> = {};
  const timer = setInterval(() => Object.assign(last, threadCpu(pid)), 100);
  return {
    stop() {
      clearInterval(timer);
      return last;
    },
  };
}
