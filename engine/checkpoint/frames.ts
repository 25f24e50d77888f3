/**
 * The checkpoint file's framing, read and written (store.ts keeps the file):
 *
 *   ┌──────────┬──────────┬────────────────────┐
 *   │ len (u32)│ crc (u32)│ msgpack payload    │  × n      len > 0: a payload is never empty
 *   └──────────┴──────────┴────────────────────┘
 *
 * Reading decides what a damaged frame means. A crash mid-append leaves an incomplete last frame
 * (its length runs past the end, or its bytes end the file); a power loss on some filesystems
 * leaves zeros instead. Either is a torn tail: only that frame is dropped — its documents were
 * never sent, since a record is fsynced before they are. A damaged frame with intact frames after
 * it is something else (a bad disk, a copy gone wrong): those later records were fsynced and
 * Elasticsearch may hold their documents, so nothing is cut and the start stops.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEAD = 8;

export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, FRAME_HEAD);
  return out;
}

/** The end of an intact frame starting at `pos`, or -1. */
function intactFrameEnd(data: Uint8Array, pos: number): number {
  if (pos + FRAME_HEAD > data.length) return -1;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const len = view.readUInt32LE(pos);
  const end = pos + FRAME_HEAD + len;
  if (len === 0 || end > data.length) return -1;
  return crc32(data.subarray(pos + FRAME_HEAD, end)) === view.readUInt32LE(pos + 4) ? end : -1;
}

export type FrameRead =
  /** Every frame intact, or a torn tail after `end` (dropped: `tornBytes` of it). */
  | { kind: 'ok'; payloads: Uint8Array[]; end: number; tornBytes: number }
  /** A damaged frame at `offset` with intact data after it: not to be cut. */
  | { kind: 'damaged'; payloads: Uint8Array[]; offset: number };

export function readFrames(data: Uint8Array): FrameRead {
  const payloads: Uint8Array[] = [];
  let pos = 0;
  for (let end = intactFrameEnd(data, pos); end >= 0; end = intactFrameEnd(data, pos)) {
    payloads.push(data.subarray(pos + FRAME_HEAD, end));
    pos = end;
  }
  if (pos === data.length) return { kind: 'ok', payloads, end: pos, tornBytes: 0 };
  return isTornTail(data, pos)
    ? { kind: 'ok', payloads, end: pos, tornBytes: data.length - pos }
    : { kind: 'damaged', payloads, offset: pos };
}

/** The bytes from `pos` on are one incomplete last frame, or zeros (see the header). */
function isTornTail(data: Uint8Array, pos: number): boolean {
  if (data.subarray(pos).every((b) => b === 0)) return true;
  if (pos + FRAME_HEAD > data.length) return true; // not even a whole frame head
  const len = Buffer.from(data.buffer, data.byteOffset, data.byteLength).readUInt32LE(pos);
  if (len === 0) return false; // zeros here but not to the end: something else is wrong
  const next = pos + FRAME_HEAD + len;
  if (next >= data.length) return true; // its length runs to or past the end: the last append
  // Whatever follows the damaged frame must be zeros, never another frame.
  return data.subarray(next).every((b) => b === 0);
}
