/**
 * Avro events, written to be obviously right: avsc decodes the message with Avro's schema
 * resolution (writer schema from the registry → the engine's reader schema, reader.avsc) into an
 * object, and the contract's rules judge it (event-reference.ts validateFields). The plan of
 * avro-decode.ts must agree with it on every input; the tests check that it does.
 *
 * `AvroReaders` holds, per pool worker, what each schema id compiles to: a plan and a resolver,
 * or the reason its events are dead-lettered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { AVRO_HEADER_BYTES, avroUnwalkable } from './avro-decode.js';
import { type AvroNode, compileWriter } from './avro-plan.js';
import { type TimeRange, type Verdict, validateFields } from './event-reference.js';
import { MAX_EVENT_BYTES } from './event-rules.js';
import type { AvroWriter } from './messages.js';
import { packageRoot } from './package-root.js';

/** The engine's reader schema (engine/schema/reader.avsc). */
export const READER_SCHEMA = JSON.parse(
  readFileSync(join(packageRoot(), 'engine', 'schema', 'reader.avsc'), 'utf8'),
) as { name: string; namespace?: string; fields: unknown[] };

export type CompiledWriter =
  | { ok: true; plan: AvroNode; reader: avro.Type; resolver: avro.Resolver }
  | { ok: false; reason: string };

/**
 * A writer schema checked against the reader schema. The top-level record's name is not compared
 * (a producer's record may be called anything): the reader takes the writer's name.
 */
export function compileSchema(id: number, schema: string): CompiledWriter {
  try {
    const json = JSON.parse(schema);
    const writer = avro.Type.forSchema(json);
    const reader = avro.Type.forSchema({
      ...READER_SCHEMA,
      name: writer.name ?? 'Event',
      namespace: undefined,
    } as avro.Schema);
    const resolver = reader.createResolver(writer);
    return { ok: true, plan: compileWriter(json), reader, resolver };
  } catch (e) {
    return {
      ok: false,
      reason: `schema: id ${id} cannot be read as an interaction event (${(e as Error).message})`,
    };
  }
}

/** The schema id of an Avro message (its bytes 1–4), or -1 when it has no full header. */
export function schemaIdOf(b: Uint8Array, start: number, end: number): number {
  if (end - start < AVRO_HEADER_BYTES || b[start] !== 0) return -1;
  return ((b[start + 1] << 24) | (b[start + 2] << 16) | (b[start + 3] << 8) | b[start + 4]) >>> 0;
}

/** A worker's compiled writer schemas, by id (a registry never changes what an id means). */
export class AvroReaders {
  private readonly byId = new Map<number, CompiledWriter>();

  /** Takes a task's writers: compiled once per id and worker. */
  learn(writers: AvroWriter[] | undefined): void {
    if (!writers) return;
    for (const w of writers) {
      if (this.byId.has(w.id)) continue;
      this.byId.set(
        w.id,
        w.schema !== undefined
          ? compileSchema(w.id, w.schema)
          : { ok: false, reason: w.error ?? `schema: unknown id ${w.id}` },
      );
    }
  }

  get(id: number): CompiledWriter | undefined {
    return this.byId.get(id);
  }
}

/** The reason an Avro message cannot be read without its schema; undefined when it can. */
export function avroUnreadable(
  value: Uint8Array,
  writer: CompiledWriter | undefined,
  registry: boolean,
): string | undefined {
  if (value.length < AVRO_HEADER_BYTES) return 'avro: shorter than its 5-byte header';
  if (value.length > MAX_EVENT_BYTES) return `message larger than ${MAX_EVENT_BYTES} bytes`;
  if (!registry) return 'avro: no registry configured';
  if (!writer) return `schema: unknown id ${schemaIdOf(value, 0, value.length)}`;
  return writer.ok ? undefined : writer.reason;
}

/** One Avro message (header included) judged by the reference: decode, resolve, validate. */
export function validateAvro(
  value: Uint8Array,
  writer: CompiledWriter | undefined,
  registry: boolean,
  range: TimeRange,
): Verdict {
  const unreadable = avroUnreadable(value, writer, registry);
  if (unreadable !== undefined || !writer?.ok) return { ok: false, reason: unreadable ?? 'schema: unknown' };
  // avsc believes a block's count: the bytes are walked within the engine's limits first.
  const unwalkable = avroUnwalkable(value, 0, value.length, writer.plan);
  if (unwalkable !== undefined) return { ok: false, reason: unwalkable };
  let obj: Record<string, unknown>;
  try {
    const body = Buffer.from(
      value.buffer,
      value.byteOffset + AVRO_HEADER_BYTES,
      value.length - AVRO_HEADER_BYTES,
    );
    obj = writer.reader.fromBuffer(body, writer.resolver) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, reason: `avro: ${(e as Error).message}` };
  }
  return validateFields(obj, range);
}
