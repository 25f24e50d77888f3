/**
 * What the funnel, revenue and sessions cost (issue goals: at 5,000 events/s CPU at most +10 %
 * and flush p99 at most +10 ms; catch-up CPU per event at most +10 %): this build beside the build
 * just before them (BASELINE_COMMIT), in one run, alternating, on the same topics. The baseline is
 * checked out and compiled once into the cache (it shares this clone's node_modules).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineSummary, preloadedTopic, resetIndices, runCli } from '../engine/run-cli.js';
import { cacheDir, median, repoRoot } from '../machine.js';
import { sampleThreadCpu } from '../shared/process-cpu.js';
import { ABLATIONS, ablatedRoot } from './ablation-builds.js';
import { profiledRun, steadyCase } from './engine-steady-cost.js';
import { grewMost } from './profile-summary.js';

/** The last commit before the funnel and sessions (issue 22). */
export const BASELINE_COMMIT = '67ed09a';

/**
 * The one setting this build changed since the baseline that is not the funnel's (issue 23's
 * fetch backoff, engine/source/fetch-settings.ts): given to the baseline too, so that the
 * difference measured is the funnel and sessions alone.
 */
export const BASELINE_SETTINGS = ['--rdkafka', 'fetch.queue.backoff.ms=10'];

/**
 * The baseline's pool workers and flusher named as this build names its own (engine/shared/
 * thread-name.ts; one line prepended to each thread's entry file, nothing else changed), so that
 * the CPU per thread compares.
 */
function nameBaselineThreads(dir: string): void {
  for (const [file, name] of [
    ['pool/worker.js', 'ria-pool'],
    ['flusher/flusher-thread.js', 'ria-flusher'],
  ]) {
    const path = join(dir, 'dist', 'engine', file);
    const text = readFileSync(path, 'utf8');
    const line = `import { writeFileSync as nameThread } from 'node:fs'; try { nameThread('/proc/thread-self/comm', '${name}'); } catch {}\n`;
    if (!text.startsWith(line)) writeFileSync(path, line + text);
  }
}

/** A compiled checkout of BASELINE_COMMIT; its root (bin/ria.js runs it). */
export function baselineRoot(): string {
  const dir = join(cacheDir(), 'baseline', BASELINE_COMMIT);
  if (existsSync(join(dir, 'dist', 'engine', 'cli', 'main.js'))) {
    nameBaselineThreads(dir);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const root = repoRoot();
  const archive = execFileSync('git', ['-C', root, 'archive', BASELINE_COMMIT], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  nameBaselineThreads(dir);
  return dir;
}

/** Threads by role: the pool workers, the flusher, the main thread, librdkafka's, and Node's helpers (GC, compiler, libuv). */
function roleOf(label: string): string {
  if (label === 'main' || label === 'ria-pool' || label === 'ria-flusher') return label;
  return label.startsWith('rdk:') ? 'librdkafka' : 'helpers';
}

/** CPU seconds per role, from CPU seconds per thread. */
function byRole(threads: Record<string, number>): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const [label, cpu] of Object.entries(threads))
    roles[roleOf(label)] = (roles[roleOf(label)] ?? 0) + cpu;
  return roles;
}

/** One drain of a preloaded topic by one build (undefined: this one): CPU per event, rate, whether exact. */
export async function drain(topic: string, truth: string, root: string | undefined, tag: string) {
  await resetIndices();
  const checkpoint = join(tmpdir(), `${topic}.ckpt.${tag}`);
  const run = runCli(
    [
      'engine',
      '--kafka-topic',
      topic,
      '--checkpoint-dir',
      checkpoint,
      '--exit-when-idle',
      '--idle-timeout-ms',
      '500',
      '--status-interval-ms',
      '0',
      '--dashboard-port',
      '0',
      '--consumer-group',
      `${topic}-${tag}`,
      ...(root ? BASELINE_SETTINGS : []),
    ],
    process.env,
    [],
    root,
  );
  const threads = sampleThreadCpu(run.child.pid!);
  const { code, out } = await run.done;
  const cpuByRole = byRole(threads.stop());
  if (code !== 0) throw new Error(`engine drain failed (${code}):\n${out.slice(-2000)}`);
  rmSync(checkpoint, { recursive: true, force: true });
  const s = engineSummary(out);
  const events = s.valid + s.invalid;
  // The baseline reads another truth format: only this build's output is verified.
  const verified = root ? { code: 0 } : await runCli(['verify', '--truth', truth]).done;
  return {
    cpuMicrosPerEvent: (s.cpuSeconds / events) * 1e6,
    /** Per thread role (threads sampled from /proc every 100 ms). */
    cpuMicrosPerEventByThread: Object.fromEntries(
      Object.entries(cpuByRole).map(([role, cpu]) => [role, (cpu / events) * 1e6]),
    ),
    eventsPerSecond: events / Math.max(0.001, s.seconds - 0.5),
    exact: verified.code === 0,
  };
}

/**
 * One steady case at 5,000 events/s over 10,000 users, started again once if the engine did not
 * get ready (seen once: the baseline stopped on "Unknown partition" just after its new topic was
 * made): a 25-minute rotation should not be lost to one start.
 */
async function steadyOnce(warmupS: number, windowS: number, extra: string[] = [], root?: string) {
  try {
    return await steadyCase(5000, 10_000, warmupS, windowS, extra, root);
  } catch (e) {
    console.error(`funnel-cost: a steady run started again: ${String(e).split('\n').slice(0, 4).join(' ')}`);
    return steadyCase(5000, 10_000, warmupS, windowS, extra, root);
  }
}

export async function funnelCost(quick: boolean) {
  const baseline = baselineRoot();
  const repeats = quick ? 1 : 3;
  const warmupS = quick ? 5 : 10;
  const windowS = quick ? 15 : 45;
  const steady: {
    before: Awaited<ReturnType<typeof steadyCase>>[];
    after: Awaited<ReturnType<typeof steadyCase>>[];
  } = {
    before: [],
    after: [],
  };
  // What each part costs: this build with it taken out (ablation-builds.ts), in the same rotation.
  const ablations = ABLATIONS.map((a) => ({
    name: a.name,
    what: a.what,
    root: ablatedRoot(a),
    steady: [] as Awaited<ReturnType<typeof steadyCase>>[],
    catchUp: [] as Awaited<ReturnType<typeof drain>>[],
  }));
  for (let r = 0; r < repeats; r++) {
    steady.before.push(await steadyOnce(warmupS, windowS, BASELINE_SETTINGS, baseline));
    steady.after.push(await steadyOnce(warmupS, windowS));
    for (const a of ablations) a.steady.push(await steadyOnce(warmupS, windowS, [], a.root));
  }
  const events = quick ? 300_000 : 2_000_000;
  const { topic, truth } = await preloadedTopic('ria-bench-funnel', events);
  const catchUp: { before: Awaited<ReturnType<typeof drain>>[]; after: Awaited<ReturnType<typeof drain>>[] } =
    {
      before: [],
      after: [],
    };
  for (let r = 0; r < repeats; r++) {
    catchUp.before.push(await drain(topic, truth, baseline, `b${r}`));
    catchUp.after.push(await drain(topic, truth, undefined, `a${r}`));
    for (const a of ablations) a.catchUp.push(await drain(topic, truth, a.root, `${a.name}-${r}`));
  }
  // Where the extra goes: both builds at 5,000 events/s under --cpu-prof, what grew most.
  const profileS = quick ? 15 : 45;
  const grew = grewMost(
    await profiledRun(profileS, BASELINE_SETTINGS, baseline),
    await profiledRun(profileS),
  );
  const m = (xs: number[]) => median(xs);
  const cpu = {
    before: m(steady.before.map((x) => x.cpuPercentOfCore)),
    after: m(steady.after.map((x) => x.cpuPercentOfCore)),
  };
  const flushP99 = {
    before: m(steady.before.map((x) => x.flushCycle.p99?.ms ?? Number.NaN)),
    after: m(steady.after.map((x) => x.flushCycle.p99?.ms ?? Number.NaN)),
  };
  const perEvent = {
    before: m(catchUp.before.map((x) => x.cpuMicrosPerEvent)),
    after: m(catchUp.after.map((x) => x.cpuMicrosPerEvent)),
  };
  return {
    baselineCommit: BASELINE_COMMIT,
    baselineSettings: BASELINE_SETTINGS,
    goals: { steadyCpuIncreasePercent: 10, flushP99IncreaseMs: 10, catchUpCpuPerEventIncreasePercent: 10 },
    steady,
    catchUp,
    events,
    /** This build with one part taken out: what that part costs (same rotation, not verified). */
    ablations: ablations.map(({ root: _root, ...a }) => {
      const cpuA = m(a.steady.map((x) => x.cpuPercentOfCore));
      const perEventA = m(a.catchUp.map((x) => x.cpuMicrosPerEvent));
      return {
        ...a,
        summary: {
          steadyCpuPercentOfCore: cpuA,
          steadyCpuIncreasePercent: (cpuA / cpu.before - 1) * 100,
          flushP99Ms: m(a.steady.map((x) => x.flushCycle.p99?.ms ?? Number.NaN)),
          catchUpCpuMicrosPerEvent: perEventA,
          catchUpCpuPerEventIncreasePercent: (perEventA / perEvent.before - 1) * 100,
        },
      };
    }),
    /** Self time (ms) per thread and function under --cpu-prof, one pass of each build: what grew most. */
    profile: { seconds: profileS, grew },
    summary: {
      steadyCpuPercentOfCore: cpu,
      steadyCpuIncreasePercent: (cpu.after / cpu.before - 1) * 100,
      flushP99Ms: flushP99,
      flushP99IncreaseMs: flushP99.after - flushP99.before,
      catchUpCpuMicrosPerEvent: perEvent,
      catchUpCpuPerEventIncreasePercent: (perEvent.after / perEvent.before - 1) * 100,
      exact: steady.after.every((x) => x.exact) && catchUp.after.every((x) => x.exact),
    },
  };
}
