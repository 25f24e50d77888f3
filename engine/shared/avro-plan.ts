/**
 * A writer schema (its JSON, as the registry gives it) compiled into the plan avro-decode.ts
 * follows: per type what to skip, and for the top-level record's fields which `scan` slot each is
 * read into. Pure: no bytes here.
 */
import { internalError } from '../errors/errors.js';

/** Writer types as the plan reads them. */
export enum K {
  Null,
  Boolean,
  Int,
  Long,
  Float,
  Double,
  Bytes,
  String,
  Fixed,
  Enum,
  Array,
  Map,
  Record,
  Union,
}

/** A writer type, compiled. */
export interface AvroNode {
  k: K;
  /** fixed: its size. */
  size?: number;
  /** array items, map values. */
  item?: AvroNode;
  /** record fields (what each is read into: a Slot), union branches. */
  fields?: { slot: Slot; node: AvroNode }[];
  branches?: AvroNode[];
}

/** Where a top-level field goes; Skip for every field the aggregates do not read. */
export enum Slot {
  Skip,
  User,
  Item,
  Time,
  Price,
  Session,
  Category,
  Type,
}

const SLOT_OF: Record<string, Slot> = {
  user_id: Slot.User,
  item_id: Slot.Item,
  timestamp: Slot.Time,
  price_usd: Slot.Price,
  session_id: Slot.Session,
  category: Slot.Category,
  interaction_type: Slot.Type,
};

const KIND_OF: Record<string, K> = {
  null: K.Null,
  boolean: K.Boolean,
  int: K.Int,
  long: K.Long,
  float: K.Float,
  double: K.Double,
  bytes: K.Bytes,
  string: K.String,
};

type SchemaJson = string | SchemaJson[] | { type: SchemaJson | string; [k: string]: unknown };

/**
 * A writer schema (its JSON, as the registry gives it) as a plan. Named types referenced by name
 * are resolved through `named`; the top-level record's fields get their slots.
 */
export function compileWriter(schema: SchemaJson): AvroNode {
  const named = new Map<string, AvroNode>();
  const node = (s: SchemaJson, ns: string, top: boolean): AvroNode => {
    if (Array.isArray(s)) return { k: K.Union, branches: s.map((b) => node(b, ns, false)) };
    if (typeof s === 'string') {
      const k = KIND_OF[s];
      if (k !== undefined) return { k };
      const ref = named.get(s) ?? named.get(`${ns}.${s}`);
      if (!ref) throw internalError(`unknown type ${s}`);
      return ref;
    }
    const t = s.type;
    if (typeof t !== 'string') return node(t, ns, top);
    const name = typeof s.name === 'string' ? s.name : undefined;
    const space = typeof s.namespace === 'string' ? s.namespace : ns;
    const full =
      name === undefined ? undefined : name.includes('.') ? name : space ? `${space}.${name}` : name;
    const childNs = full?.includes('.') ? full.slice(0, full.lastIndexOf('.')) : space;
    const register = (n: AvroNode) => {
      if (full) named.set(full, n);
      if (name) named.set(name, n);
      return n;
    };
    switch (t) {
      case 'record':
      case 'error': {
        const n: AvroNode = register({ k: K.Record, fields: [] });
        for (const f of s.fields as { name: string; type: SchemaJson }[])
          n.fields?.push({
            slot: top ? (SLOT_OF[f.name] ?? Slot.Skip) : Slot.Skip,
            node: node(f.type, childNs, false),
          });
        return n;
      }
      case 'enum':
        return register({ k: K.Enum });
      case 'fixed':
        return register({ k: K.Fixed, size: s.size as number });
      case 'array':
        return { k: K.Array, item: node(s.items as SchemaJson, ns, false) };
      case 'map':
        return { k: K.Map, item: node(s.values as SchemaJson, ns, false) };
      default:
        return node(t, ns, top);
    }
  };
  const root = node(schema, '', true);
  if (root.k !== K.Record) throw internalError('the writer schema is not a record');
  return root;
}
