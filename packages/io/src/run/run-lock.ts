import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SaekitError } from '@saekit/core';
import { isAlive, tempPathFor } from '../util/atomic.js';
import { asFileSystemError } from '../util/fs-errors.js';

/** The lock file of a run folder. */
export const LOCK_NAME = '.saekit.lock';

/** Another live process holds the folder's lock. */
export class RunLockedError extends SaekitError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${dir}: another saekit process (pid ${holder.pid} on ${holder.host}, since ${holder.since}) is writing this run; wait for it or use another --out`,
    );
  }
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/**
 * One writer per run folder: a lock file made atomically (a hard link of a complete temp
 * file, so no reader ever sees half a lock) naming its process. A lock whose process is gone
 * (killed, crashed) is stale and taken over; `stale` reports it.
 */
export class RunLock {
  private constructor(
    readonly path: string,
    /** The lock this one replaced, when its process had died. */
    readonly stale: LockHolder | null,
  ) {}

  static async acquire(dir: string): Promise<RunLock> {
    const path = join(dir, LOCK_NAME);
    const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const tmp = tempPathFor(path);
    try {
      await writeFile(tmp, `${JSON.stringify(me)}\n`);
      let stale: LockHolder | null = null;
      for (let attempt = 0; ; attempt++) {
        try {
          await link(tmp, path);
          return new RunLock(path, stale);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
        }
        const holder = await readHolder(path);
        if (holder === 'gone') continue; // released between our link and our read
        if (holder !== null && holder.host === me.host && !isAlive(holder.pid)) {
          // Its process is gone: the lock is stale. One more try after removing it; a
          // second process doing the same at the same moment makes our link fail instead.
          stale = holder;
          await rm(path, { force: true });
          continue;
        }
        if (holder === null) {
          // Unreadable: a lock written by something else, or by a disk that failed. Not ours
          // to take.
          throw new SaekitError(
            `${path}: a lock file that is not saekit's; remove it if no run is writing ${dir}`,
          );
        }
        throw new RunLockedError(dir, holder);
      }
    } catch (err) {
      throw asFileSystemError(err, path, 'lock');
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Removes the lock if it is still this process's. */
  async release(): Promise<void> {
    const holder = await readHolder(this.path);
    if (holder !== 'gone' && holder?.pid === process.pid && holder.host === hostname()) {
      await rm(this.path, { force: true });
    }
  }
}

/** Who holds the lock; null when the file is not a saekit lock, 'gone' when there is none. */
async function readHolder(path: string): Promise<LockHolder | null | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.since === 'string'
      ? { pid: v.pid, host: v.host, since: v.since }
      : null;
  } catch {
    return null;
  }
}
