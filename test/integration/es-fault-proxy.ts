/**
 * A fault-injecting HTTP proxy in front of the real Elasticsearch (in the spirit of toxiproxy).
 * While `rejectEvery` is set, every n-th document of each `_bulk` request is held back — not
 * forwarded, so it is really not written — and answered with an item-level
 * 429 es_rejected_execution_exception inside the HTTP 200 response, as a busy Elasticsearch does.
 * Each document version is rejected at most once, so a retry gets through; only a retry can get
 * it written. Everything else passes through untouched. It records which versions it rejected and
 * which of those it saw sent again. While `holdBulk` is set, a `_bulk` request is not answered at
 * all (an Elasticsearch that hangs): it waits until the proxy is closed.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** 0: pass everything through. */
  rejectEvery: number;
  /** `_bulk` requests get no answer while set. */
  holdBulk: boolean;
  /** `_bulk` requests received so far. */
  bulkRequests: number;
  /** index/id@version of each held-back document. */
  rejected: Set<string>;
  /** Rejected versions that a later bulk request carried again (and the proxy let through). */
  resent: Set<string>;
  /** Every distinct Authorization header seen. */
  authorizations: Set<string>;
  close(): Promise<void>;
}

interface BulkLine {
  action: string;
  doc: string;
  index: string;
  id: string;
  key: string;
}

function parseBulk(body: string): BulkLine[] {
  const lines = body.split('\n').filter((l) => l.length > 0);
  const out: BulkLine[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const meta = JSON.parse(lines[i]) as { index: { _index: string; _id: string; version?: number } };
    const { _index, _id, version } = meta.index;
    out.push({
      action: lines[i],
      doc: lines[i + 1],
      index: _index,
      id: _id,
      key: `${_index}/${_id}@${version}`,
    });
  }
  return out;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const state = {
    rejectEvery: 0,
    holdBulk: false,
    bulkRequests: 0,
    rejected: new Set<string>(),
    resent: new Set<string>(),
    authorizations: new Set<string>(),
  };

  const forward = (method: string, path: string, headers: Record<string, unknown>, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request(
        { host: to.hostname, port: to.port, method, path, headers: { ...headers, host: to.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks);
        const headers = { ...req.headers } as Record<string, unknown>;
        state.authorizations.add(String(req.headers.authorization ?? ''));
        delete headers['accept-encoding']; // plain JSON back, so a bulk answer can be read and edited
        if (req.method === 'POST' && req.url?.split('?')[0].endsWith('/_bulk')) {
          state.bulkRequests++;
          if (state.holdBulk) return; // never answered: the client waits until close()
          const items = parseBulk(body.toString('utf8'));
          const keep: BulkLine[] = [];
          const held = new Set<number>();
          items.forEach((it, k) => {
            if (state.rejectEvery > 0 && k % state.rejectEvery === 0 && !state.rejected.has(it.key)) {
              held.add(k);
              state.rejected.add(it.key);
            } else {
              if (state.rejected.has(it.key)) state.resent.add(it.key);
              keep.push(it);
            }
          });
          if (held.size > 0) {
            const sent = keep.map((l) => `${l.action}\n${l.doc}\n`).join('');
            headers['content-length'] = String(Buffer.byteLength(sent));
            const r =
              keep.length > 0
                ? await forward('POST', req.url!, headers, Buffer.from(sent))
                : { status: 200, headers: {}, body: Buffer.from('{"errors":false,"items":[]}') };
            if (r.status !== 200) {
              res.writeHead(r.status, r.headers as never).end(r.body);
              return;
            }
            const answered = JSON.parse(r.body.toString('utf8')) as { items: unknown[]; took?: number };
            const merged: unknown[] = [];
            let j = 0;
            items.forEach((it, k) => {
              merged.push(
                held.has(k)
                  ? {
                      index: {
                        _index: it.index,
                        _id: it.id,
                        status: 429,
                        error: {
                          type: 'es_rejected_execution_exception',
                          reason: 'injected by the test proxy',
                        },
                      },
                    }
                  : answered.items[j++],
              );
            });
            const out = JSON.stringify({ errors: true, took: answered.took ?? 0, items: merged });
            res
              .writeHead(200, {
                'content-type': 'application/json',
                'x-elastic-product': 'Elasticsearch',
              })
              .end(out);
            return;
          }
        }
        const r = await forward(req.method ?? 'GET', req.url ?? '/', headers, body);
        res.writeHead(r.status, r.headers as never).end(r.body);
      } catch (e) {
        res.writeHead(502).end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as FaultProxy;
}
