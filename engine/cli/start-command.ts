/**
 * `ria start` (`npm start`): the whole pipeline on the local stack — stack up (topics, templates),
 * the producer at EVENT_RATE and the engine, each a child process with its own output prefixed.
 * Ctrl-C stops everything cleanly and exits 0: the children run in process groups of their own,
 * so the terminal's SIGINT reaches only this process, which asks each child once (the engine
 * finishes its flush; a second Ctrl-C is passed on as the engine's "stop at once"), then stops
 * the stack if this run started it. The stack's services run in sessions of their own
 * (scripts/stack.sh), out of the terminal's reach.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runStackScript } from '../setup/stack-script.js';
import { type Command, wantsHelp } from './command.js';
import { stackCommand } from './stack-command.js';

const cli = fileURLToPath(new URL('../../../bin/ria.js', import.meta.url));

const LOCAL_REGISTRY = 'http://127.0.0.1:8081/apis/ccompat/v7';

function child(name: string, args: string[], env: NodeJS.ProcessEnv) {
  // detached: its own process group, so a terminal's Ctrl-C is not delivered to it a second time.
  const p = spawn(process.execPath, [cli, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  p.stdout.on('data', (d: Buffer) => process.stdout.write(prefix(d)));
  p.stderr.on('data', (d: Buffer) => process.stderr.write(prefix(d)));
  // 'close': the process has exited and its output is all read (an 'exit' may come before the last lines).
  const exited = new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? 1)));
  return { p, exited };
}

export const startCommand: Command = {
  summary: 'the whole pipeline on the local stack: stack up, producer at EVENT_RATE, engine',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(
        'usage: ria start\n\nRuns `ria stack up`, then `ria produce` (EVENT_RATE events/s, default 5000) and `ria engine`\nwith the settings of the environment / .env. Ctrl-C stops both cleanly.\n',
      );
      return 0;
    }
    // The local stack's registry (unless one is configured) and the changelog topics: Avro topics
    // and Kafka Connect sinks work out of the box.
    env = { SCHEMA_REGISTRY_URL: LOCAL_REGISTRY, CHANGELOG_TOPICS: 'true', ...env };
    const wasUp = (await runStackScript(['status'], env, true)) === 0;
    const up = await stackCommand.run(['up'], env);
    if (up !== 0) return up;
    const engine = child('engine', ['engine'], env);
    const producer = child('produce', ['produce'], env);
    const dashboard = `http://${env.DASHBOARD_HOST ?? '127.0.0.1'}:${env.DASHBOARD_PORT ?? '8080'}/`;
    process.stdout.write(
      `start: producing to ${env.KAFKA_TOPIC ?? 'user_interactions'} at ${env.EVENT_RATE ?? '5000'} events/s, aggregating into ${env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200'}\nstart: dashboard ${dashboard} (metrics ${dashboard}metrics); Ctrl-C to stop\n`,
    );
    // Each signal is passed on once to each child still running: the first asks for a graceful
    // stop, a second one (Ctrl-C again) for the engine's immediate stop. One child ending asks
    // the other to stop, unless a signal already did.
    let asked = false;
    const stop = () => {
      asked = true;
      if (producer.p.exitCode === null) producer.p.kill('SIGINT');
      if (engine.p.exitCode === null) engine.p.kill('SIGTERM');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const first = await Promise.race([
      engine.exited.then((c) => ['engine', c] as const),
      producer.exited.then((c) => ['produce', c] as const),
    ]);
    if (first[1] !== 0) process.stderr.write(`start: ${first[0]} exited with ${first[1]}; stopping\n`);
    if (!asked) stop();
    const [e, p] = await Promise.all([engine.exited, producer.exited]);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // What this run started, it stops (a stack that was already up stays up).
    const down = wasUp ? 0 : await stackCommand.run(['down'], env);
    return e === 0 && p === 0 && down === 0 ? 0 : 1;
  },
};
