/**
 * The dashboard and /metrics of a running engine, while traffic flows: Prometheus text that
 * parses and counters that move; health checks; and the page in headless Chromium (the one inside
 * the @sparticuz/chromium npm package — no system browser, no root — driven by playwright-core):
 * figures appear, update, agree with Elasticsearch, and an item id that is HTML is shown as text.
 * A screenshot goes to the temporary directory (RIA_SCREENSHOT=path writes it elsewhere, e.g.
 * results/dashboard.png when the page changes; a test run never rewrites a tracked file).
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Kafka from 'node-rdkafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRules } from '../../deploy/prometheus/rendered-rules.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { launchChromium } from './browser.js';
import { freePort, requireServices, services, uniqueName } from './helpers.js';
import { ria } from './run-ria.js';

/** The page's DOM as far as these checks read it (they run in the browser; this file compiles for Node). */
interface PageElement {
  textContent: string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };
/** The page's charts (window.riaCharts) as far as the axis check reads uPlot. */
interface PageChart {
  plot: {
    setData(d: number[][]): void;
    ctx: { font: string; measureText(s: string): { width: number } };
    axes: { _size: number; _values: string[]; font: string[]; ticks: { size: number }; gap: number }[];
  };
}
declare const window: { riaCharts: Record<string, PageChart>; devicePixelRatio: number };
declare const navigator: { language: string };

/** Opens the page; `language`: navigator.language as the browser reports it. */
async function openPage(browser: Awaited<ReturnType<typeof launchChromium>>, port: number, language: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 }, locale: 'en-US' });
  // Chromium takes only valid tags as its locale; a POSIX one (what a C/POSIX environment gives) is
  // set the way a browser would report it.
  if (language !== 'en-US')
    await page.addInitScript((l) => Object.defineProperty(navigator, 'language', { get: () => l }), language);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  return { page, errors };
}

/** The page's state that the funnel checks read: funnel rows, top-revenue rows, panel errors. */
async function funnelShown(page: Awaited<ReturnType<typeof openPage>>['page']) {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('#funnel .step')].length === 4 &&
      [...document.querySelectorAll('#top-revenue tbody tr')].length > 0,
    undefined,
    { timeout: 60_000 },
  );
  return page.evaluate(() => ({
    steps: [...document.querySelectorAll('#funnel .step .n')].map((e) =>
      Number(e.textContent!.replaceAll(',', '')),
    ),
    errors: [...document.querySelectorAll('.err')].map((e) => e.textContent).filter((t) => t),
    canvases: [...document.querySelectorAll('canvas')].length,
  }));
}

const XSS = '<img src=x onerror=alert(1)>';
const es = createEsClient(services);

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sends `n` valid events whose item id is HTML, so that it tops the item table. */
async function sendHtmlItem(topic: string, n: number): Promise<void> {
  const p = new Kafka.Producer({ 'bootstrap.servers': services.kafkaBroker, ...services.rdkafka });
  await new Promise<void>((r, j) => p.connect({}, (e) => (e ? j(e) : r())));
  for (let i = 0; i < n; i++) {
    const e = {
      user_id: `user-x${i % 50}`,
      item_id: XSS,
      timestamp: new Date().toISOString(),
      interaction_type: 'view',
    };
    p.produce(topic, null, Buffer.from(JSON.stringify(e)), e.user_id);
  }
  await new Promise<void>((r, j) => p.flush(10_000, (e) => (e ? j(e) : r())));
  await new Promise<void>((r) => p.disconnect(() => r()));
}

describe('dashboard, /metrics and health (real services, headless Chromium)', () => {
  let topic: string;
  let port: number;
  let engine: ReturnType<typeof ria>;
  let producer: ReturnType<typeof ria>;

  beforeAll(async () => {
    await requireServices();
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    topic = uniqueName('ria-dash');
    await ensureTopics(services, [
      { name: topic, partitions: 3 },
      { name: `${topic}.dlq`, partitions: 1 },
    ]);
    port = await freePort();
    engine = ria([
      'engine',
      '--kafka-topic',
      topic,
      '--dashboard-port',
      String(port),
      '--checkpoint-dir',
      `/tmp/${topic}.ckpt`,
      '--status-interval-ms',
      '0',
    ]);
    producer = ria([
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '2000',
      '--duration',
      '60',
      '--invalid-share',
      '0.01',
      '--quiet',
    ]);
    await sendHtmlItem(topic, 3000);
  });

  afterAll(async () => {
    producer.child.kill('SIGINT');
    engine.child.kill('SIGTERM');
    await Promise.all([producer.done, engine.done]);
    await es.close();
  });

  it('serves health checks and Prometheus text whose counters move', async () => {
    const base = `http://127.0.0.1:${port}`;
    expect(
      await until('healthz', async () => (await fetch(`${base}/healthz`)).status === 200 || undefined),
    ).toBe(true);
    await until('readyz', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
    const valid = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        expect(line).toMatch(
          /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|NaN|\+Inf|-Inf)$/,
        );
      }
      const m = /^ria_events_total\{outcome="valid"\} (\d+)$/m.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const first = await until('valid events counted', async () =>
      (await valid()) > 0 ? valid() : undefined,
    );
    const later = await until('the counter to move', async () => {
      const v = await valid();
      return v > first ? v : undefined;
    });
    expect(later).toBeGreaterThan(first);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^ria_flush_duration_seconds_count \d+/m);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    // Dead letters came in bursts all along (1 % invalid): no Node warning (a listener leak once).
    expect(engine.output()).not.toMatch(/Warning/);

    // A new page gets the last minutes first (its charts never start empty).
    const stream = await fetch(`${base}/events`);
    const reader = stream.body!.getReader();
    let opening = '';
    while (!opening.includes('\n\n')) opening += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(opening).toMatch(/^event: history\ndata: \[/);
    expect(JSON.parse(opening.split('\n')[1].slice(6)).length).toBeGreaterThan(0);

    // Every series the Grafana dashboard and the Prometheus rules query is one this engine exports.
    const text = await (await fetch(`${base}/metrics`)).text();
    const exported = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name);
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(name + s);
    }
    const queried = (json: string) =>
      [...json.matchAll(/\b((?:ria|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]);
    const dashboard = readFileSync(
      new URL('../../deploy/grafana/ria-dashboard.json', import.meta.url),
      'utf8',
    );
    const rules = JSON.stringify(renderRules().rules.map((r) => r.expr));
    const names = [...new Set([...queried(dashboard), ...queried(rules)])];
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('shows live figures that update, agree with Elasticsearch, and escape ids', async () => {
    const browser = await launchChromium();
    try {
      // An explicit language: the environment's may be one Intl rejects (en-US@posix).
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
      const alerts: string[] = [];
      page.on('dialog', (d) => {
        alerts.push(d.message());
        void d.dismiss();
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      // The HTML item id tops the table, shown as text: no <img> was created from it.
      await page.waitForFunction(
        (xss) => [...document.querySelectorAll('#items td')].some((td) => td.textContent === xss),
        XSS,
        { timeout: 60_000 },
      );
      expect(await page.locator('#items img, #users img').count()).toBe(0);
      const kpi = async (label: string) =>
        page.evaluate((l) => {
          const card = [...document.querySelectorAll('.kpi')].find(
            (c) => c.querySelector('.k')?.textContent === l,
          );
          return Number((card?.querySelector('.v')?.textContent ?? '').replaceAll(',', ''));
        }, label);
      // Figures update while traffic flows.
      const before = await kpi('valid events');
      await page.waitForFunction(
        (b) => {
          const card = [...document.querySelectorAll('.kpi')].find(
            (c) => c.querySelector('.k')?.textContent === 'valid events',
          );
          return Number((card?.querySelector('.v')?.textContent ?? '').replaceAll(',', '')) > b;
        },
        before,
        { timeout: 30_000 },
      );
      // The global figures are Elasticsearch's own: read both within the same second.
      await until('the page to agree with Elasticsearch', async () => {
        const g = (await es.get<{ distinct_users: number }>({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))
          ._source!;
        return (await kpi('distinct users')) === g.distinct_users ? true : undefined;
      });
      expect(await page.locator('#chart-rate canvas').count()).toBeGreaterThan(0);
      // The funnel: views ≥ clicks ≥ carts ≥ purchases > 0, top items by revenue, no panel in error.
      const f = await funnelShown(page);
      expect(f.errors).toEqual([]);
      expect(f.steps[3]).toBeGreaterThan(0);
      for (let k = 1; k < 4; k++) expect(f.steps[k]).toBeLessThanOrEqual(f.steps[k - 1]);
      // A directory of its own: another user's file of the same name may be in /tmp.
      const shot =
        process.env.RIA_SCREENSHOT ?? join(mkdtempSync(join(tmpdir(), 'ria-dashboard-')), 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      process.stdout.write(`dashboard screenshot: ${shot}\n`);
      // The events-per-second axis holds its widest label (uPlot's default width clipped 10,000 to 0,000).
      const axis = await page.evaluate(async () => {
        const u = window.riaCharts.rate.plot;
        const t = Date.now() / 1000;
        u.setData([
          [t, t + 1, t + 2],
          [9_500, 12_345, 10_000],
          [9_000, 12_000, 10_000],
        ]);
        // uPlot lays out and draws in a later task.
        await new Promise((r) => setTimeout(r, 100));
        const a = u.axes[1];
        u.ctx.font = a.font[0];
        const widest =
          Math.max(...a._values.map((v) => u.ctx.measureText(v).width)) / window.devicePixelRatio;
        return {
          labels: a._values,
          room: a._size - a.ticks.size - a.gap,
          defaultRoom: 50 - a.ticks.size - a.gap,
          widest,
        };
      });
      expect(
        axis.labels.some((l) => l.length >= 6),
        axis.labels.join(' '),
      ).toBe(true);
      // uPlot's default axis (50 px) has no room for "12,000": the defect; ours has.
      expect(axis.defaultRoom, JSON.stringify(axis)).toBeLessThan(axis.widest);
      expect(axis.room, JSON.stringify(axis)).toBeGreaterThanOrEqual(axis.widest);
      expect(alerts).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('shows every panel under a browser whose language is a POSIX one (en-US@posix)', async () => {
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser, port, 'en-US@posix');
      expect(await page.evaluate(() => navigator.language)).toBe('en-US@posix');
      const f = await funnelShown(page);
      // Every chart drew (4 uPlot charts, each with its canvas), no panel said an error, no page error.
      expect(f.canvases).toBeGreaterThanOrEqual(4);
      expect(f.errors).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
