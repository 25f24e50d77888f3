/**
 * Names the calling thread for the operating system (Linux: /proc/thread-self/comm, 15 bytes),
 * so that `top -H`, `ps -L` and the benchmarks' per-thread timelines tell the pool workers and
 * the flusher apart from Node's other threads, all called `node`. Best effort: elsewhere, or
 * where /proc is read-only, the thread keeps its name.
 */
import { writeFileSync } from 'node:fs';

export function nameThisThread(name: string): void {
  if (process.platform !== 'linux') return;
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // Only a label: nothing depends on it.
  }
}
