/**
 * The engine's HTTP side, read-only, on DASHBOARD_HOST:DASHBOARD_PORT (127.0.0.1:8080):
 *   GET /          the live dashboard (server-sent events, uPlot charts)
 *   GET /events    the stream: live figures of the engine + aggregates from Elasticsearch, every second
 *   GET /metrics   Prometheus text (prom-client)
 *   GET /healthz   liveness: 200 whenever it answers (waiting on a service is not wedged)
 *   GET /readyz    200 once restored, consuming and acknowledged; 503 with the true reasons otherwise
 *   GET /verify    every document of the indices against the engine's state (ria verify --live);
 *                  what differs is rewritten by the engine, as its periodic check does
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Client } from '@elastic/elasticsearch';
import { redact } from '../config/secrets.js';
import type { Health } from '../metrics/health.js';
import type { LiveFigures } from '../metrics/live-figures.js';
import type { EngineMetrics } from '../metrics/prometheus.js';
import type { LiveCheck } from '../shared/messages.js';
import { AggregateReader } from './aggregates.js';
import { DASHBOARD_HTML } from './page.js';

const require = createRequire(import.meta.url);
/** 15 minutes at one point a second. */
const HISTORY_POINTS = 900;
/** uPlot's files from node_modules, read on first request. */
const asset = (() => {
  const cache = new Map<string, Buffer>();
  return (file: string) => {
    let b = cache.get(file);
    if (!b) {
      b = readFileSync(require.resolve(`uplot/dist/${file}`));
      cache.set(file, b);
    }
    return b;
  };
})();

/** What the HTTP side reads of a running engine or counter. */
export interface LiveEngine {
  readonly metrics: EngineMetrics;
  readonly health: Health;
  verifyLive?(): Promise<LiveCheck> | undefined;
}

/** The single engine and the merger also serve the live page (figures and aggregates). */
export interface LivePage {
  live(): LiveFigures;
  es: Client;
}

export function startDashboard(
  engine: LiveEngine,
  page: LivePage | undefined,
  host: string,
  port: number,
): Promise<Server> {
  const aggregates = page && new AggregateReader(page.es);
  // The last 15 minutes of live figures, one a second: sent first to every new page, so its
  // charts start full. Kept whether or not a page is open.
  const history: LiveFigures[] = [];
  const recorder =
    page &&
    setInterval(() => {
      history.push(page.live());
      if (history.length > HISTORY_POINTS) history.shift();
    }, 1000);
  recorder?.unref();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      // Nothing served may show a secret (an error text could quote one).
      res.end(typeof body === 'string' ? redact(body) : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'read-only\n');
    try {
      switch (url.pathname) {
        case '/':
          if (!page) return send(404, 'text/plain', 'a counter serves /metrics, /healthz and /readyz only\n');
          return send(200, 'text/html; charset=utf-8', DASHBOARD_HTML);
        case '/assets/uplot.js':
          return send(200, 'text/javascript', asset('uPlot.iife.min.js'));
        case '/assets/uplot.css':
          return send(200, 'text/css', asset('uPlot.min.css'));
        case '/metrics':
          return send(200, engine.metrics.registry.contentType, await engine.metrics.registry.metrics());
        case '/healthz':
          // Liveness: answering at all is the proof (a wedged event loop cannot). Waiting for
          // Elasticsearch or Kafka, and back-pressure of any length, are healthy.
          return send(
            200,
            'application/json',
            JSON.stringify({
              alive: true,
              loopAgeMs: engine.health.loopAgeMs(),
              paused: engine.health.paused ?? engine.health.waitingForRegistry ?? null,
            }),
          );
        case '/verify': {
          const check = await engine.verifyLive?.();
          if (!check) return send(404, 'text/plain', 'a counter keeps no documents: ask the merger\n');
          return send(check.count < 0 ? 502 : 200, 'application/json', JSON.stringify(check));
        }
        case '/readyz': {
          const reasons = engine.health.notReadyBecause();
          return send(
            reasons.length ? 503 : 200,
            'application/json',
            JSON.stringify({ ready: reasons.length === 0, reasons }),
          );
        }
        case '/events': {
          if (!page || !aggregates) return send(404, 'text/plain', 'no live page on a counter\n');
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
          });
          res.write(`event: history\ndata: ${redact(JSON.stringify(history))}\n\n`);
          const tick = async () => {
            const data = { live: page.live(), aggregates: await aggregates.read() };
            res.write(`data: ${redact(JSON.stringify(data))}\n\n`);
          };
          await tick();
          const timer = setInterval(() => void tick().catch(() => undefined), 1000);
          req.on('close', () => clearInterval(timer));
          return;
        }
        default:
          return send(404, 'text/plain', 'not found\n');
      }
    } catch (e) {
      return send(500, 'text/plain', `${(e as Error).message}\n`);
    }
  });
  server.on('close', () => recorder && clearInterval(recorder));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
