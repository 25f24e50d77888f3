/** Runs `ria …` as a child process (as a user would) and collects its output. */

import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSummaryLine } from '../../engine/cli/engine-command.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { repoRoot } from '../machine.js';

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string }>;
}

/**
 * `nodeArgs` go to node itself (`--cpu-prof`, which NODE_OPTIONS does not take); `root`: another
 * build's clone (bench/cost/funnel-cost.ts runs the one before a change beside this one).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: string[] = [],
  root = repoRoot(),
): CliRun {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin', 'ria.js'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
  return { child, done };
}

export async function mustRun(args: string[], root?: string): Promise<string> {
  const r = await runCli(args, process.env, [], root).done;
  if (r.code !== 0) throw new Error(`ria ${args.join(' ')} failed (${r.code}):\n${r.out.slice(-2000)}`);
  return r.out;
}

/** The `engine-summary {…}` line of an engine run. */
export function engineSummary(out: string): EngineSummaryLine {
  const line = out.split('\n').find((l) => l.startsWith('engine-summary '));
  if (!line) throw new Error(`no engine summary in:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice('engine-summary '.length)) as EngineSummaryLine;
}

/** Deletes the three aggregate indices (the engine recreates them from the templates). */
export async function resetIndices(): Promise<void> {
  const host = process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200';
  await fetch(`${host}/${AGG_INDICES.join(',')}?ignore_unavailable=true`, { method: 'DELETE' });
}

/**
 * A new topic (6 partitions, through `ria stack up kafka`) preloaded with `events` producer events
 * as fast as they go; the producer's truth file beside it. Returns the producer's summary line.
 */
export async function preloadedTopic(
  prefix: string,
  events: number,
  produceArgs: string[] = [],
): Promise<{ topic: string; truth: string; produced: string }> {
  const topic = `${prefix}-${Date.now().toString(36)}`;
  const truth = join(tmpdir(), `${topic}.truth.json`);
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  const produced = await mustRun([
    'produce',
    '--kafka-topic',
    topic,
    '--rate',
    '0',
    '--count',
    String(events),
    '--truth',
    truth,
    '--quiet',
    ...produceArgs,
  ]);
  return { topic, truth, produced };
}
