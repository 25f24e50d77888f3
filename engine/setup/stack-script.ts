/** Runs scripts/stack.sh, the provisioner of the local Kafka and Elasticsearch. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** scripts/stack.sh, found from this file both in engine/ (tests) and in dist/engine/ (the CLI). */
export function stackScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/engine/')
    ? here.slice(0, here.indexOf('/dist/engine/'))
    : here.slice(0, here.indexOf('/engine/'));
  return `${root}/scripts/stack.sh`;
}

export function runStackScript(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [stackScriptPath(), ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
