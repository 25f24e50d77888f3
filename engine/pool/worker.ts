/**
 * The pool worker (Piscina): imports only engine/shared (piscina's own rule: the worker side
 * shares nothing with the main thread but message types and codecs).
 */
import { decodeBatch } from '../shared/batch-decode.js';
import type { BatchDelta, BatchTask } from '../shared/messages.js';
import { nameThisThread } from '../shared/thread-name.js';

nameThisThread('ria-pool');

/** One task: the segments of one or more partitions (see BatchStream.countBatch), a delta each. */
export default function processBatch(tasks: BatchTask[]): BatchDelta[] {
  return tasks.map(decodeBatch);
}
