/**
 * The flusher: owns the aggregate state, merges the pool's batch deltas into it, and on every
 * flush mark closes windows, checkpoints, writes the changed documents, and reports the cut it
 * made durable so the main thread can commit those offsets to Kafka.
 *
 * Order per flush (the exactness argument, see docs/guarantees.md):
 *   1. close the windows the watermark has passed      (state at cut K)
 *   2. append checkpoint record K and fsync            (the outbox: docs + offsets of K)
 *   3. bulk-write record K's documents, version K       (retried until every item is written)
 *   4. reply 'flushed' K → the main thread commits offsets K to Kafka (for monitoring)
 * A crash before 2 restarts from K-1 and replays; between 2 and 3 or during 3, the restart
 * sends record K's documents again (same version: idempotent) and resumes at K.
 */
import type { Client } from '@elastic/elasticsearch';
import {
  applyRecord,
  type CheckpointRecord,
  type Cut,
  type Known,
  knownOf,
  makeRecord,
  makeSnapshot,
} from '../checkpoint/record.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { ConfigError, describeError, ServiceError } from '../errors/errors.js';
import type { BatchDelta, FlusherReply, LiveCheck, Refusal } from '../shared/messages.js';
import { type Doc, writeDocs } from '../sink/bulk-writer.js';
import { checkMappings, checkWriteRights, highestVersion, prepareIndices } from '../sink/es-access.js';
import { AggregateState } from '../window/aggregate-state.js';
import { documentsOf } from './documents.js';
import { differencesOf, type Finding, IndexHealer } from './index-healer.js';

export interface FlusherSettings {
  windowMs: number;
  allowedLatenessMs: number;
  sessionGapMs: number;
  bulkMaxDocs: number;
  /** Compact the checkpoint file when it grows past this many bytes. */
  compactBytes: number;
  /** How long to wait for Elasticsearch at start before giving up. */
  startTimeoutMs: number;
  /** How often the indices are checked against the state (index-healer.ts); 0: never. */
  healIntervalMs: number;
}

export class Flusher {
  readonly state: AggregateState;
  private seq = 0;
  private known: Known = { items: 0, users: 0, categories: 0 };
  private lastOffsets: Record<number, number> = {};
  private sampled: number[] = [];
  private sampleWeight = 1;
  private readonly healer: IndexHealer;
  /** The last flush's cut and watermark, and whether deltas came since (heal() may flush at it). */
  private lastCut: Cut | undefined;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private deltasSinceFlush = 0;
  /** The next flush writes even if nothing changed (the global document must be rewritten). */
  private forceWrite = false;

  constructor(
    private readonly es: Client,
    private readonly store: CheckpointStore,
    private readonly settings: FlusherSettings,
    private readonly onProblem: (message: string, retriable: boolean) => void,
    private readonly onRefused: (refusals: Refusal[]) => void,
    private readonly onRepaired: (what: string, message: string) => void = () => undefined,
    /** CHANGELOG_TOPICS: resolves once the documents of a flush are in the changelog topics. */
    private readonly changelog?: (version: number, docs: Doc[]) => Promise<void>,
  ) {
    this.state = new AggregateState(settings.windowMs, settings.sessionGapMs);
    this.healer = new IndexHealer(es);
  }

  /** Loads the checkpoint, re-sends the last record's documents (the outbox), returns the cut. */
  async restore(): Promise<Extract<FlusherReply, { kind: 'restored' }>> {
    // The indices with their mappings (a template): created here too, for a cluster set up by hand.
    // Elasticsearch may be briefly away (restarting, paused): retry for a while, then give up
    // with a clear message rather than wait forever on a wrong ELASTICSEARCH_HOST.
    const deadline = Date.now() + this.settings.startTimeoutMs;
    for (let backoff = 500; ; backoff = Math.min(5000, backoff * 2)) {
      try {
        await prepareIndices(this.es);
        await checkWriteRights(this.es);
        await checkMappings(this.es);
        break;
      } catch (e) {
        if (e instanceof ConfigError) throw e; // wrong credentials or rights: waiting will not help
        if (Date.now() + backoff > deadline) {
          throw new ServiceError(
            `Elasticsearch did not answer for ${this.settings.startTimeoutMs / 1000} s (ELASTICSEARCH_HOST; START_TIMEOUT_MS): ${describeError(e)}`,
            'RIA_ERR_ES_UNREACHABLE',
            false,
            e,
          );
        }
        this.onProblem(`elasticsearch not ready at start: ${describeError(e)}; retrying`, true);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
    const records = this.store.load();
    for (const r of records) applyRecord(this.state, r);
    const last = records.at(-1);
    this.known = knownOf(this.state);
    if (!last) {
      // No checkpoint: the state is rebuilt from the beginning of the input. Versions must still
      // grow past what earlier runs wrote (a lost or emptied volume), or Elasticsearch would
      // refuse every write as older (409, counted as done) and the indices would freeze.
      this.seq = await highestVersion(this.es);
      if (this.seq > 0)
        this.onProblem(
          `WARNING: no checkpoint in ${this.store.dir}, but Elasticsearch holds ${this.seq} flushes of earlier work: rebuilding from the beginning of the input, writing versions from ${this.seq + 1} (totals may show partial values until caught up)`,
          true,
        );
      return {
        kind: 'restored',
        offsets: {},
        partitionMax: {},
        invalid: 0,
        dlqEnd: 0,
        dlqCovered: {},
        seq: this.seq,
      };
    }
    // Versions continue above the checkpoint's and above what Elasticsearch holds: a checkpoint
    // restored from an older backup must not write below the indices (every write refused as
    // older, counted as done: frozen documents).
    const held = await highestVersion(this.es);
    this.seq = Math.max(last.seq, held);
    if (held > last.seq)
      this.onRepaired(
        'versions',
        `WARNING: the checkpoint in ${this.store.dir} is at flush ${last.seq} but Elasticsearch holds flush ${held} (a checkpoint restored from an older copy?): resuming from the checkpoint's offsets, writing versions from ${held + 1}`,
      );
    this.lastOffsets = last.offsets;
    this.lastCut = last;
    // A snapshot is written only after its documents were acknowledged; any other last record may not have been.
    if (!last.snapshot) await this.write(last.seq, this.docsOf(last));
    return {
      kind: 'restored',
      offsets: last.offsets,
      partitionMax: last.partitionMax,
      invalid: last.invalid,
      dlqEnd: last.dlqEnd,
      dlqCovered: last.dlqCovered ?? {},
      seq: last.seq,
    };
  }

  onDelta(d: BatchDelta, sampleEvery: number): void {
    this.deltasSinceFlush++;
    this.state.apply(d);
    this.sampleWeight = sampleEvery;
    for (const t of d.sampledTimes) this.sampled.push(t);
  }

  /** One flush at `cut`; resolves once the documents are written (or when nothing changed). */
  async flush(cut: Cut, watermark: number): Promise<Extract<FlusherReply, { kind: 'flushed' }>> {
    this.lastCut = cut;
    this.lastWatermark = watermark;
    this.deltasSinceFlush = 0;
    this.state.closeWindows(watermark);
    // Sessions close by each partition's own watermark, never by idleness (session-state.ts).
    const sessionsClosed = this.state.sessions.close(cut.partitionMax, this.settings.allowedLatenessMs);
    const changed = this.state.takeDirty();
    const offsetsMoved = JSON.stringify(cut.offsets) !== JSON.stringify(this.lastOffsets);
    const sampled = this.sampled;
    this.sampled = [];
    const base = {
      kind: 'flushed' as const,
      openWindows: this.state.open.size,
      items: this.state.items.size,
      users: this.state.users.size,
    };
    const force = this.forceWrite;
    this.forceWrite = false;
    const nothing =
      changed.items.length + changed.users.length + changed.categories.length + sessionsClosed === 0;
    if (nothing && !offsetsMoved && !force) {
      return {
        ...base,
        seq: this.seq,
        offsets: cut.offsets,
        docs: 0,
        bulkMs: 0,
        checkpointMs: 0,
        latencies: new Float64Array(0),
        latencyWeight: 1,
      };
    }
    const seq = ++this.seq;
    const t0 = performance.now();
    const record = makeRecord(this.state, changed, this.known, cut, seq, Date.now());
    this.known = knownOf(this.state);
    this.store.append(record);
    const t1 = performance.now();
    const docs = this.docsOf(record);
    await this.write(seq, docs);
    const t2 = performance.now();
    const ackedAt = Date.now();
    this.lastOffsets = cut.offsets;
    if (this.store.needsCompaction(this.settings.compactBytes)) this.compact(cut, seq, record.at);
    const latencies = Float64Array.from(sampled, (t) => ackedAt - t);
    return {
      ...base,
      seq,
      offsets: cut.offsets,
      docs: docs.length,
      bulkMs: t2 - t1,
      checkpointMs: t1 - t0,
      latencies,
      latencyWeight: this.sampleWeight,
    };
  }

  /**
   * The indices checked against the state (index-healer.ts); what is missing or differs is
   * rewritten above every version they hold: at once when no delta came since the last flush
   * (the state is exactly that cut's), else by the next flush, which is due anyway.
   */
  async heal(): Promise<void> {
    if (!this.lastCut || this.seq === 0) return;
    const found = await this.healer.inspect(this.state, this.known, this.seq);
    if (found) await this.repair(found);
  }

  /**
   * `ria verify --live` against the running engine: every document compared with the state; what
   * differs is said, and rewritten as heal() does.
   */
  async verifyLive(): Promise<LiveCheck> {
    const found = await this.healer.compareAll(this.state, this.known, this.seq);
    const count = differencesOf(found);
    if (count > 0 && this.lastCut) {
      found.reasons.push(`ria verify --live found ${count} documents that differ`);
      await this.repair(found);
    }
    return { differences: found.details, count, checked: found.checked, repaired: count > 0 };
  }

  private async repair(found: Finding): Promise<void> {
    if (!this.lastCut) return;
    for (const i of found.items) this.state.markItem(i);
    for (const u of found.users) this.state.markUser(u);
    for (const c of found.categories) this.state.funnel.markCategory(c);
    this.forceWrite = true;
    this.seq = Math.max(this.seq, found.maxVersion);
    const now = this.deltasSinceFlush === 0;
    const what = `${found.items.length} item, ${found.users.length} user and ${found.categories.length} category documents${found.global ? ' and the global one' : ''}`;
    if (now) await this.flush(this.lastCut, this.lastWatermark);
    this.onRepaired(
      'index',
      `elasticsearch: ${found.reasons.join('; ')}: ${now ? 'rewrote' : 'rewriting'} ${what} at version ${this.seq + (now ? 0 : 1)}${now ? '' : ' with the next flush'}`,
    );
  }

  /** Rewrites the checkpoint as one snapshot; a failure keeps the old file (it only grows). */
  private compact(cut: Cut, seq: number, at: number): void {
    try {
      this.store.rewrite([makeSnapshot(this.state, cut, seq, at)]);
    } catch (e) {
      this.onProblem(
        `compacting the checkpoint failed: ${describeError(e)}; it goes on in the old file, which keeps growing`,
        true,
      );
    }
  }

  /** A flush's documents to Elasticsearch and (CHANGELOG_TOPICS) to Kafka: both before the cut is acknowledged. */
  private async write(version: number, docs: Doc[]): Promise<void> {
    await Promise.all([writeDocs(this.es, docs, this.bulkOptions()), this.changelog?.(version, docs)]);
  }

  private bulkOptions() {
    return { maxDocs: this.settings.bulkMaxDocs, onProblem: this.onProblem, onRefused: this.onRefused };
  }

  /** The documents a record changes, at version = its sequence. */
  docsOf(r: CheckpointRecord): Doc[] {
    return documentsOf(this.state, r, this.settings);
  }
}
