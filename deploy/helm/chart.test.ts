/**
 * The Helm chart, checked with the real `helm` (scripts/tools.sh builds it with `go install` and
 * caches it; the test fails, never skips, without it): `helm lint --strict` and `helm template` for
 * each profile in deploy/helm/ria/ci/, every rendered object validated offline against the
 * Kubernetes API schemas of kubernetes-models 5.1.0 (and @kubernetes-models/prometheus-operator
 * for the ServiceMonitor and PrometheusRule) — at run time (required fields, formats) and strictly
 * (an unknown field anywhere is a TypeScript excess-property error) — and assertions on what matters.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../engine/shared/package-root.js';
import { helmPath } from '../../scripts/tools/paths.js';

const root = packageRoot(import.meta.url);
const chart = join(root, 'deploy', 'helm', 'ria');
/** The Kubernetes version the chart is rendered and checked for. */
const KUBE_VERSION = '1.33.0';
const profiles = readdirSync(join(chart, 'ci')).filter((f) => f.endsWith('.yaml'));

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

function helm(...args: string[]): string {
  return execFileSync(helmPath(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function render(...valueFiles: string[]): K8sObject[] {
  const files = valueFiles.flatMap((f) => ['-f', join(chart, 'ci', f)]);
  const out = helm('template', 'ria', chart, '--kube-version', KUBE_VERSION, ...files);
  return parseAllDocuments(out)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The kubernetes-models module and type of an object. */
function modelOf(o: K8sObject): { module: string; type: string } {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  if (group === 'monitoring.coreos.com')
    return {
      module: `@kubernetes-models/prometheus-operator/${group}/${version}/${o.kind}`,
      type: `I${o.kind}`,
    };
  return { module: `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`, type: `I${o.kind}` };
}

/** Runtime validation by the models (required fields, types, formats). */
async function validateAtRuntime(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    const { module } = modelOf(o);
    const Model = (await import(module))[o.kind] as new (d: unknown) => { validate(): void };
    try {
      new Model(o).validate();
    } catch (e) {
      errors.push(`${o.kind}/${o.metadata.name}: ${(e as Error).message}`);
    }
  }
  return errors;
}

/** Strict validation: each object as a literal of its model's type; unknown fields are compile errors. */
function validateStrictly(objects: K8sObject[]): string[] {
  const file = join(root, 'deploy', 'helm', '__rendered__.ts');
  const source = objects
    .map((o, i) => {
      const { module, type } = modelOf(o);
      return `import type { ${type} as T${i} } from '${module}';\nexport const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists;
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]);
}

const containersOf = (o: K8sObject) =>
  (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers as {
    name: string;
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    startupProbe?: { httpGet: { path: string } };
    livenessProbe?: { httpGet: { path: string } };
    readinessProbe?: { httpGet: { path: string } };
    securityContext?: Record<string, unknown>;
    volumeMounts?: { name: string; mountPath: string }[];
  }[];

describe('the Helm chart (real helm, Kubernetes schemas offline)', () => {
  it('passes helm lint --strict with every profile', () => {
    for (const p of ['', ...profiles]) {
      const args = p ? ['-f', join(chart, 'ci', p)] : [];
      expect(helm('lint', '--strict', chart, ...args)).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  for (const profile of [...profiles.map((p) => [p]), ['scaled.yaml', 'monitoring.yaml']]) {
    it(`renders objects valid against the Kubernetes API schemas: ${profile.join(' + ')}`, async () => {
      const objects = render(...profile);
      expect(objects.length).toBeGreaterThan(2);
      expect(await validateAtRuntime(objects)).toEqual([]);
      expect(validateStrictly(objects)).toEqual([]);
    });
  }

  it('the strict check does reject an unknown field (it is not a check that cannot fail)', () => {
    const [sts] = render('single.yaml').filter((o) => o.kind === 'StatefulSet');
    const bad = structuredClone(sts);
    (containersOf(bad)[0] as Record<string, unknown>).livenesProbe = { httpGet: { path: '/healthz' } };
    expect(validateStrictly([bad]).join('\n')).toMatch(/livenesProbe/);
  });

  it('single: one engine StatefulSet with its checkpoint volume, probes on /healthz and /readyz, secrets as files only', () => {
    const objects = render('single.yaml');
    const sts = objects.filter((o) => o.kind === 'StatefulSet');
    expect(sts.map((o) => o.metadata.name)).toEqual(['ria-engine']);
    const spec = sts[0].spec as Record<string, unknown> & {
      replicas: number;
      volumeClaimTemplates: unknown[];
    };
    expect(spec.replicas).toBe(1);
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    const [c] = containersOf(sts[0]);
    expect(c.startupProbe?.httpGet.path).toBe('/healthz');
    expect(c.livenessProbe?.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe?.httpGet.path).toBe('/readyz');
    expect(c.volumeMounts).toContainEqual(
      expect.objectContaining({ name: 'state', mountPath: '/var/lib/ria' }),
    );
    expect(c.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/var/lib/ria/checkpoint' });
    expect(c.env).toContainEqual({
      name: 'RDKAFKA_FILE_SSL_KEY_PASSWORD',
      value: '/var/run/secrets/ria/rdkafka-0/key-password',
    });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // The grace period outlasts the bounded stop (STOP_TIMEOUT_MS).
    const grace = (spec as { template: { spec: { terminationGracePeriodSeconds: number } } }).template.spec
      .terminationGracePeriodSeconds;
    expect(grace * 1000).toBeGreaterThan(20_000 + 5_000);
  });

  it('no profile puts a secret in a plain environment value', () => {
    for (const profile of profiles)
      for (const o of render(profile).filter((x) => x.kind === 'StatefulSet' || x.kind === 'Deployment'))
        for (const c of containersOf(o))
          for (const e of c.env ?? [])
            if (/PASSWORD|API_KEY|SECRET|TOKEN/.test(e.name))
              expect(e.name, `${profile}: ${e.name}`).toMatch(/_FILE(_|$)/);
  });

  it('scaled: counters take their instance id (transactional.id) from the pod name; a merger with its volume; PDBs; producer', () => {
    const objects = render('scaled.yaml');
    const byName = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    const counters = byName.get('StatefulSet/ria-counter')!;
    expect((counters.spec as { replicas: number }).replicas).toBe(4);
    expect((counters.spec as { volumeClaimTemplates?: unknown }).volumeClaimTemplates).toBeUndefined();
    const env = containersOf(counters)[0].env!;
    expect(env).toContainEqual({ name: 'ENGINE_ROLE', value: 'counter' });
    expect(env).toContainEqual({
      name: 'ENGINE_INSTANCE_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    const merger = byName.get('StatefulSet/ria-merger')!;
    expect((merger.spec as { replicas: number; volumeClaimTemplates: unknown[] }).replicas).toBe(1);
    expect((merger.spec as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates).toHaveLength(1);
    expect(containersOf(merger)[0].env).toContainEqual({ name: 'ENGINE_ROLE', value: 'merger' });
    expect(byName.has('PodDisruptionBudget/ria-counter')).toBe(true);
    expect(byName.has('PodDisruptionBudget/ria-merger')).toBe(true);
    expect(byName.has('Deployment/ria-producer')).toBe(true);
    // Metrics services publish not-ready pods: an engine waiting for Elasticsearch is still scraped.
    expect(
      (byName.get('Service/ria-counter')!.spec as { publishNotReadyAddresses: boolean })
        .publishNotReadyAddresses,
    ).toBe(true);
  });

  it('values outside the schema are refused by helm (a secret as a plain setting, a misspelt key)', () => {
    expect(() =>
      helm(
        'template',
        'ria',
        chart,
        '--kube-version',
        KUBE_VERSION,
        '--set',
        'settings.ELASTICSEARCH_PASSWORD=x',
      ),
    ).toThrow(/additional properties 'ELASTICSEARCH_PASSWORD' not allowed/);
    expect(() =>
      helm('template', 'ria', chart, '--kube-version', KUBE_VERSION, '--set', 'counter.replicas=2'),
    ).toThrow(/additional properties 'counter' not allowed/);
  });
});
