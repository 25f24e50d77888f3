/**
 * Writes ASCII text and byte strings into a reused buffer. For the short pieces of an event a
 * plain loop beats Buffer#write (which checks its arguments and flattens strings first).
 */
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0');
  HEX[2 * i] = h.charCodeAt(0);
  HEX[2 * i + 1] = h.charCodeAt(1);
}

export class ByteWriter {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /**
   * Copies src: a loop for a few bytes, TypedArray#set (a memcpy) above that — a byte loop's cost
   * grows with each byte, set() costs one call (results/producer-micro.json measures the writer).
   */
  bytes(src: Uint8Array): void {
    if (src.length > 12) {
      this.buf.set(src, this.pos);
      this.pos += src.length;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < src.length; i++) buf[p++] = src[i];
    this.pos = p;
  }

  /** Text known to be ASCII (our own ids and numbers). */
  ascii(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Two lowercase hex digits of the byte x. */
  private hex(x: number): void {
    this.buf[this.pos] = HEX[2 * x];
    this.buf[this.pos + 1] = HEX[2 * x + 1];
    this.pos += 2;
  }

  /** A version-4 UUID (8-4-4-4-12 hex) from four random words. */
  uuid(w: Uint32Array): void {
    const a = w[0];
    const c = w[1];
    const d = w[2];
    const e = w[3];
    this.hex(a >>> 24);
    this.hex((a >>> 16) & 0xff);
    this.hex((a >>> 8) & 0xff);
    this.hex(a & 0xff);
    this.byte(0x2d);
    this.hex(c >>> 24);
    this.hex((c >>> 16) & 0xff);
    this.byte(0x2d);
    this.hex(0x40 | ((c >>> 8) & 0x0f));
    this.hex(c & 0xff);
    this.byte(0x2d);
    this.hex(0x80 | ((d >>> 24) & 0x3f));
    this.hex((d >>> 16) & 0xff);
    this.byte(0x2d);
    this.hex((d >>> 8) & 0xff);
    this.hex(d & 0xff);
    this.hex(e >>> 24);
    this.hex((e >>> 16) & 0xff);
    this.hex((e >>> 8) & 0xff);
    this.hex(e & 0xff);
  }
}

/** The same UUID as text (for the slow paths: msgpack, invalid events). */
export function uuidText(w: Uint32Array): string {
  const buf = new Uint8Array(36);
  const bw = new ByteWriter(buf);
  bw.uuid(w);
  return Buffer.from(buf).toString('latin1');
}
