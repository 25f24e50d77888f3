/** Runs scripts/stack.sh, the provisioner of the local Kafka and Elasticsearch. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../shared/package-root.js';

/** scripts/stack.sh of this package (from engine/ in tests, dist/engine/ in the CLI). */
export function stackScriptPath(): string {
  return join(packageRoot(), 'scripts', 'stack.sh');
}

/** `quiet`: its output is not shown (a status asked only for its exit code). */
export function runStackScript(args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [stackScriptPath(), ...args], { stdio: quiet ? 'ignore' : 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
