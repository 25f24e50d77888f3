/**
 * `npm start` stopped with Ctrl-C as a terminal does it: SIGINT to the whole foreground process
 * group (here `ria start` in a group of its own, as a shell's job). Everything stops gracefully —
 * the engine finishes its flush — and it exits 0; a stack that was up before stays up. Before
 * the fix the engine got the terminal's SIGINT and then the forwarded SIGTERM, took the second as
 * "stop at once" and exited 143.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStackScript } from '../../engine/setup/stack-script.js';
import { freePort, newTopic, requireServices } from './helpers.js';
import { metricOf } from './live-run.js';

const cli = new URL('../../bin/ria.js', import.meta.url).pathname;

describe('ria start (npm start) and Ctrl-C', () => {
  beforeAll(requireServices);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('stops everything gracefully and exits 0 when the terminal sends SIGINT to the group', async () => {
    const { topic, checkpoint } = await newTopic('ria-start');
    dirs.push(checkpoint);
    const port = await freePort();
    const start = spawn(process.execPath, [cli, 'start'], {
      detached: true, // a process group of its own, like a shell job
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        KAFKA_TOPIC: topic,
        CHECKPOINT_DIR: checkpoint,
        DASHBOARD_PORT: String(port),
        EVENT_RATE: '2000',
      },
    });
    let out = '';
    start.stdout.on('data', (d) => (out += d));
    start.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => start.on('exit', (code) => resolve(code)));
    // Progress first: the engine has had a flush acknowledged (its /metrics count one).
    const deadline = Date.now() + 120_000;
    while (!((await metricOf(port, 'ria_flushes_total')) > 0)) {
      if (Date.now() > deadline || start.exitCode !== null)
        throw new Error(`no flush from ria start:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    process.kill(-start.pid!, 'SIGINT');
    const code = await exited;
    expect(code, out).toBe(0);
    expect(out).toMatch(/\[engine\] engine: SIGTERM: finishing the current flush/);
    expect(out).not.toMatch(/again: stopping at once|exited with/);
    // The stack was up before `ria start`: it stays up, both services.
    expect(await runStackScript(['status'], process.env, true)).toBe(0);
  });
});
