/**
 * The checkpoint on local disk: one append-only file of framed records,
 *
 *   ┌──────────┬──────────┬────────────────────┐
 *   │ len (u32)│ crc (u32)│ msgpack payload    │  × n
 *   └──────────┴──────────┴────────────────────┘
 *
 * The first frame is a header (what the state assumes: topic, window, lateness); each further
 * frame a CheckpointRecord. A record is fsynced before its documents are sent anywhere. A crash
 * mid-append leaves a torn last frame: its length or CRC does not match, so restore stops there
 * and cuts it off (its documents were never sent). Compaction rewrites the file as header +
 * one snapshot, atomically (temp file, fsync, rename, fsync of the folder).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { ConfigError } from '../errors/errors.js';
import type { CheckpointRecord } from './record.js';

export interface CheckpointHeader {
  format: 'ria-checkpoint/1';
  topic: string;
  windowMs: number;
  allowedLatenessMs: number;
}

// Plain maps and arrays only (no msgpackr record extension): the file stays readable by any msgpack tool.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const FRAME_HEAD = 8;

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, FRAME_HEAD);
  return out;
}

/** One record as the frame appended to the file (length, CRC, msgpack). */
export function encodeRecord(record: CheckpointRecord): Buffer {
  return frame(packr.pack(record));
}

export class CheckpointStore {
  readonly file: string;
  private fd = -1;
  /** Bytes in the file (for the compaction decision). */
  size = 0;

  constructor(
    readonly dir: string,
    private readonly header: CheckpointHeader,
  ) {
    this.file = join(dir, 'checkpoint.log');
  }

  /** Reads every intact record; cuts off a torn tail. Checks the header against the settings. */
  load(): CheckpointRecord[] {
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(this.file)) {
      this.rewrite([]);
      return [];
    }
    const data = readFileSync(this.file);
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (pos + FRAME_HEAD <= data.length) {
      const len = data.readUInt32LE(pos);
      const crc = data.readUInt32LE(pos + 4);
      if (pos + FRAME_HEAD + len > data.length) break;
      const payload = data.subarray(pos + FRAME_HEAD, pos + FRAME_HEAD + len);
      if (crc32(payload) !== crc) break;
      frames.push(payload);
      pos += FRAME_HEAD + len;
    }
    if (pos < data.length) truncateSync(this.file, pos);
    if (frames.length === 0) {
      this.rewrite([]);
      return [];
    }
    const header = packr.unpack(frames[0]) as CheckpointHeader;
    for (const [key, setting] of [
      ['topic', 'KAFKA_TOPIC'],
      ['windowMs', 'WINDOW_MS'],
      ['allowedLatenessMs', 'ALLOWED_LATENESS_MS'],
    ] as const) {
      if (header[key] !== this.header[key]) {
        throw new ConfigError(
          `the checkpoint in ${this.dir} was made with ${setting}=${header[key]}, not ${this.header[key]}: use another CHECKPOINT_DIR, or delete it (and the indices) to start over`,
        );
      }
    }
    this.fd = openSync(this.file, 'a');
    this.size = pos;
    return frames.slice(1).map((f) => packr.unpack(f) as CheckpointRecord);
  }

  /** Appends one record and makes it durable before returning. */
  append(record: CheckpointRecord): void {
    const buf = encodeRecord(record);
    writeSync(this.fd, buf);
    fsyncSync(this.fd);
    this.size += buf.length;
  }

  /** Replaces the file with header + records, atomically. */
  rewrite(records: CheckpointRecord[]): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    let size = 0;
    for (const payload of [packr.pack(this.header), ...records.map((r) => packr.pack(r))]) {
      const buf = frame(payload);
      writeSync(fd, buf);
      size += buf.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    if (this.fd >= 0) closeSync(this.fd);
    renameSync(tmp, this.file);
    const dirFd = openSync(this.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    this.fd = openSync(this.file, 'a');
    this.size = size;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
