/**
 * Id strings → dense indices 0, 1, 2…, so that everything else is a typed array indexed by id.
 * Indices are never reused (state only grows; a checkpoint stores ids in index order).
 */
export class Dictionary {
  private readonly index = new Map<string, number>();
  readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, adding it when new. */
  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.index.set(id, i);
      this.ids.push(id);
    }
    return i;
  }

  get(id: string): number | undefined {
    return this.index.get(id);
  }
}

/** Grows a typed array to hold at least `n` entries (doubling), keeping its contents. */
export function ensureCapacity<T extends Float64Array | Uint32Array | Uint8Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  let size = Math.max(1024, a.length);
  while (size < n) size *= 2;
  const grown = new (a.constructor as new (n: number) => T)(size);
  grown.set(a);
  return grown;
}
