/**
 * Runs the Flink peer (bench/peers/flink/src/main/java/ria/FlinkPeer.java) in a local MiniCluster:
 * its dependencies from Maven Central (bench/peers/flink/pom.xml, `mvn dependency:copy-dependencies`)
 * and its class compiled with javac, both cached outside the repository (RIA_CACHE, default
 * ~/.cache/ria) on first use, keyed by the pom's and the source's hashes. Timed from process start
 * (the JVM and the MiniCluster included, as a user would run it) until it has written everything.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from '../machine.js';
import { timedRun, untilReady } from './peer-process.js';

export const FLINK_VERSION = '2.2.1';

const DIR = join(repoRoot(), 'bench', 'peers', 'flink');
const SOURCE = join(DIR, 'src', 'main', 'java', 'ria', 'FlinkPeer.java');

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

function mustSpawn(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: DIR });
  if (r.status !== 0)
    throw new Error(
      `${what} failed (${cmd} ${args.join(' ')}):\n${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`,
    );
}

/** The classpath of the compiled peer: its classes and its libraries. */
export function provisionFlink(): string {
  const lib = join(cacheDir(), `flink-peer-${FLINK_VERSION}-lib-${hashOf(join(DIR, 'pom.xml'))}`);
  if (!existsSync(join(lib, '.done'))) {
    process.stderr.write(
      `bench: fetching Flink ${FLINK_VERSION} and its Kafka connector into ${lib} (about 120 MB, once)\n`,
    );
    rmSync(lib, { recursive: true, force: true });
    mustSpawn(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'],
      'fetching the Flink peer’s dependencies',
    );
    mustSpawn('touch', [join(lib, '.done')], 'marking the Flink libraries');
  }
  const classes = join(cacheDir(), `flink-peer-classes-${hashOf(SOURCE)}`);
  if (!existsSync(join(classes, 'ria', 'FlinkPeer.class'))) {
    mkdirSync(classes, { recursive: true });
    mustSpawn('javac', ['-d', classes, '-cp', `${lib}/*`, SOURCE], 'compiling the Flink peer');
  }
  return `${classes}:${lib}/*`;
}

function flinkProcess(
  opts: { broker: string; topic: string; elasticsearchHost: string },
  mode: 'bounded' | 'streaming',
) {
  const classpath = provisionFlink();
  return spawn(
    'java',
    ['-cp', classpath, 'ria.FlinkPeer', opts.broker, opts.topic, opts.elasticsearchHost, mode],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** The topic as it is now, drained once: whole-run and in-job seconds, process-tree CPU. */
export async function runFlinkPeer(opts: { broker: string; topic: string; elasticsearchHost: string }) {
  provisionFlink(); // before the clock starts: the first run fetches and compiles it
  const { code, out, seconds, cpuSeconds } = await timedRun(() => flinkProcess(opts, 'bounded'));
  const line = /\{"flink_peer": .*\}/.exec(out)?.[0];
  if (code !== 0 || !line) throw new Error(`the Flink peer failed (exit ${code}):\n${out.slice(-3000)}`);
  const r = JSON.parse(line).flink_peer as { events: number; seconds_in_job: number };
  return { seconds, secondsInJob: r.seconds_in_job, cpuSeconds, events: r.events };
}

/** The Flink peer unbounded, until killed; resolves once its job runs. */
export async function startFlinkStreaming(opts: {
  broker: string;
  topic: string;
  elasticsearchHost: string;
}): Promise<ChildProcess> {
  return untilReady(flinkProcess(opts, 'streaming'), 'flink-peer: streaming', 'the Flink peer');
}
