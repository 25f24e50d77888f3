/**
 * The chart's rules file as Helm renders it (templates/rules-configmap.yaml), with the alert
 * parameters a test chooses: the shipped rules themselves, never a copy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../../engine/shared/package-root.js';
import { helmPath } from '../../scripts/tools/paths.js';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Renders the rules with `alerts` overriding the chart's defaults; returns the file's path and its rules. */
export function renderRules(alerts: Record<string, string | number> = {}): { path: string; rules: Rule[] } {
  const chart = join(packageRoot(import.meta.url), 'deploy', 'helm', 'ria');
  const sets = Object.entries(alerts).flatMap(([k, v]) => ['--set', `alerts.${k}=${v}`]);
  const out = execFileSync(
    helmPath(),
    [
      'template',
      'ria',
      chart,
      '--kube-version',
      '1.33.0',
      '--show-only',
      'templates/rules-configmap.yaml',
      ...sets,
    ],
    { encoding: 'utf8' },
  );
  const cm = parseAllDocuments(out)[0].toJSON() as { data: Record<string, string> };
  const text = cm.data['ria-rules.yaml'];
  const dir = mkdtempSync(join(tmpdir(), 'ria-rules-'));
  const path = join(dir, 'ria-rules.yaml');
  writeFileSync(path, text);
  const groups = (parse(text) as { groups: { rules: Rule[] }[] }).groups;
  return { path, rules: groups.flatMap((g) => g.rules) };
}
