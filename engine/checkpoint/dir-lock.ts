/**
 * One engine per CHECKPOINT_DIR: a lock file made with O_EXCL, holding the owner's pid and host.
 * A lock left by an engine that died (kill -9, a lost node) is taken over with a warning when its
 * owner is provably gone: same host and that pid is not a running node process, or it is this
 * very pid (a container restarted on the same volume runs as pid 1 again). A lock from another
 * host is never taken over: the start stops, naming it.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RiaError } from '../errors/errors.js';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A pid reused by something else after a reboot is not an engine.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc: assume it runs
  }
}

export class DirLock {
  readonly file: string;
  private held = false;

  constructor(dir: string) {
    this.file = join(dir, 'checkpoint.lock');
  }

  /** Takes the lock; returns a warning when it took over a dead engine's lock. */
  acquire(): string | undefined {
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    let warning: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, 'wx');
        writeSync(fd, JSON.stringify(me));
        closeSync(fd);
        this.held = true;
        return warning;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = this.owner();
      const gone = !owner || (owner.host === me.host && (owner.pid === me.pid || !running(owner.pid)));
      if (!gone)
        throw new RiaError(
          `CHECKPOINT_DIR ${this.file.slice(0, -'/checkpoint.lock'.length)} is in use by another engine (pid ${owner.pid} on ${owner.host} since ${owner.since}): give each engine its own CHECKPOINT_DIR (delete ${this.file} only if no engine runs there)`,
          { code: 'RIA_ERR_LOCKED' },
        );
      warning = owner
        ? `WARNING: took over the checkpoint lock of an engine that is gone (pid ${owner.pid} on ${owner.host} since ${owner.since})`
        : 'WARNING: took over a checkpoint lock left half written by a crash';
      rmSync(this.file, { force: true });
    }
    throw new RiaError(`cannot take the lock ${this.file}: another engine took it at the same moment`, {
      code: 'RIA_ERR_LOCKED',
    });
  }

  private owner(): LockOwner | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockOwner;
    } catch {
      return undefined; // written half (a crash at its creation): treat as gone
    }
  }

  release(): void {
    if (this.held) rmSync(this.file, { force: true });
    this.held = false;
  }
}
