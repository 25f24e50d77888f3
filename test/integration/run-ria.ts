/** Runs the `ria` CLI as a child process, as a user would. */
import { type ChildProcess, spawn } from 'node:child_process';

const cli = new URL('../../bin/ria.js', import.meta.url).pathname;

/** `env` is added to this process's environment; `wrap` runs it under another command (e.g. `unshare`). */
export function ria(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrap: string[] = [],
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; out: string }>;
  /** What it has printed so far (stdout and stderr). */
  output: () => string;
} {
  const command = [...wrap, process.execPath, cli, ...args];
  const child = spawn(command[0], command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done, output: () => out };
}

/** `ria engine` on `topic` with its own checkpoint directory, and more options. */
export function riaEngine(topic: string, checkpoint: string, ...more: string[]): ReturnType<typeof ria> {
  return ria(['engine', '--kafka-topic', topic, '--checkpoint-dir', checkpoint, ...more]);
}

/** `ria produce` into `topic`, quietly, with more options. */
export function riaProduce(topic: string, ...more: string[]): ReturnType<typeof ria> {
  return ria(['produce', '--kafka-topic', topic, '--quiet', ...more]);
}

/** `ria engine` without HTTP or status lines until drained, flushed and idle (exit 0). */
export function riaDrain(topic: string, checkpoint: string, ...more: string[]): ReturnType<typeof ria> {
  return riaEngine(topic, checkpoint, ...QUIET, '--exit-when-idle', '--idle-timeout-ms', '500', ...more);
}

/** No dashboard, no status lines. */
export const QUIET = ['--dashboard-port', '0', '--status-interval-ms', '0'];
