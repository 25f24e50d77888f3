/**
 * Where the operations tools are: helm, Prometheus and promtool, each built by scripts/tools.sh with
 * `go install` and cached under ~/.cache/ria/tools like the stack's Kafka (no root).
 * RIA_HELM, RIA_PROMETHEUS and RIA_PROMTOOL override them. A missing tool is an error, not a skip.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HELM_VERSION = 'v3.22.0';
export const PROMETHEUS_VERSION = 'v0.316.0';

function found(what: string, candidates: (string | undefined)[]): string {
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error(
    `${what} not found (looked in ${candidates.filter(Boolean).join(', ')}): run \`bash scripts/tools.sh\``,
  );
}

const cache = () =>
  process.env.RIA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ria');

const prometheusDir = () => join(cache(), 'tools', `prometheus-${PROMETHEUS_VERSION}`);

export function helmPath(): string {
  return found('helm', [process.env.RIA_HELM, join(cache(), 'tools', `helm-${HELM_VERSION}`, 'helm')]);
}

export function prometheusPath(): string {
  return found('prometheus', [process.env.RIA_PROMETHEUS, join(prometheusDir(), 'prometheus')]);
}

export function promtoolPath(): string {
  return found('promtool', [process.env.RIA_PROMTOOL, join(prometheusDir(), 'promtool')]);
}
