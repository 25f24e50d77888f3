/** What a flush changed in the open sessions, as checkpoint records store it (session-state.ts). */
import { packIds } from '../shared/id-table.js';

/**
 * Session ids and their spans now, as checkpoint records store them: flat typed arrays (no
 * object per session; a flush touches thousands). Id k is bytes [idEnds[k-1], idEnds[k]) of
 * idBytes (UTF-8) and has `counts[k]` spans (0: all closed), the next ones in starts / ends /
 * purchases.
 */
export interface SessionChanges {
  partitions: Uint32Array;
  idBytes: Uint8Array;
  idEnds: Uint32Array;
  counts: Uint32Array;
  starts: Float64Array;
  ends: Float64Array;
  purchases: Uint8Array;
}

/** The ids of SessionChanges as strings (tests, tools). */
export function sessionIdsOf(c: SessionChanges): string[] {
  const text = Buffer.from(c.idBytes.buffer, c.idBytes.byteOffset, c.idBytes.byteLength);
  return Array.from(c.idEnds, (e, k) => text.toString('utf8', k === 0 ? 0 : c.idEnds[k - 1], e));
}

/** SessionChanges from ids as strings (checkpoints written before ids travelled as bytes). */
export function sessionChangesOf(
  c: Omit<SessionChanges, 'idBytes' | 'idEnds'> & { ids: string[] },
): SessionChanges {
  const { ids, ...spans } = c;
  const p = packIds(ids);
  return { ...spans, idBytes: p.bytes, idEnds: p.ends };
}
