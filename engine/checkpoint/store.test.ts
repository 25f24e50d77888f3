/**
 * The checkpoint store on a disk that misbehaves: short writes, a zero-filled or torn tail, a
 * damaged frame in the middle, a compaction whose file does not read back or cannot be renamed,
 * two engines on one directory. Faults are injected at the file-operation boundary (StoreFs) or
 * written into real files.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AggregateState } from '../window/aggregate-state.js';
import { type CheckpointRecord, makeRecord } from './record.js';
import { CheckpointStore, type StoreFs } from './store.js';

const header = {
  format: 'ria-checkpoint/1' as const,
  topic: 't',
  windowMs: 1000,
  allowedLatenessMs: 500,
  sessionGapMs: 1_800_000,
};

function records(n: number): CheckpointRecord[] {
  const s = new AggregateState(1000);
  const out: CheckpointRecord[] = [];
  for (let i = 1; i <= n; i++) {
    s.internItem(`item-${i}`);
    s.internUser(`user-${i}`);
    const cut = { offsets: { 0: i }, partitionMax: { 0: i }, invalid: 0, dlqEnd: 0, dlqCovered: {} };
    out.push(
      makeRecord(
        s,
        { items: [i - 1], users: [i - 1], categories: [] },
        { items: i - 1, users: i - 1, categories: 0 },
        cut,
        i,
        i,
      ),
    );
  }
  return out;
}

/** A store in a new directory holding `n` records, closed; its file and the frame ends. */
function storeWith(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ria-store-'));
  const store = new CheckpointStore(dir, header);
  store.load();
  const ends = [statSync(store.file).size];
  for (const r of records(n)) {
    store.append(r);
    ends.push(store.size);
  }
  store.close();
  return { dir, file: store.file, ends };
}

function reopen(dir: string, io: StoreFs = fs) {
  const warnings: string[] = [];
  const store = new CheckpointStore(dir, header, (m) => warnings.push(m), io);
  return { store, warnings, load: () => store.load().map((r) => r.seq) };
}

describe('checkpoint store on a misbehaving disk', () => {
  it('a short write is continued until every byte is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ria-store-'));
    // A disk that takes at most 7 bytes per write.
    const io: StoreFs = {
      ...fs,
      writeSync: ((fd: number, buf: Buffer, off: number, len: number, pos: number) =>
        fs.writeSync(fd, buf, off, Math.min(7, len), pos)) as typeof fs.writeSync,
    };
    const { store } = reopen(dir, io);
    store.load();
    for (const r of records(3)) store.append(r);
    store.close();
    expect(reopen(dir).load()).toEqual([1, 2, 3]);
  });

  it('a write that writes nothing fails the append, and leaves no torn frame before the next one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ria-store-'));
    let failNext = false;
    const io: StoreFs = {
      ...fs,
      writeSync: ((fd: number, buf: Buffer, off: number, len: number, pos: number) => {
        if (!failNext) return fs.writeSync(fd, buf, off, len, pos);
        failNext = false;
        fs.writeSync(fd, buf, off, 5, pos); // part of the frame reached the disk…
        return 0; // …and the call says it wrote nothing
      }) as typeof fs.writeSync,
    };
    const { store } = reopen(dir, io);
    store.load();
    const [r1, r2, r3] = records(3);
    store.append(r1);
    failNext = true;
    expect(() => store.append(r2)).toThrow(/bytes written, then none/);
    store.append(r3); // goes where r2's bytes were: no torn frame in between
    store.close();
    expect(reopen(dir).load()).toEqual([1, 3]);
  });

  it('a zero-filled tail (power loss) drops only the incomplete last record, with a warning', () => {
    const { dir, file, ends } = storeWith(3);
    const bytes = readFileSync(file);
    // The last record's blocks came back as zeros, and the file was extended with more zeros.
    writeFileSync(
      file,
      Buffer.concat([bytes.subarray(0, ends[2]), Buffer.alloc(bytes.length - ends[2] + 4096)]),
    );
    const { load, warnings, store } = reopen(dir);
    expect(load()).toEqual([1, 2]);
    expect(statSync(file).size).toBe(ends[2]);
    expect(warnings.join('\n')).toMatch(/ended in \d+ bytes of an incomplete last record .*dropped/);
    store.close();
  });

  it('a zero-length frame (zeros over a frame head: crc32 of nothing is 0) is not a record', () => {
    const { dir, file, ends } = storeWith(2);
    writeFileSync(file, Buffer.concat([readFileSync(file).subarray(0, ends[2]), Buffer.alloc(8)]));
    expect(reopen(dir).load()).toEqual([1, 2]);
  });

  it('a torn last frame (cut mid-write) is dropped', () => {
    const { dir, file, ends } = storeWith(3);
    writeFileSync(file, readFileSync(file).subarray(0, ends[2] + 20));
    expect(reopen(dir).load()).toEqual([1, 2]);
  });

  it('a damaged frame with intact frames after it stops the start, naming the file and offset, and cuts nothing', () => {
    const { dir, file, ends } = storeWith(4);
    const bytes = readFileSync(file);
    bytes[ends[1] + 12] ^= 0xff; // a bit flip inside record 2's payload
    writeFileSync(file, bytes);
    expect(() => reopen(dir).load()).toThrow(
      new RegExp(
        `the checkpoint file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has a damaged frame at byte ${ends[1]} with intact data after it`,
      ),
    );
    expect(statSync(file).size).toBe(bytes.length);
  });

  it('compaction reads its file back before the rename: a bad copy keeps the old file in use', () => {
    const { dir } = storeWith(3);
    let corrupt = false;
    const io: StoreFs = {
      ...fs,
      readFileSync: ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
        const b = (fs.readFileSync as (...a: unknown[]) => Buffer)(path, ...rest);
        if (corrupt && String(path).endsWith('.tmp')) b[b.length - 3] ^= 0xff; // the disk returns other bytes
        return b;
      }) as typeof fs.readFileSync,
    };
    const { store } = reopen(dir, io);
    store.load();
    corrupt = true;
    expect(() => store.rewrite(records(1))).toThrow(/does not read back as written: the old file is kept/);
    corrupt = false;
    store.append(records(4)[3]);
    store.close();
    expect(reopen(dir).load()).toEqual([1, 2, 3, 4]);
  });

  it('a failed rename leaves appends going to the old file (not to a closed descriptor)', () => {
    const { dir } = storeWith(2);
    const io: StoreFs = {
      ...fs,
      renameSync: (() => {
        throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
      }) as typeof fs.renameSync,
    };
    const { store } = reopen(dir, io);
    store.load();
    expect(() => store.rewrite(records(1))).toThrow(/EXDEV/);
    store.append(records(3)[2]);
    store.close();
    expect(reopen(dir).load()).toEqual([1, 2, 3]);
  });

  it('one engine per directory: a second is refused with one line; a dead engine’s lock is taken over', () => {
    const { dir } = storeWith(1);
    const first = reopen(dir);
    first.load();
    // Another engine (another pid) holds it: refused.
    const lock = join(dir, 'checkpoint.lock');
    const host = JSON.parse(readFileSync(lock, 'utf8')).host as string;
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host, since: 'earlier' }));
    expect(() => reopen(dir).load()).toThrow(
      /is in use by another engine \(pid \d+ on .* since earlier\): give each engine its own CHECKPOINT_DIR/,
    );
    // From another host: refused, whatever its pid.
    writeFileSync(lock, JSON.stringify({ pid: 999_999, host: 'elsewhere', since: 'earlier' }));
    expect(() => reopen(dir).load()).toThrow(/in use by another engine \(pid 999999 on elsewhere/);
    // Its owner is gone (a pid that runs nothing here): taken over, with a warning.
    writeFileSync(lock, JSON.stringify({ pid: 999_999, host, since: 'earlier' }));
    const next = reopen(dir);
    expect(next.load()).toEqual([1]);
    expect(next.warnings.join('\n')).toMatch(
      /took over the checkpoint lock of an engine that is gone \(pid 999999/,
    );
    next.store.close();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('compacts when the file is past the minimum and twice the last snapshot, not after every record once a snapshot is large', () => {
    const { dir } = storeWith(0);
    const { store } = reopen(dir);
    store.load();
    const all = records(200);
    const min = 1024;
    // A snapshot larger than the minimum by itself (many open sessions).
    store.rewrite(all.slice(0, 150));
    const snapshot = store.size;
    expect(snapshot).toBeGreaterThan(min);
    store.append(all[150]);
    // The old rule (size > min) rewrote the whole state again here, and after every record.
    expect(store.size).toBeGreaterThan(min);
    expect(store.needsCompaction(min)).toBe(false);
    let appended = 151;
    while (store.size <= 2 * snapshot) store.append(all[appended++]);
    expect(store.needsCompaction(min)).toBe(true);
    // A small state: the minimum rules.
    store.rewrite([]);
    expect(store.needsCompaction(min)).toBe(false);
    for (let i = 0; store.size <= min; i++) store.append(all[i]);
    expect(store.needsCompaction(min)).toBe(true);
    store.close();
  });
});
