/**
 * What an orchestrator and an on-call person see during outages, against the real services (it
 * freezes Elasticsearch and stops the broker: `npm run test:faults`):
 *   - probes, polled every second: /healthz stays 200 through a 60 s Elasticsearch freeze and a
 *     broker stop; /readyz answers 503 with the true reason and 200 again after;
 *   - a real Prometheus (built from its Go module by scripts/tools.sh) scrapes the running engine with the
 *     chart's rules file (durations shortened through the chart's parameters): the key series are
 *     there, and RiaNoAcknowledgedFlush fires while Elasticsearch is frozen and resolves after.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderRules } from '../../deploy/prometheus/rendered-rules.js';
import { prometheusPath } from '../../scripts/tools/paths.js';
import { freePort, newTopic, requireServices } from './helpers.js';
import { describeOnLocalStack } from './local-stack.js';
import { ria, riaEngine } from './run-ria.js';

const stack = new URL('../../scripts/stack.sh', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

interface Probe {
  at: number;
  healthz: number;
  readyz: number;
  reasons: string[];
}

async function probe(port: number): Promise<Probe> {
  const get = async (path: string) => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
      return { status: r.status, body: (await r.json()) as { reasons?: string[] } };
    } catch {
      return { status: 0, body: {} };
    }
  };
  const [h, r] = await Promise.all([get('/healthz'), get('/readyz')]);
  return { at: Date.now(), healthz: h.status, readyz: r.status, reasons: r.body.reasons ?? [] };
}

/** Polls both probes every second while `during` runs. */
async function pollDuring(port: number, during: () => Promise<void>): Promise<Probe[]> {
  const seen: Probe[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      seen.push(await probe(port));
      await sleep(1000);
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await poller;
  }
  return seen;
}

async function prometheusApi<T>(base: string, path: string): Promise<T> {
  const r = await fetch(`${base}${path}`);
  return ((await r.json()) as { data: T }).data;
}

describeOnLocalStack('operations', 'operations under outages (real services, real Prometheus)', () => {
  let engine: ReturnType<typeof ria>;
  let producer: ReturnType<typeof ria>;
  let prometheus: ChildProcess;
  let port = 0;
  let promBase = '';
  let checkpoint = '';
  const dir = mkdtempSync(join(tmpdir(), 'ria-prometheus-'));

  beforeAll(async () => {
    await requireServices();
    const t = await newTopic('ria-ops');
    checkpoint = t.checkpoint;
    port = await freePort();
    engine = riaEngine(t.topic, checkpoint, '--dashboard-port', String(port), '--status-interval-ms', '0');
    producer = ria(['produce', '--kafka-topic', t.topic, '--rate', '2000', '--duration', '400', '--quiet']);
    const rules = renderRules({ noFlushSeconds: 10, noFlushFor: '5s' });
    const promPort = await freePort();
    promBase = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: [${rules.path}]\nscrape_configs:\n  - job_name: ria\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
    );
    prometheus = spawn(
      prometheusPath(),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 60 && (await probe(port)).readyz !== 200; i++) await sleep(1000);
  });

  afterAll(async () => {
    execFileSync('bash', [stack, 'up']); // whatever happened, leave the stack up
    prometheus?.kill('SIGTERM');
    producer?.child.kill('SIGINT');
    engine?.child.kill('SIGTERM');
    await Promise.allSettled([engine?.done, producer?.done]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('Prometheus scrapes the engine: the series the rules and the dashboard use are there', async () => {
    let names: string[] = [];
    for (let i = 0; i < 30 && !names.includes('ria_last_flush_acknowledged_timestamp_seconds'); i++) {
      await sleep(1000);
      names = await prometheusApi<string[]>(promBase, '/api/v1/label/__name__/values');
    }
    for (const n of [
      'ria_events_total',
      'ria_consumer_lag',
      'ria_flush_duration_seconds_bucket',
      'ria_event_to_ack_seconds_bucket',
      'ria_event_to_consume_seconds_bucket',
      'ria_consume_to_flush_seconds_bucket',
      'ria_ready',
      'ria_unflushed_batches',
      'ria_last_flush_acknowledged_timestamp_seconds',
      'process_start_time_seconds',
    ])
      expect(names, n).toContain(n);
    const rules = await prometheusApi<{ groups: { rules: { name: string; health: string }[] }[] }>(
      promBase,
      '/api/v1/rules',
    );
    const loaded = rules.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).toContain('RiaNoAcknowledgedFlush');
    expect(loaded.filter((r) => r.health !== 'ok' && r.health !== 'unknown')).toEqual([]);
  });

  it('a 60 s Elasticsearch freeze: /healthz 200 throughout, /readyz 503 with the reason, the no-flush alert fires and resolves', async () => {
    const firing = async () =>
      (
        await prometheusApi<{ alerts: { labels: { alertname: string }; state: string }[] }>(
          promBase,
          '/api/v1/alerts',
        )
      ).alerts.some((a) => a.labels.alertname === 'RiaNoAcknowledgedFlush' && a.state === 'firing');
    expect(await firing()).toBe(false);
    const pid = Number(execFileSync('bash', [stack, 'pid', 'es']).toString().trim());
    let fired = false;
    const seen = await pollDuring(port, async () => {
      process.kill(pid, 'SIGSTOP');
      try {
        for (let s = 0; s < 60; s++) {
          await sleep(1000);
          fired ||= await firing();
        }
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      for (let s = 0; s < 60 && (await probe(port)).readyz !== 200; s++) await sleep(1000);
    });
    expect(fired).toBe(true);
    expect(seen.filter((p) => p.healthz !== 200)).toEqual([]);
    const notReady = seen.filter((p) => p.readyz === 503);
    expect(notReady.length).toBeGreaterThan(20);
    expect(
      notReady
        .flatMap((p) => p.reasons)
        .some((r) => /^(elasticsearch: |paused: waiting for Elasticsearch)/.test(r)),
    ).toBe(true);
    expect(notReady.flatMap((p) => p.reasons).some((r) => /kafka|restoring/.test(r))).toBe(false);
    expect((await probe(port)).readyz).toBe(200);
    let resolved = false;
    for (let s = 0; s < 60 && !resolved; s++) {
      await sleep(1000);
      resolved = !(await firing());
    }
    expect(resolved).toBe(true);
  });

  it('a broker stop: /healthz 200 throughout, /readyz 503 naming the broker, ready again after', async () => {
    const seen = await pollDuring(port, async () => {
      // Asynchronously: the poller must keep polling meanwhile.
      await run('bash', [stack, 'down', 'kafka']);
      await sleep(25_000);
      await run('bash', [stack, 'up', 'kafka']);
      for (let s = 0; s < 90 && (await probe(port)).readyz !== 200; s++) await sleep(1000);
    });
    expect(seen.filter((p) => p.healthz !== 200)).toEqual([]);
    const reasons = seen.filter((p) => p.readyz === 503).flatMap((p) => p.reasons);
    expect(reasons.some((r) => r.startsWith('kafka broker unreachable'))).toBe(true);
    expect((await probe(port)).readyz).toBe(200);
  });
});
