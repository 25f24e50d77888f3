/**
 * The documents one checkpoint record changes, at version = its sequence, as bulk lines written
 * from templates: one JSON.stringify per document (its id, used in the action and the document)
 * instead of an object per document and a stringify per line. At a steady few thousand events/s
 * nearly every event changes a user document, so this is per-event cost
 * (results/engine-steady-cost.json).
 */
import { type CheckpointRecord, changesOf } from '../checkpoint/record.js';
import { AVG_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';
import { actionPrefixOf, actionSuffixOf, type Doc, linesOf } from '../sink/bulk-writer.js';
import type { AggregateState } from '../window/aggregate-state.js';

export function documentsOf(
  s: AggregateState,
  r: CheckpointRecord,
  settings: { windowMs: number; allowedLatenessMs: number },
): Doc[] {
  const iso = new Date(r.at).toISOString();
  const at = `"${iso}"`; // an ISO time needs no escaping
  const version = r.seq;
  const afterId = actionSuffixOf(version);
  const itemAction = actionPrefixOf(JSON.stringify(ITEM_INDEX));
  const userAction = actionPrefixOf(JSON.stringify(USER_INDEX));
  const docs: Doc[] = [];
  const c = changesOf(r);
  for (let k = 0; k < c.itemIdx.length; k++) {
    const id = s.items.idOf(c.itemIdx[k]);
    const idJson = JSON.stringify(id);
    // min/max per second exist once a window of the item has closed.
    const closed = c.itemClosed[k];
    const max = closed > 0 ? c.itemMax[k] : null;
    const min = closed > 0 ? c.itemMin[k] : null;
    docs.push({
      index: ITEM_INDEX,
      id,
      lines: `${itemAction}${idJson}${afterId}{"item_id":${idJson},"total_interactions":${c.itemTotal[k]},"max_per_sec":${max},"min_per_sec":${min},"windows":${closed},"@timestamp":${at}}\n`,
    });
  }
  for (let k = 0; k < c.userIdx.length; k++) {
    const id = s.users.idOf(c.userIdx[k]);
    const idJson = JSON.stringify(id);
    docs.push({
      index: USER_INDEX,
      id,
      lines: `${userAction}${idJson}${afterId}{"user_id":${idJson},"total_interactions":${c.userTotal[k]},"@timestamp":${at}}\n`,
    });
  }
  const distinct = r.firstNewUser + r.newUserIds.length;
  docs.push({
    index: AVG_INDEX,
    id: GLOBAL_DOC_ID,
    lines: linesOf(
      JSON.stringify(AVG_INDEX),
      JSON.stringify(GLOBAL_DOC_ID),
      version,
      JSON.stringify({
        avg_interactions_per_user: distinct === 0 ? 0 : r.valid / distinct,
        total_interactions: r.valid,
        distinct_users: distinct,
        late_events: r.late,
        invalid_events: r.invalid,
        window_ms: settings.windowMs,
        allowed_lateness_ms: settings.allowedLatenessMs,
        '@timestamp': iso,
      }),
    ),
  });
  return docs;
}
