/**
 * An ISO-8601 time with a zone read straight from bytes (the fast decoder's time field): digit
 * arithmetic, no string, and the calendar math done once per day (cached).
 */
import { daysFromCivil, daysInMonth } from './event-rules.js';

/** n decimal digits at i as a number, or -1 when one is not a digit. */
export function digits(b: Uint8Array, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[i + k] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

let cachedDayKey = -1;
let cachedDays = 0;

/** ISO-8601 with zone between s and e (exclusive), or NaN when not exactly that shape. */
export function isoTime(b: Uint8Array, s: number, e: number): number {
  if (
    e - s < 20 ||
    b[s + 4] !== 0x2d ||
    b[s + 7] !== 0x2d ||
    b[s + 10] !== 0x54 ||
    b[s + 13] !== 0x3a ||
    b[s + 16] !== 0x3a
  ) {
    return Number.NaN;
  }
  const y = digits(b, s, 4);
  const mo = digits(b, s + 5, 2);
  const d = digits(b, s + 8, 2);
  const h = digits(b, s + 11, 2);
  const mi = digits(b, s + 14, 2);
  const sec = digits(b, s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return Number.NaN;
  let i = s + 19;
  let ms = 0;
  if (b[i] === 0x2e) {
    i++;
    const f = i;
    while (i < e && b[i] >= 0x30 && b[i] <= 0x39) {
      if (i - f < 3) ms = ms * 10 + (b[i] - 0x30);
      i++;
    }
    const nd = i - f;
    if (nd === 0 || nd > 9) return Number.NaN;
    if (nd === 1) ms *= 100;
    else if (nd === 2) ms *= 10;
  }
  let offsetMin = 0;
  if (b[i] === 0x5a && i + 1 === e) {
    // Z
  } else if ((b[i] === 0x2b || b[i] === 0x2d) && i + 6 === e && b[i + 3] === 0x3a) {
    const oh = digits(b, i + 1, 2);
    const om = digits(b, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    offsetMin = (b[i] === 0x2d ? -1 : 1) * (oh * 60 + om);
  } else return Number.NaN;
  // Events of one day share the date: cache its day number (calendar math once per day). The key
  // is unique for every two-digit day and month (a day of 33 must not reuse another date's check).
  const dayKey = (y * 100 + mo) * 100 + d;
  if (dayKey !== cachedDayKey) {
    if (d > daysInMonth(y, mo)) return Number.NaN;
    cachedDays = daysFromCivil(y, mo, d);
    cachedDayKey = dayKey;
  }
  return ((cachedDays * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offsetMin * 60_000;
}
