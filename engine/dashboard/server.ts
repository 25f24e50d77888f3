/**
 * The engine's HTTP side, read-only, on DASHBOARD_HOST:DASHBOARD_PORT (127.0.0.1:8080):
 *   GET /          the live dashboard (server-sent events, uPlot charts)
 *   GET /events    the stream: live figures of the engine + aggregates from Elasticsearch, every second
 *   GET /metrics   Prometheus text (prom-client)
 *   GET /healthz   200 while the engine's loop turns
 *   GET /readyz    200 once restored, polling Kafka and acknowledged by Elasticsearch; 503 with reasons otherwise
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Client } from '@elastic/elasticsearch';
import { redact } from '../config/secrets.js';
import type { Health } from '../metrics/health.js';
import type { LiveFigures } from '../metrics/live-figures.js';
import type { EngineMetrics } from '../metrics/prometheus.js';
import { AggregateReader } from './aggregates.js';
import { DASHBOARD_HTML } from './page.js';

const require = createRequire(import.meta.url);
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

/** What the HTTP side reads of a running engine. */
export interface LiveEngine {
  readonly metrics: EngineMetrics;
  readonly health: Health;
  live(): LiveFigures;
}

export function startDashboard(engine: LiveEngine, es: Client, host: string, port: number): Promise<Server> {
  const aggregates = new AggregateReader(es);
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
          return send(200, 'text/html; charset=utf-8', DASHBOARD_HTML);
        case '/assets/uplot.js':
          return send(200, 'text/javascript', asset('uPlot.iife.min.js'));
        case '/assets/uplot.css':
          return send(200, 'text/css', asset('uPlot.min.css'));
        case '/metrics':
          return send(200, engine.metrics.registry.contentType, await engine.metrics.registry.metrics());
        case '/healthz': {
          const alive = engine.health.loopAgeMs() < 30_000;
          return send(
            alive ? 200 : 503,
            'application/json',
            JSON.stringify({ alive, loopAgeMs: engine.health.loopAgeMs() }),
          );
        }
        case '/readyz': {
          const live = engine.live();
          const reasons: string[] = [];
          if (!live.restored) reasons.push('restoring the checkpoint');
          if (!live.kafka.up) reasons.push('not polling Kafka');
          if (!live.elasticsearch.up) reasons.push(`elasticsearch: ${live.elasticsearch.lastProblem}`);
          return send(
            reasons.length ? 503 : 200,
            'application/json',
            JSON.stringify({ ready: reasons.length === 0, reasons }),
          );
        }
        case '/events': {
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
          });
          const tick = async () => {
            const data = { live: engine.live(), aggregates: await aggregates.read() };
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
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
