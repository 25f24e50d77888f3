/**
 * A peer system's process, as the benchmarks run it: timed from spawn to exit with its process
 * tree's CPU and everything it printed (a catch-up), or handed back once it says it is running
 * (the cost suite at a steady rate).
 */
import type { ChildProcess } from 'node:child_process';
import { sampleTreeCpu } from '../shared/process-cpu.js';

/** Spawns (the clock starts first), waits for the exit: its code, output, wall seconds and CPU. */
export async function timedRun(spawnIt: () => ChildProcess) {
  const t0 = performance.now();
  const child = spawnIt();
  const cpu = sampleTreeCpu(child.pid!);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu.stop() };
}

/** Resolves with `child` once its output holds `marker`; rejects (naming `who`) if it exits first. */
export function untilReady(child: ChildProcess, marker: string, who: string): Promise<ChildProcess> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(marker)) resolve(child);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`${who} stopped (exit ${code}):\n${out.slice(-3000)}`)));
  });
}
