import * as fs from 'node:fs';
import * as path from 'node:path';

/** The lock file that keeps a second server out of a data directory. */
export const LOCK_FILE = 'lock';

/** Lock files this process holds: its own PID in a lock file is only stale if it is not one of these. */
const held = new Set<string>();

/**
 * Takes the data directory's lock: a file holding this process's PID. A lock left by a
 * process that no longer runs is taken over; one held by a live process is refused.
 * Returns what to log (a takeover) and how to let go.
 */
export function takeLock(dir: string): { tookOverFrom: number | undefined; release(): void } {
  const file = path.join(dir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readOrEmpty(file), 10);
    const live = holder === process.pid ? held.has(file) : Number.isInteger(holder) && holder > 0 && isRunning(holder);
    if (live) {
      throw new Error(`the data directory ${dir} is in use by the server with PID ${holder} (lock file ${file}); stop that server or choose another data directory.`);
    }
    tookOverFrom = Number.isInteger(holder) && holder > 0 ? holder : undefined;
    fs.rmSync(file, { force: true });
  }
  held.add(file);
  return {
    tookOverFrom,
    release() {
      held.delete(file);
      if (readOrEmpty(file).trim() === String(process.pid)) fs.rmSync(file, { force: true });
    },
  };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
