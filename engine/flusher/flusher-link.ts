/**
 * The main thread's side of the flusher thread: starts it, sends it deltas and flush marks, and
 * turns its replies into promises. Any failure of the thread — a fatal error reply, an uncaught
 * exception, the thread exiting — rejects the restore and every flush still waiting, so the
 * engine stops on it instead of waiting for an answer that will never come.
 */
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '../config/engine-config.js';
import { checkpointDirOf } from '../config/settings.js';
import { RiaError } from '../errors/errors.js';
import type {
  BatchDelta,
  ChangelogRecord,
  FlusherReply,
  FlusherRequest,
  LiveCheck,
  Refusal,
} from '../shared/messages.js';
import { esConnectionOf } from '../sink/es-client.js';
import type { FlusherThreadData } from './flusher-thread.js';

export type Restored = Extract<FlusherReply, { kind: 'restored' }>;
export type Flushed = Extract<FlusherReply, { kind: 'flushed' }>;
export type FlushMark = Omit<Extract<FlusherRequest, { kind: 'flush' }>, 'kind'>;

/** How long a stop waits for the thread to close its checkpoint before terminating it. */
const STOP_WAIT_MS = 10_000;

/** What the flusher thread starts with, from the engine's configuration. */
export function flusherDataOf(cfg: EngineConfig): FlusherThreadData {
  return {
    elasticsearch: esConnectionOf(cfg),
    checkpointDir: checkpointDirOf(cfg),
    topic: cfg.kafkaTopic,
    windowMs: cfg.windowMs,
    allowedLatenessMs: cfg.allowedLatenessMs,
    sessionGapMs: cfg.sessionGapMs,
    bulkMaxDocs: cfg.bulkMaxDocs,
    startTimeoutMs: cfg.startTimeoutMs,
    changelogTopics: cfg.changelogTopics,
    // The checkpoint file is rewritten as one snapshot past this size.
    compactBytes: 64 * 1024 * 1024,
    healIntervalMs: cfg.healIntervalMs,
    sampleEvery: cfg.latencySampleEvery,
  };
}

function flusherError(message: string, cause?: unknown): RiaError {
  return new RiaError(message, { code: 'RIA_ERR_FLUSHER', cause });
}

export class FlusherLink {
  private readonly worker: Worker;
  private readonly waiters: { resolve: (r: Flushed) => void; reject: (e: Error) => void }[] = [];
  private readonly verifiers: ((c: LiveCheck) => void)[] = [];
  private failure: Error | undefined;
  private exited = false;
  private restore!: { resolve: (r: Restored) => void; reject: (e: Error) => void };
  readonly restored: Promise<Restored>;

  /**
   * `onProblem`: a retried failure the thread reports (said, counted, the flush goes on).
   * `onRefused`: documents Elasticsearch refused in a bulk round (retried), grouped.
   * `onFatal`: called once when the thread can no longer flush.
   * `onRepaired`: a repair the thread made by itself (one line, a metric).
   */
  constructor(
    data: FlusherThreadData,
    private readonly onProblem: (message: string) => void,
    private readonly onRefused: (refusals: Refusal[]) => void,
    private readonly onFatal: (e: Error) => void,
    private readonly onRepaired: (what: string, message: string) => void,
    /** CHANGELOG_TOPICS: produce a flush's records; resolves once Kafka has them all. */
    private readonly onChangelog?: (version: number, records: ChangelogRecord[]) => Promise<void>,
  ) {
    this.worker = new Worker(new URL('./flusher-thread.js', import.meta.url), { workerData: data });
    this.restored = new Promise((resolve, reject) => {
      this.restore = { resolve, reject };
    });
    // Nobody may be waiting on the restore yet when it fails: the failure is still reported.
    this.restored.catch(() => undefined);
    this.worker.on('message', (r: FlusherReply) => {
      if (r.kind === 'restored') this.restore.resolve(r);
      else if (r.kind === 'flushed') this.waiters.shift()?.resolve(r);
      else if (r.kind === 'refused') this.onRefused(r.refusals);
      else if (r.kind === 'repaired') this.onRepaired(r.what, r.message);
      else if (r.kind === 'verified') this.verifiers.shift()?.(r.check);
      else if (r.kind === 'changelog') this.changelog(r.n, r.version, r.records);
      else if (r.kind === 'error') {
        if (r.flush && !r.fatal) {
          // That flush failed, the thread lives on: its waiter hears it (a later reply must not
          // settle the wrong flush), and the engine stops on it (restart resumes exactly).
          this.onProblem(r.message);
          this.waiters.shift()?.reject(new RiaError(r.message, { code: 'RIA_ERR_FLUSHER', retriable: true }));
        } else if (!r.fatal) this.onProblem(r.message);
        else this.fail(new RiaError(r.message, { code: r.flush ? 'RIA_ERR_FLUSHER' : 'RIA_ERR_RESTORE' }));
      }
    });
    this.worker.on('error', (e) => this.fail(flusherError(`flusher thread failed: ${e.message}`, e)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(flusherError(`flusher thread exited (code ${code})`));
    });
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.restore.reject(e);
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.onFatal(e);
  }

  private changelog(n: number, version: number, records: ChangelogRecord[]): void {
    if (!this.onChangelog) {
      this.fail(flusherError('the flusher asked for changelog topics, which are off'));
      return;
    }
    this.onChangelog(version, records).then(
      () => this.post({ kind: 'changelog-written', n }),
      (e: Error) => this.fail(flusherError(`changelog topics: ${e.message}`, e)),
    );
  }

  delta(delta: BatchDelta): void {
    this.post({ kind: 'delta', delta });
  }

  /** Sends a flush mark; resolves when the cut is durable and acknowledged by Elasticsearch. */
  flush(mark: FlushMark): Promise<Flushed> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<Flushed>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.post({ kind: 'flush', ...mark });
    return done;
  }

  /** Every document against the thread's state (ria verify --live); differences are rewritten. */
  verify(): Promise<LiveCheck> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<LiveCheck>((resolve) => this.verifiers.push(resolve));
    this.post({ kind: 'verify' });
    return done;
  }

  /** Asks the thread to close its checkpoint, waits (bounded), then ends it. */
  async stop(): Promise<void> {
    // A failed thread has nothing to close cleanly (its disk may be full): end it at once.
    if (!this.exited && !this.failure) {
      const stopped = new Promise<void>((resolve) => {
        this.worker.on('message', (r: FlusherReply) => r.kind === 'stopped' && resolve());
        this.worker.on('exit', () => resolve());
      });
      this.failure ??= flusherError('flusher stopped');
      this.post({ kind: 'stop' });
      await Promise.race([stopped, new Promise((r) => setTimeout(r, STOP_WAIT_MS))]);
    }
    await this.worker.terminate();
  }

  private post(req: FlusherRequest): void {
    this.worker.postMessage(req);
  }
}
