import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MoveTask, SqsEngine } from '../engine';
import type { LocalQueue } from '../localQueue';
import type { DedupEntry, QueueStateObserver, StoredMessage } from '../queue';
import type { RestoredQueue } from '../queueRegistry';
import { encodeLine, readDataFile, syncDirectory, writeFileDurably } from './journalFile';
import { takeLock } from './lock';
import { applySavedState, savedMessage, savedQueue, savedState, storedMessage, type DataRecord, type SavedMessage } from './records';

/**
 * When an answer waits for the disk. `always`: every change is written and fsynced before
 * the answer (concurrent requests share one fsync), so nothing acknowledged is ever lost.
 * `interval`: changes are written to the operating system before the answer and fsynced
 * every {@link INTERVAL_FSYNC_MS}: a crash of the server loses nothing, a crash of the
 * machine or a power loss may lose the last 100 ms.
 */
export type FsyncPolicy = 'always' | 'interval';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'interval'];
export const INTERVAL_FSYNC_MS = 100;

export const SNAPSHOT_FILE = 'snapshot.jsonl';
export const JOURNAL_FILE = 'journal.jsonl';
const HANDLE_KEY_FILE = 'handle-key';
/** The journal is folded into a new snapshot once it is larger than this and than twice the snapshot. */
const MIN_COMPACT_BYTES = 16 * 1024 * 1024;
/** Actions that change no queue's attributes, tags or permissions: saving after them need not look at every queue. */
const MESSAGE_ACTIONS = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListQueues',
  'ListQueueTags',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
]);
/** Changes made outside requests (move tasks, expiry) reach the journal this often. */
const BACKGROUND_COMMIT_MS = 200;

export interface DataDirectoryOptions {
  fsync?: FsyncPolicy;
  /** Where recovery reports go (default: the console). */
  log?: { info(line: string): void; warn(line: string): void };
  /** Journal size that triggers a compaction (tests lower it); default 16 MiB or twice the snapshot. */
  compactAtBytes?: number;
}

interface SavedQueueData {
  queue: RestoredQueue;
  messages: Map<string, SavedMessage>;
  dedup: Map<string, DedupEntry>;
}

interface QueueJournal {
  queue: LocalQueue;
  /** Purges and deduplication keys, in the order they happened. */
  events: DataRecord[];
  changed: Set<StoredMessage>;
}

/**
 * A local server's data directory: a snapshot of every queue and message, and a journal of
 * the changes since, one checksummed JSON record a line. Changes are collected from the
 * queues' observers and written before each answer ({@link commit}); the journal is folded
 * into a new snapshot when it grows. A lock file keeps a second server out.
 */
export class DataDirectory {
  readonly fsync: FsyncPolicy;
  private readonly log: NonNullable<DataDirectoryOptions['log']>;
  private readonly lock: { release(): void };
  private readonly handleKey: Buffer;
  private engine: SqsEngine | undefined;
  private restoring = true;
  private readonly journals = new Map<LocalQueue, QueueJournal>();
  /** Move tasks changed since the last commit: written with the message moves they made. */
  private readonly changedTasks = new Set<MoveTask>();
  /** The name and last saved form of each queue's settings and tags, by incarnation. */
  private readonly savedQueues = new Map<string, { name: string; form: string }>();
  /** Messages whose whole record is in the files; later changes write only their state. */
  private written = new WeakSet<StoredMessage>();
  private fd: number;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private readonly compactAtBytes: number | undefined;
  private pending: string[] = [];
  private waiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  private flushing: Promise<void> | undefined;
  private unsynced = false;
  private failed: Error | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(readonly dir: string, options: DataDirectoryOptions) {
    this.fsync = options.fsync ?? 'always';
    this.log = options.log ?? { info: (l) => console.log(l), warn: (l) => console.warn(l) };
    this.compactAtBytes = options.compactAtBytes;
    fs.mkdirSync(dir, { recursive: true });
    const lock = takeLock(dir);
    this.lock = lock;
    if (lock.tookOverFrom !== undefined) this.log.info(`Data directory ${dir}: took over the lock of PID ${lock.tookOverFrom}, which no longer runs.`);
    try {
      this.handleKey = readOrCreateKey(path.join(dir, HANDLE_KEY_FILE));
      this.fd = fs.openSync(path.join(dir, JOURNAL_FILE), 'a');
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Opens (creating if needed) and locks a data directory. */
  static open(dir: string, options: DataDirectoryOptions = {}): DataDirectory {
    return new DataDirectory(path.resolve(dir), options);
  }

  /** What the engine needs to be built with: the queues' observer, and the receipt handles' key. */
  engineOptions(): { journal: (queue: LocalQueue) => QueueStateObserver; handleSecret: Buffer; moveTaskChanged: (task: MoveTask) => void } {
    return {
      journal: (queue) => this.observer(queue),
      handleSecret: this.handleKey,
      moveTaskChanged: (task) => {
        if (!this.restoring) this.changedTasks.add(task);
      },
    };
  }

  /**
   * Loads the snapshot and the journal into `engine` (built with {@link engineOptions}),
   * reports what was recovered and any damage, and starts journaling its changes.
   */
  restore(engine: SqsEngine): void {
    this.engine = engine;
    const started = performance.now();
    const snapshot = readDataFile<DataRecord>(path.join(this.dir, SNAPSHOT_FILE));
    const journal = readDataFile<DataRecord>(path.join(this.dir, JOURNAL_FILE));
    const saved = new Map<string, SavedQueueData>();
    const held = new Map<string, number>();
    const tasks = new Map<string, MoveTask>();
    let inconsistent = 0;
    for (const record of [...snapshot.records, ...journal.records]) {
      if (record.k === 'task') tasks.set(record.t.TaskHandle, record.t);
      else if (!apply(saved, held, record)) inconsistent++;
    }
    const now = engine.clock.now();
    let messages = 0;
    for (const data of saved.values()) {
      const queue = engine.queues.restoreQueue(data.queue);
      let lastSerial = 0;
      for (const m of data.messages.values()) {
        if (m.sentAt + data.queue.settings.MessageRetentionPeriod * 1000 <= now) continue;
        const stored = storedMessage(m);
        queue.state.insert(stored);
        this.written.add(stored);
        if (m.sequenceNumber) queue.state.sequenceAtLeast(m.sequenceNumber);
        lastSerial = Math.max(lastSerial, m.receiveSerial);
        messages++;
      }
      queue.state.receiveSerial = lastSerial;
      for (const [key, entry] of data.dedup) {
        if (entry.expiresAt <= now) continue;
        queue.state.rememberDedup(key, entry.messageId, entry.sequenceNumber, entry.expiresAt - now);
        if (entry.sequenceNumber) queue.state.sequenceAtLeast(entry.sequenceNumber);
      }
      this.savedQueues.set(queue.incarnation, { name: queue.name, form: JSON.stringify(savedQueue(queue)) });
    }
    for (const [name, at] of held) engine.queues.holdName(name, at);
    this.journals.clear();
    this.restoring = false;
    // Saved oldest first; the engine lists the newest first.
    engine.restoreMessageMoveTasks([...tasks.values()].reverse());
    this.snapshotBytes = snapshot.bytes;
    this.journalBytes = journal.bytes;
    const damaged = [...snapshot.damaged, ...journal.damaged];
    for (const d of damaged) this.log.warn(`Data directory: ${d.file} is damaged at line ${d.line} (byte ${d.byteOffset}): ${d.reason}; that record was skipped.`);
    if (inconsistent > 0) this.log.warn(`Data directory: ${inconsistent} journal record(s) named a queue or message that no earlier record created; they were skipped.`);
    const torn = journal.tornTail ? `; dropped an unfinished last record (${journal.tornTail.bytes} bytes at byte ${journal.tornTail.byteOffset} of ${JOURNAL_FILE}), as a crash leaves` : '';
    this.log.info(
      `Data directory ${this.dir}: restored ${saved.size} queue(s) and ${messages} message(s)${tasks.size > 0 ? ` and ${tasks.size} move task(s)` : ''} from ${snapshot.records.length} snapshot record(s) and ${journal.records.length} journal record(s) in ${Math.round(performance.now() - started)} ms${torn}.`,
    );
    if (damaged.length > 0) {
      const kept = keepDamaged(damaged.map((d) => d.file));
      this.log.warn(`Data directory: the damaged file(s) were kept as ${kept.join(', ')}; a new snapshot holds what was recovered.`);
    }
    if (damaged.length > 0 || journal.tornTail || inconsistent > 0) this.compact();
    this.timers.push(setInterval(() => void this.commit().catch(() => undefined), BACKGROUND_COMMIT_MS).unref());
    if (this.fsync === 'interval') this.timers.push(setInterval(() => this.syncNow(), INTERVAL_FSYNC_MS).unref());
  }

  /**
   * Writes every change made since the last call to the journal. Under `always` the promise
   * settles once they are on disk (requests that commit meanwhile share the next fsync);
   * under `interval` once the operating system has them. `action`, the request's, spares
   * the look at every queue's settings after an action that changes none.
   */
  commit(action?: string): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.engine || this.closed) return Promise.resolve();
    this.collect(action === undefined || !MESSAGE_ACTIONS.has(action));
    if (this.fsync === 'interval') {
      if (this.pending.length > 0) {
        try {
          this.writePending();
        } catch (err) {
          this.failed = asError(err);
          return Promise.reject(this.failed);
        }
      }
      return Promise.resolve();
    }
    if (this.pending.length === 0 && !this.flushing) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
  }

  /** Writes what is left, folds the journal into a snapshot (so the next start is quick), and lets go of the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    await this.flushing;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.engine) this.compact();
    fs.closeSync(this.fd);
    this.lock.release();
  }

  /** Lets go of the directory without writing anything: for a start that failed half-way. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    fs.closeSync(this.fd);
    this.lock.release();
  }

  private observer(queue: LocalQueue): QueueStateObserver {
    const journal = (): QueueJournal | undefined => {
      if (this.restoring) return undefined;
      let j = this.journals.get(queue);
      if (!j) {
        j = { queue, events: [], changed: new Set() };
        this.journals.set(queue, j);
      }
      return j;
    };
    return {
      messageChanged: (m) => journal()?.changed.add(m),
      purged: () => {
        const j = journal();
        if (!j) return;
        j.events.push({ k: 'purge', i: queue.incarnation });
        j.changed.clear();
      },
      dedupRemembered: (key, entry) => journal()?.events.push({ k: 'dedup', i: queue.incarnation, key, entry: { ...entry } }),
    };
  }

  /**
   * Turns the changes since the last call into journal lines, in an order that replays to
   * the same state. `scanQueues`: also compare every queue's settings, tags and permissions
   * with their saved form (queues with changed messages are always written before them).
   */
  private collect(scanQueues = true): void {
    const engine = this.engine;
    if (!engine) return;
    const lines: string[] = [];
    const saveQueue = (queue: LocalQueue): void => {
      const form = JSON.stringify(savedQueue(queue));
      if (this.savedQueues.get(queue.incarnation)?.form === form) return;
      this.savedQueues.set(queue.incarnation, { name: queue.name, form });
      lines.push(encodeLine({ k: 'queue', queue: savedQueue(queue) } satisfies DataRecord));
    };
    const isLive = (queue: LocalQueue): boolean => engine.queues.queueForArn(queue.arn) === queue;
    if (scanQueues) {
      const live = new Set<string>();
      for (const queue of engine.queues.all()) {
        live.add(queue.incarnation);
        saveQueue(queue);
      }
      const held = new Map(engine.queues.heldNames());
      for (const [incarnation, { name }] of this.savedQueues) {
        if (live.has(incarnation)) continue;
        const at = held.get(name);
        lines.push(encodeLine({ k: 'queueDeleted', i: incarnation, ...(at !== undefined ? { name, at } : {}) } satisfies DataRecord));
        this.savedQueues.delete(incarnation);
      }
    }
    // Removals go last: a write cut short between a message's arrival in a dead-letter queue
    // and its removal from the source leaves it in both (delivered again), never in neither.
    const removals: string[] = [];
    for (const j of this.journals.values()) {
      if (!isLive(j.queue)) continue;
      if (!this.savedQueues.has(j.queue.incarnation)) saveQueue(j.queue);
      for (const event of j.events) lines.push(encodeLine(event));
      for (const m of j.changed) {
        const record = this.messageRecord(j.queue, m);
        (record.k === 'gone' ? removals : lines).push(encodeLine(record));
      }
    }
    this.journals.clear();
    // A task's counts go with the moves they count, before the removals from its source: a
    // write cut short leaves a moved message in both queues, and the task does not move it again.
    for (const task of this.changedTasks) lines.push(encodeLine({ k: 'task', t: task } satisfies DataRecord));
    this.changedTasks.clear();
    lines.push(...removals);
    if (lines.length > 0) this.pending.push(lines.join(''));
  }

  private messageRecord(queue: LocalQueue, m: StoredMessage): DataRecord {
    const i = queue.incarnation;
    if (queue.state.messages.get(m.id) !== m) return { k: 'gone', i, id: m.id };
    if (this.written.has(m)) return { k: 'state', i, m: savedState(m) };
    this.written.add(m);
    return { k: 'message', i, m: savedMessage(m) };
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0 || this.waiters.length > 0) {
        const waiters = this.waiters;
        this.waiters = [];
        try {
          if (this.pending.length > 0) {
            const data = Buffer.from(this.pending.join(''), 'utf8');
            this.pending = [];
            await writeAll(this.fd, data);
            this.journalBytes += data.length;
            await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
            if (this.shouldCompact()) this.compact();
          }
          for (const w of waiters) w.resolve();
        } catch (err) {
          this.failed = asError(err);
          this.log.warn(`Data directory ${this.dir}: cannot write ${JOURNAL_FILE}: ${err instanceof Error ? err.message : String(err)}; changes are no longer saved.`);
          for (const w of [...waiters, ...this.waiters]) w.reject(err);
          this.waiters = [];
          return;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private writePending(): void {
    const data = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(this.fd, data, offset);
    this.journalBytes += data.length;
    this.unsynced = true;
    if (this.shouldCompact()) this.compact();
  }

  private syncNow(): void {
    if (!this.unsynced || this.closed || this.failed) return;
    this.unsynced = false;
    fs.fdatasync(this.fd, (err) => {
      if (!err) return;
      this.failed = err;
      this.log.warn(`Data directory ${this.dir}: cannot fsync ${JOURNAL_FILE}: ${err.message}; changes are no longer saved.`);
    });
  }

  private shouldCompact(): boolean {
    return this.journalBytes > (this.compactAtBytes ?? Math.max(MIN_COMPACT_BYTES, 2 * this.snapshotBytes));
  }

  /** Writes the whole state as a new snapshot, then empties the journal. */
  private compact(): void {
    const engine = this.engine;
    if (!engine) return;
    this.collect();
    // Lines not yet written describe state the snapshot holds anyway.
    this.pending = [];
    const written = this.written;
    this.snapshotBytes = writeFileDurably(path.join(this.dir, SNAPSHOT_FILE), snapshotLines(engine, (m) => written.add(m)));
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.journalBytes = 0;
  }
}

function* snapshotLines(engine: SqsEngine, written: (m: StoredMessage) => void): IterableIterator<string> {
  const now = engine.clock.now();
  for (const [name, at] of engine.queues.heldNames()) yield encodeLine({ k: 'nameHeld', name, at } satisfies DataRecord);
  // Oldest first, as the journal adds them.
  for (const t of [...engine.allMessageMoveTasks()].reverse()) yield encodeLine({ k: 'task', t } satisfies DataRecord);
  for (const queue of engine.queues.all()) {
    const i = queue.incarnation;
    yield encodeLine({ k: 'queue', queue: savedQueue(queue) } satisfies DataRecord);
    for (const [key, entry] of queue.state.dedupEntries(now)) yield encodeLine({ k: 'dedup', i, key, entry } satisfies DataRecord);
    for (const m of queue.state.messages.values()) {
      written(m);
      yield encodeLine({ k: 'message', i, m: savedMessage(m) } satisfies DataRecord);
    }
  }
}

/** Applies one record to the saved state; false when it names something no earlier record made. */
function apply(saved: Map<string, SavedQueueData>, held: Map<string, number>, record: DataRecord): boolean {
  switch (record.k) {
    case 'nameHeld':
      held.set(record.name, record.at);
      return true;
    case 'queue': {
      const existing = saved.get(record.queue.incarnation);
      if (existing) {
        existing.queue = record.queue;
        return true;
      }
      for (const [incarnation, data] of saved) if (data.queue.name === record.queue.name) saved.delete(incarnation);
      held.delete(record.queue.name);
      saved.set(record.queue.incarnation, { queue: record.queue, messages: new Map(), dedup: new Map() });
      return true;
    }
    case 'queueDeleted':
      saved.delete(record.i);
      if (record.name !== undefined && record.at !== undefined) held.set(record.name, record.at);
      return true;
    case 'purge': {
      const data = saved.get(record.i);
      data?.messages.clear();
      return data !== undefined;
    }
    case 'dedup': {
      const data = saved.get(record.i);
      data?.dedup.set(record.key, record.entry);
      return data !== undefined;
    }
    case 'message': {
      const data = saved.get(record.i);
      data?.messages.set(record.m.id, record.m);
      return data !== undefined;
    }
    case 'state': {
      const m = saved.get(record.i)?.messages.get(record.m.id);
      if (m) applySavedState(m, record.m);
      return m !== undefined;
    }
    case 'gone':
      saved.get(record.i)?.messages.delete(record.id);
      return true;
    default:
      return false;
  }
}

/** Keeps a copy of each damaged file beside it, so that nothing is thrown away unseen. */
function keepDamaged(files: string[]): string[] {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return [...new Set(files)].map((file) => {
    const copy = `${file}.damaged-${stamp}`;
    fs.copyFileSync(file, copy);
    return copy;
  });
}

function readOrCreateKey(file: string): Buffer {
  if (fs.existsSync(file)) {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length === 32) return key;
  }
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  syncDirectory(path.dirname(file));
  return key;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function writeAll(fd: number, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await new Promise<number>((resolve, reject) => fs.write(fd, data, offset, data.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))));
  }
}
