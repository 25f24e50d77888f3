/**
 * A flush's documents as changelog records: the document's JSON source (the second of its two bulk
 * lines), its index and id. Pure, so the flusher thread builds them and the main thread produces.
 */
import type { ChangelogRecord } from '../shared/messages.js';
import type { Doc } from '../sink/bulk-writer.js';

export function changelogRecordsOf(docs: readonly Doc[]): ChangelogRecord[] {
  return docs.map((d) => ({
    index: d.index,
    id: d.id,
    source: d.lines.slice(d.lines.indexOf('\n') + 1, -1),
  }));
}

/** The compacted topic that mirrors an index. */
export function changelogTopicOf(index: string): string {
  return `${index}.changelog`;
}
