/**
 * The pool worker (Piscina): imports only engine/shared (piscina's own rule: the worker side
 * shares nothing with the main thread but message types and codecs).
 */
import { decodeBatch } from '../shared/batch-decode.js';
import type { BatchTask } from '../shared/messages.js';

export default function processBatch(task: BatchTask) {
  return decodeBatch(task);
}
