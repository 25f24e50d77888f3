/**
 * The JSON grammar over bytes, for the hot-path scanner (fast-decode.ts): each function takes a
 * position and returns the position after what it recognised, or -1 — no strings, no objects.
 */
export const Q = 0x22; // "
const BS = 0x5c; // backslash

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Position after whitespace from p. */
export function ws(b: Uint8Array, p: number, end: number): number {
  while (p < end && isWs(b[p])) p++;
  return p;
}

/**
 * A string starting at p (the opening quote): the position of its closing quote, or -1 when it
 * is not a plain ASCII JSON string (a byte ≥ 0x80 sends the event to the reference validator,
 * which checks UTF-8). Escapes are allowed only when `escapes`.
 */
export function stringEnd(b: Uint8Array, p: number, end: number, escapes: boolean): number {
  let i = p + 1;
  while (i < end) {
    const c = b[i];
    if (c === Q) return i;
    if (c < 0x20 || c >= 0x80) return -1;
    if (c === BS) {
      if (!escapes || i + 1 >= end) return -1;
      const x = b[i + 1];
      if (x === 0x75) {
        // \uXXXX: four hex digits
        for (let k = 2; k < 6; k++) {
          const h = b[i + k] | 0x20;
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66))) return -1;
        }
        i += 6;
        continue;
      }
      // \" \\ \/ \b \f \n \r \t
      if (
        x !== Q &&
        x !== BS &&
        x !== 0x2f &&
        x !== 0x62 &&
        x !== 0x66 &&
        x !== 0x6e &&
        x !== 0x72 &&
        x !== 0x74
      )
        return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/** A JSON number at p (strict grammar); returns its end or -1. */
export function numberEnd(b: Uint8Array, p: number, end: number): number {
  let i = p;
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    i++;
    const d = i;
    while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === d) return -1;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const d = i;
    while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === d) return -1;
  }
  return i;
}

export function literalEnd(b: Uint8Array, p: number, end: number, lit: string): number {
  if (p + lit.length > end) return -1;
  for (let i = 0; i < lit.length; i++) if (b[p + i] !== lit.charCodeAt(i)) return -1;
  return p + lit.length;
}

/** Skips any JSON value at p (for unknown fields); returns the position after it, or -1. */
export function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  if (depth > 32 || p >= end) return -1;
  const c = b[p];
  if (c === Q) {
    const e = stringEnd(b, p, end, true);
    return e < 0 ? -1 : e + 1;
  }
  if (c === 0x7b || c === 0x5b) {
    const close = c === 0x7b ? 0x7d : 0x5d;
    p = ws(b, p + 1, end);
    if (b[p] === close) return p + 1;
    for (;;) {
      if (c === 0x7b) {
        if (b[p] !== Q) return -1;
        const e = stringEnd(b, p, end, true);
        if (e < 0) return -1;
        p = ws(b, e + 1, end);
        if (b[p] !== 0x3a) return -1;
        p = ws(b, p + 1, end);
      }
      p = skipValue(b, p, end, depth + 1);
      if (p < 0) return -1;
      p = ws(b, p, end);
      if (b[p] === 0x2c) {
        p = ws(b, p + 1, end);
        continue;
      }
      return b[p] === close ? p + 1 : -1;
    }
  }
  if (c === 0x74) return literalEnd(b, p, end, 'true');
  if (c === 0x66) return literalEnd(b, p, end, 'false');
  if (c === 0x6e) return literalEnd(b, p, end, 'null');
  return numberEnd(b, p, end);
}
