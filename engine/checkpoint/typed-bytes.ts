/** Typed arrays in a checkpoint record: carried as their bytes (msgpack bin), read back typed. */

/** The bytes of a typed array (a view, no copy). */
export const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Bytes as the wider typed array they hold (read only): a view when aligned — a record made in
 * this process, on every flush — else a copy (msgpack bins of a decoded record are not aligned).
 */
export function view<T extends Uint32Array | Float64Array>(
  ctor: { new (b: ArrayBufferLike, at: number, n: number): T; BYTES_PER_ELEMENT: number },
  b: Uint8Array,
): T {
  const size = ctor.BYTES_PER_ELEMENT;
  if (b.byteOffset % size === 0) return new ctor(b.buffer, b.byteOffset, b.byteLength / size);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new ctor(copy.buffer, 0, b.byteLength / size);
}
