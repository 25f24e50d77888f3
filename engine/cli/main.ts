/** `ria`: one CLI for the stack, the producer, the engine, verification and benchmarks. */
import { existsSync } from 'node:fs';
import { redactProcessOutput } from '../config/secrets.js';
import { describeError, RiaError } from '../errors/errors.js';
import { benchCommand } from './bench-command.js';
import type { Command } from './command.js';
import { engineCommand } from './engine-command.js';
import { produceCommand } from './produce-command.js';
import { stackCommand } from './stack-command.js';
import { startCommand } from './start-command.js';
import { verifyCommand } from './verify-command.js';

const COMMANDS: Record<string, Command> = {
  stack: stackCommand,
  produce: produceCommand,
  engine: engineCommand,
  verify: verifyCommand,
  start: startCommand,
  bench: benchCommand,
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: ria <command> [options]   (ria <command> --help for its options)\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  // Whatever is printed from here on (errors from clients included) never shows a secret.
  redactProcessOutput();
  // A .env file in the working directory supplies settings; the real environment wins.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ria: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(args, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Everything durable is written by now; native clients (librdkafka) can hold the event loop
    // open for seconds while they wind down, so leave explicitly. (stdout/stderr are synchronous
    // for files and pipes on Linux: nothing printed is lost.)
    process.exit(code);
  },
  (err: unknown) => {
    // One line, whatever failed; RIA_DEBUG=1 adds the stack of an unexpected error.
    process.stderr.write(`ria: error: ${describeError(err)}\n`);
    if (process.env.RIA_DEBUG && (!(err instanceof RiaError) || err.domain === 'internal'))
      console.error(err);
    process.exit(err instanceof RiaError && err.domain === 'user' ? 2 : 1);
  },
);
