/**
 * `ria bench`: the benchmark suites (bench/), results under results/. The benchmarks need the
 * development dependencies, so the CLI never imports them: it runs dist/bench/main.js as a child
 * process where the clone has it, and says what to do where it does not (the production image).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/errors.js';
import { packageRoot } from '../shared/package-root.js';
import { type Command, wantsHelp } from './command.js';

export const benchCommand: Command = {
  summary: 'run the benchmarks (results/ gets JSON and a README; a clone with dev dependencies)',
  async run(args) {
    const root = packageRoot();
    const main = join(root, 'dist', 'bench', 'main.js');
    const installed = existsSync(main) && existsSync(join(root, 'node_modules', 'tinybench'));
    // The suites and what each measures are listed by the benchmarks themselves (bench/suites.ts).
    if (wantsHelp(args) && !installed) {
      process.stdout.write(
        'usage: ria bench [--quick] [suite...]\n\nThe benchmarks are not in this installation: in a clone, `npm ci && npx ria bench --help` lists the suites.\n',
      );
      return 0;
    }
    if (!installed)
      throw new ConfigError(
        'ria bench: the benchmarks are not in this installation (they need a clone with its dev dependencies: `npm ci && npm run bench`)',
      );
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', main, ...args], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  },
};
