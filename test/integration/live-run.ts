/**
 * A live run for the fault tests: the engine and the producer run while a fault is injected, then
 * a last engine pass drains and flushes everything and `verify` compares the indices with the
 * producer's truth (exact equality).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { expect } from 'vitest';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { freePort, newTopic } from './helpers.js';
import { ria } from './run-ria.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LiveRun {
  topic: string;
  truth: string;
  checkpoint: string;
  engineArgs: string[];
  /** The engine's dashboard and /metrics port. */
  port: number;
}

export async function setup(name: string, extraEngineArgs: string[] = []): Promise<LiveRun> {
  const { topic, truth, checkpoint } = await newTopic(name);
  const port = await freePort();
  const engineArgs = [
    'engine',
    '--kafka-topic',
    topic,
    '--checkpoint-dir',
    checkpoint,
    '--dashboard-port',
    String(port),
    '--status-interval-ms',
    '1000',
    ...extraEngineArgs,
  ];
  return { topic, truth, checkpoint, engineArgs, port };
}

/** The engine and the producer run live while `fault` happens; then the engine is stopped cleanly. */
export async function liveRunWith(
  run: LiveRun,
  rate: number,
  count: number,
  fault: (engine: ChildProcess) => Promise<void>,
): Promise<string> {
  const engine = ria(run.engineArgs);
  const producer = ria([
    'produce',
    '--kafka-topic',
    run.topic,
    '--rate',
    String(rate),
    '--count',
    String(count),
    '--invalid-share',
    '0.01',
    '--truth',
    run.truth,
    '--quiet',
  ]);
  // Inject the fault once the engine has made a flush durable (it is up and running).
  const deadline = Date.now() + 60_000;
  while (
    !existsSync(join(run.checkpoint, 'checkpoint.log')) ||
    statSync(join(run.checkpoint, 'checkpoint.log')).size < 2000
  ) {
    if (Date.now() > deadline)
      throw new Error(`the engine made no checkpoint within 60 s; it said:\n${engine.output().slice(-3000)}`);
    await sleep(200);
  }
  await sleep(1000);
  await fault(engine.child);
  const produced = await producer.done;
  expect(produced.code, produced.out).toBe(0);
  await sleep(5000);
  engine.child.kill('SIGTERM');
  const stopped = await engine.done;
  expect(stopped.code, stopped.out.slice(-3000)).toBe(0);
  return stopped.out;
}

/** After the live engine is stopped: a last pass that drains, closes every window and flushes; then verify. */
export async function finishAndVerify(es: Client, run: LiveRun): Promise<void> {
  const final = await ria([...run.engineArgs, '--exit-when-idle', '--idle-timeout-ms', '1000']).done;
  expect(final.code, final.out.slice(-3000)).toBe(0);
  const r = await verify(es, readTruth(run.truth));
  expect(r.differences).toEqual([]);
  rmSync(run.checkpoint, { recursive: true, force: true });
}

/** One series of the engine's /metrics (summed over its labels); NaN when it cannot be read. */
export async function metricOf(port: number, name: string): Promise<number> {
  try {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) })
    ).text();
    let sum = Number.NaN;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || !/^[\w:]+(\{| )/.test(line) || line.split(/[{ ]/)[0] !== name) continue;
      sum = (Number.isNaN(sum) ? 0 : sum) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  } catch {
    return Number.NaN;
  }
}
