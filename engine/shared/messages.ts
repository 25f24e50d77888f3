/**
 * Every message that crosses a thread, in one place (after piscina's types.ts): the main thread
 * ⇄ pool workers (a batch of one partition, and its pre-aggregated delta), and the main thread ⇄
 * the flusher thread. Bytes travel as transferred ArrayBuffers, never cloned per event.
 */
import type { EventFormat, TimeRange } from './event-reference.js';

/** Documents of one index refused in one round for one reason (never one report per document). */
export interface Refusal {
  index: string;
  status: number;
  /** Elasticsearch's error type, e.g. document_parsing_exception. */
  reason: string;
  /** Its text for the first document of the group. */
  detail: string;
  count: number;
  /** The first document's id. */
  example: string;
  retriable: boolean;
}

/** Main → pool worker: consecutive messages of one partition. */
export interface BatchTask {
  partition: number;
  /** Offset of the first message; message i has offset firstOffset + offsetDelta[i]. */
  firstOffset: number;
  /** Message values back to back (transferred, not copied). */
  values: ArrayBuffer;
  /**
   * Message i is values[ends[i-1] .. ends[i]) (ends[-1] = 0); -1 marks a null value. ends and
   * offsetDelta are views of one block, transferred too.
   */
  ends: Int32Array;
  offsetDelta: Int32Array;
  /** Message i's Kafka record timestamp in ms (-1: none); a view of the same block. */
  timestamps: Float64Array;
  /**
   * An event whose time is more than this ahead of its record's Kafka timestamp is dead-lettered
   * as `future` and moves no watermark (MAX_EVENT_AHEAD_MS; Infinity: no check).
   */
  maxAheadMs: number;
  /** Max valid event time seen in this partition before this batch (-Infinity: none yet). */
  partitionMax: number;
  windowMs: number;
  allowedLatenessMs: number;
  /** Session-window gap (SESSION_GAP_MS). */
  sessionGapMs: number;
  format: EventFormat;
  range: TimeRange;
  /** The times of valid events whose offset is a multiple of this are returned (latency histogram). */
  sampleEvery: number;
  /**
   * The writer schemas of the batch's Avro messages (those starting with byte 0), one per schema id
   * in it; undefined when no registry is configured (such messages are then dead letters).
   */
  avro?: AvroWriter[];
}

/** A schema id as the registry answered it: its schema (JSON text), or why its events are unreadable. */
export interface AvroWriter {
  id: number;
  schema?: string;
  /** e.g. `schema: unknown id 7` (the registry does not know it). */
  error?: string;
}

/**
 * The funnel and sessions of a batch (batch-funnel.ts). Steps are view, click, add_to_cart,
 * purchase (FUNNEL_STEPS per id); cents are purchases' prices in whole cents.
 */
export interface FunnelDelta {
  /** Distinct categories of the batch (NO_CATEGORY for none). */
  categoryIds: string[];
  /**
   * The batch's session ids, UTF-8 back to back (no string per session; hashed by idHash,
   * id-table.ts): where each ends is in the funnel array.
   */
  sessionBytes: Uint8Array;
  /**
   * Every number of the funnel part — per item and category the steps and cents, per category
   * its events, the session ids' ends and hashes, the spans of on-time events per session — in
   * one array (funnel-layout.ts: one allocation and one copy per thread hop, not a dozen).
   */
  funnel: Float64Array;
  purchasesWithoutPrice: number;
  /** Valid events that were late for sessions (event-rules.ts isLateForSessions). */
  sessionLate: number;
  /** The SESSION_GAP_MS the spans were merged with (a merger refuses counters set otherwise). */
  sessionGapMs: number;
}

/** Pool worker → main: the batch's contribution, deduplicated by id. */
export interface BatchDelta extends FunnelDelta {
  partition: number;
  /** Offset after the batch's last message. */
  nextOffset: number;
  partitionMax: number;
  valid: number;
  late: number;
  /** Distinct items of the batch, with their counts (late included). */
  itemIds: string[];
  itemCounts: Uint32Array;
  /** On-time (item, window) pairs: itemIds index, window index, count. */
  windowItem: Uint32Array;
  windowIndex: Float64Array;
  windowCount: Uint32Array;
  userIds: string[];
  userCounts: Uint32Array;
  /** Invalid messages: their index in the batch and why. */
  invalidIndex: Int32Array;
  invalidReasons: string[];
  /** Their values back to back (for the dead letters: the batch's bytes stay in the worker). */
  invalidValues: Uint8Array;
  /** Invalid value k ends at invalidEnds[k]; -1: a null value. */
  invalidEnds: Int32Array;
  invalidOffsets: Float64Array;
  /** Sampled valid event times (see BatchTask.sampleEvery). */
  sampledTimes: Float64Array;
  /** Nanoseconds the worker spent on the batch. */
  workerNs: number;
}

/** `ria verify --live`: every document of the indices against the engine's state. */
export interface LiveCheck {
  /** The first differences, in words. */
  differences: string[];
  /** Documents that differ, in all. */
  count: number;
  checked: { items: number; users: number };
  /** The running engine is rewriting them (a running engine's answer only). */
  repaired: boolean;
}

/** Main → flusher. */
export type FlusherRequest =
  | { kind: 'delta'; delta: BatchDelta }
  | {
      kind: 'flush';
      /** Cut: next offset per partition, covering every delta sent before this message. */
      offsets: Record<number, number>;
      partitionMax: Record<number, number>;
      /** Windows ending at or before this close (Infinity: all, when every partition is idle). */
      watermark: number;
      invalid: number;
      /** Next offset of the dead-letter topic once every dead letter of this cut is acknowledged. */
      dlqEnd: number;
      /** Highest source offset per partition in the dead-letter topic. */
      dlqCovered: Record<number, number>;
    }
  /** Compare every document with the state (ria verify --live); answered with 'verified'. */
  | { kind: 'verify' }
  /** The changelog records of request `n` (a 'changelog' reply) are in Kafka. */
  | { kind: 'changelog-written'; n: number }
  | { kind: 'stop' };

/** One document for a changelog topic: `<index>.changelog`, key = the document id, its JSON source, version = the flush. */
export interface ChangelogRecord {
  index: string;
  id: string;
  source: string;
}

/** Flusher → main. */
export type FlusherReply =
  | {
      kind: 'restored';
      offsets: Record<number, number>;
      partitionMax: Record<number, number>;
      invalid: number;
      dlqEnd: number;
      dlqCovered: Record<number, number>;
      seq: number;
    }
  | {
      kind: 'flushed';
      seq: number;
      offsets: Record<number, number>;
      docs: number;
      bulkMs: number;
      checkpointMs: number;
      /** Event time → acknowledged latencies (ms) with their weights, for the histogram. */
      latencies: Float64Array;
      latencyWeight: number;
      openWindows: number;
      items: number;
      users: number;
    }
  /**
   * A problem of the thread. `flush`: it is the failure of the oldest flush still waiting (which
   * it settles); otherwise a retried problem (not fatal) or the thread's end (fatal).
   */
  | { kind: 'error'; message: string; fatal: boolean; flush?: true }
  /** A repair the thread made by itself (`what`: its kind, a metric label): one line and a count. */
  | { kind: 'repaired'; what: string; message: string }
  /** Documents Elasticsearch refused in one bulk round, grouped by (index, status, reason). */
  | { kind: 'refused'; refusals: Refusal[] }
  | { kind: 'verified'; check: LiveCheck }
  /**
   * CHANGELOG_TOPICS: write these records (the documents of flush `version`) to the changelog
   * topics and answer 'changelog-written' n; the flush waits for it (node-rdkafka cannot run in
   * this thread, so the main thread produces).
   */
  | { kind: 'changelog'; n: number; version: number; records: ChangelogRecord[] }
  | { kind: 'stopped' };
