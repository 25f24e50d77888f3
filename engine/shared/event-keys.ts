/**
 * The known keys of an interaction event, for the byte scanner (fast-decode.ts): which field a
 * key is, as a bit (user_id 1, item_id 2, timestamp 4, price_usd 8, event_id 16, session_id 32,
 * category 64, interaction_type 128), read from the key's bytes without making a string.
 */

// Known keys by their length and first bytes (checked in full by keyIs).
const K_USER = Buffer.from('user_id');
const K_ITEM = Buffer.from('item_id');
const K_TIME = Buffer.from('timestamp');
const K_PRICE = Buffer.from('price_usd');
const K_EVENT = Buffer.from('event_id');
const K_SESSION = Buffer.from('session_id');
const K_CATEGORY = Buffer.from('category');
const K_TYPE = Buffer.from('interaction_type');

/** Whether b[s, e) is exactly k. */
export function keyIs(b: Uint8Array, s: number, e: number, k: Uint8Array): boolean {
  if (e - s !== k.length) return false;
  for (let i = 0; i < k.length; i++) if (b[s + i] !== k[i]) return false;
  return true;
}

/** Which known field a key is (a bit), or 0; one comparison chosen by length and first byte. */
export function knownKey(b: Uint8Array, s: number, e: number): number {
  switch (e - s) {
    case 7:
      return b[s] === 0x75 ? (keyIs(b, s, e, K_USER) ? 1 : 0) : keyIs(b, s, e, K_ITEM) ? 2 : 0;
    case 9:
      return b[s] === 0x74 ? (keyIs(b, s, e, K_TIME) ? 4 : 0) : keyIs(b, s, e, K_PRICE) ? 8 : 0;
    case 8:
      return b[s] === 0x65 ? (keyIs(b, s, e, K_EVENT) ? 16 : 0) : keyIs(b, s, e, K_CATEGORY) ? 64 : 0;
    case 10:
      return keyIs(b, s, e, K_SESSION) ? 32 : 0;
    case 16:
      return keyIs(b, s, e, K_TYPE) ? 128 : 0;
    default:
      return 0;
  }
}

/** Each known key with its quotes and colon, as producers write it (`"user_id":`), and its bit. */
const QUOTED = (k: Uint8Array, bit: number) => ({ bytes: Buffer.from(`"${k.toString()}":`), bit });
const Q_EVENT = QUOTED(K_EVENT, 16);
const Q_SESSION = QUOTED(K_SESSION, 32);
const Q_USER = QUOTED(K_USER, 1);
const Q_ITEM = QUOTED(K_ITEM, 2);
const Q_TYPE = QUOTED(K_TYPE, 128);
const Q_CATEGORY = QUOTED(K_CATEGORY, 64);
const Q_PRICE = QUOTED(K_PRICE, 8);
const Q_TIME = QUOTED(K_TIME, 4);

/**
 * A known key written plainly at p (`"user_id":`, no space before the colon): its bit << 5 |
 * how many bytes that is; 0 otherwise (the general path then reads the key). One comparison
 * chosen by the key's first letter, instead of finding the key's end and comparing it again.
 */
export function quickKey(b: Uint8Array, p: number, end: number): number {
  let k: { bytes: Uint8Array; bit: number };
  switch (b[p + 1]) {
    case 0x65: // e
      k = Q_EVENT;
      break;
    case 0x73: // s
      k = Q_SESSION;
      break;
    case 0x75: // u
      k = Q_USER;
      break;
    case 0x69: // i
      k = b[p + 2] === 0x74 ? Q_ITEM : Q_TYPE;
      break;
    case 0x63: // c
      k = Q_CATEGORY;
      break;
    case 0x70: // p
      k = Q_PRICE;
      break;
    case 0x74: // t
      k = Q_TIME;
      break;
    default:
      return 0;
  }
  const n = k.bytes.length;
  if (p + n > end) return 0;
  for (let i = 0; i < n; i++) if (b[p + i] !== k.bytes[i]) return 0;
  return (k.bit << 5) | n;
}
