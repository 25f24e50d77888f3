/**
 * The checkpoint on local disk: one append-only file of CRC-framed records (frames.ts), under a
 * lock (dir-lock.ts: one engine per directory). The first frame is a header (what the state
 * assumes: topic, window, lateness); each further frame a CheckpointRecord. A record is fsynced
 * before its documents are sent anywhere.
 *
 * For real disks: every write's byte count is checked (a short write is retried, a failed append
 * cut back off the file so no torn frame stays between good ones); a torn or zero-filled tail is
 * dropped with a warning, a damaged frame with intact ones after it stops the start (frames.ts);
 * compaction writes header + one snapshot to a temporary file, fsyncs it, reads it back, and only
 * then renames it over the file (and fsyncs the folder) — if any step fails the old file and its
 * descriptor stay in use.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { ConfigError, RiaError } from '../errors/errors.js';
import { DirLock } from './dir-lock.js';
import { frame, readFrames } from './frames.js';
import type { CheckpointRecord } from './record.js';

export interface CheckpointHeader {
  format: 'ria-checkpoint/1';
  topic: string;
  windowMs: number;
  allowedLatenessMs: number;
  /** Absent in checkpoints made before the funnel state existed (refused: see load). */
  sessionGapMs: number;
}

/** The file operations the store uses (tests inject failing ones). */
export type StoreFs = Pick<
  typeof fs,
  'writeSync' | 'fsyncSync' | 'renameSync' | 'openSync' | 'closeSync' | 'readFileSync' | 'ftruncateSync'
>;

// Plain maps and arrays only (no msgpackr record extension): the file stays readable by any msgpack tool.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** One record as the frame appended to the file (length, CRC, msgpack). */
export function encodeRecord(record: CheckpointRecord): Buffer {
  return frame(packr.pack(record));
}

function checkpointError(message: string, cause?: unknown): RiaError {
  return new RiaError(message, { code: 'RIA_ERR_CHECKPOINT', cause });
}

export class CheckpointStore {
  readonly file: string;
  private fd = -1;
  private readonly lock: DirLock;
  /** Bytes in the file (for the compaction decision). */
  size = 0;
  /** Bytes of the file as the last compaction wrote it (header and snapshot). */
  private compactedSize = 0;

  /** The header of the file as loaded. */
  loadedHeader: CheckpointHeader | undefined;

  /**
   * `header`: what the engine's settings say (a file made with others is refused); undefined
   * reads any (ria verify --live). `warn`: a repair it made (a torn tail dropped, a dead engine's
   * lock taken over): said, counted.
   */
  constructor(
    readonly dir: string,
    private readonly header: CheckpointHeader | undefined,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly io: StoreFs = fs,
  ) {
    this.file = join(dir, 'checkpoint.log');
    this.lock = new DirLock(dir);
  }

  /** Takes the directory's lock, reads every intact record, drops a torn tail, checks the header. */
  load(): CheckpointRecord[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const took = this.lock.acquire();
    if (took) this.warn(`${took} in ${this.dir}`);
    if (!fs.existsSync(this.file)) {
      if (!this.header) return [];
      this.rewrite([]);
      return [];
    }
    const data = this.io.readFileSync(this.file);
    const read = readFrames(data);
    if (read.kind === 'damaged')
      throw checkpointError(
        `the checkpoint file ${this.file} has a damaged frame at byte ${read.offset} with intact data after it: it is not cut (those records were made durable and Elasticsearch may hold their documents); restore the file from a backup, or move the directory away to rebuild from the beginning of the topic`,
      );
    if (read.payloads.length === 0) {
      if (this.header) this.rewrite([]);
      return [];
    }
    const header = packr.unpack(read.payloads[0]) as CheckpointHeader;
    this.loadedHeader = header;
    for (const [key, setting] of [
      ['topic', 'KAFKA_TOPIC'],
      ['windowMs', 'WINDOW_MS'],
      ['allowedLatenessMs', 'ALLOWED_LATENESS_MS'],
      ['sessionGapMs', 'SESSION_GAP_MS'],
    ] as const) {
      if (this.header && header[key] === undefined)
        throw new ConfigError(
          `the checkpoint in ${this.dir} was made by an earlier version of ria, without the funnel and session state: move it away (and delete the indices) to rebuild from the beginning of the topic`,
        );
      if (this.header && header[key] !== this.header[key]) {
        throw new ConfigError(
          `the checkpoint in ${this.dir} was made with ${setting}=${header[key]}, not ${this.header[key]}: use another CHECKPOINT_DIR, or delete it (and the indices) to start over`,
        );
      }
    }
    this.size = read.end;
    const records = read.payloads.slice(1).map((f) => packr.unpack(f) as CheckpointRecord);
    // Read only (ria verify --live): the file is left as it is.
    if (!this.header) return records;
    this.fd = this.io.openSync(this.file, 'r+');
    if (read.tornBytes > 0) {
      this.io.ftruncateSync(this.fd, read.end);
      this.io.fsyncSync(this.fd);
      this.warn(
        `WARNING: the checkpoint file ${this.file} ended in ${read.tornBytes} bytes of an incomplete last record (a crash or power loss during its write): dropped; its documents had not been sent`,
      );
    }
    return records;
  }

  /** Appends one record and makes it durable before returning. */
  append(record: CheckpointRecord): void {
    const buf = encodeRecord(record);
    try {
      this.writeAll(this.fd, buf, this.size);
      this.io.fsyncSync(this.fd);
    } catch (e) {
      // No torn frame may stay before the next one: cut the file back to its last whole record.
      try {
        this.io.ftruncateSync(this.fd, this.size);
      } catch {
        // the next start drops it as a torn tail (nothing was appended after it)
      }
      throw e;
    }
    this.size += buf.length;
  }

  /** Replaces the file with header + records, atomically; on failure the old file stays in use. */
  rewrite(records: CheckpointRecord[]): void {
    const tmp = `${this.file}.tmp`;
    const frames = [packr.pack(this.header), ...records.map((r) => packr.pack(r))].map(frame);
    const size = frames.reduce((a, f) => a + f.length, 0);
    const fd = this.io.openSync(tmp, 'w');
    try {
      let at = 0;
      for (const f of frames) {
        this.writeAll(fd, f, at);
        at += f.length;
      }
      this.io.fsyncSync(fd);
    } finally {
      this.io.closeSync(fd);
    }
    // Read back what the disk holds before it replaces anything.
    const back = readFrames(this.io.readFileSync(tmp));
    if (
      back.kind !== 'ok' ||
      back.tornBytes > 0 ||
      back.payloads.length !== frames.length ||
      back.end !== size
    )
      throw checkpointError(
        `the checkpoint written to ${tmp} does not read back as written: the old file is kept`,
      );
    this.io.renameSync(tmp, this.file);
    const dirFd = this.io.openSync(this.dir, 'r');
    this.io.fsyncSync(dirFd);
    this.io.closeSync(dirFd);
    // Only now: the descriptor moves to the new file.
    const old = this.fd;
    this.fd = this.io.openSync(this.file, 'r+');
    if (old >= 0) this.io.closeSync(old);
    this.size = size;
    this.compactedSize = size;
  }

  /**
   * Whether the file is due to be rewritten as one snapshot: past `minBytes`, and at least twice
   * what the last compaction left. Past `minBytes` alone, a state whose snapshot itself passes it
   * (a million open sessions) was rewritten after every flush: the soak saw its flushes grow from
   * tens of milliseconds to seconds (results/soak.json).
   */
  needsCompaction(minBytes: number): boolean {
    return this.size > Math.max(minBytes, 2 * this.compactedSize);
  }

  /** Writes all of `buf` at `position`, checking each write's byte count. */
  private writeAll(fd: number, buf: Buffer, position: number): void {
    let done = 0;
    while (done < buf.length) {
      const n = this.io.writeSync(fd, buf, done, buf.length - done, position + done);
      if (!(n > 0))
        throw checkpointError(`writing ${this.file}: ${done} of ${buf.length} bytes written, then none`);
      done += n;
    }
  }

  close(): void {
    if (this.fd >= 0) this.io.closeSync(this.fd);
    this.fd = -1;
    this.lock.release();
  }
}
