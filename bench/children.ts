/**
 * Starts server child processes (bench/serverProcess.ts), talks to them over IPC, and
 * makes sure every one of them is stopped, by PID, when the run ends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { ChildMessage, ChildRequest, FillResult, ParentMessage, ProcessStats, ServerName } from './protocol';

const SERVER_SCRIPT = path.join(__dirname, 'serverProcess.js');
const START_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 3_000;

interface ReplyFor {
  stats: ProcessStats;
  fill: FillResult;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ServerChild {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  constructor(
    readonly server: ServerName,
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly endpoint: string,
    /** Milliseconds from `fork` to the endpoint reaching the runner. */
    readonly startupMs: number,
    /** Milliseconds from the child's process start to listening, measured inside the child. */
    readonly inProcessReadyMs: number,
    /** Milliseconds to load the server's code and listen, measured inside the child. */
    readonly serverStartMs: number,
  ) {
    this.exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'reply') return;
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`${this.server} server (pid ${this.pid}): ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      this.exitInfo = signal ? `signal ${signal}` : `code ${String(code)}`;
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new Error(`${this.server} server (pid ${this.pid}) exited with ${this.exitInfo} before answering request ${id}.`));
      }
      this.pending.clear();
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  request<K extends ChildRequest['kind']>(request: Extract<ChildRequest, { kind: K }>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<ReplyFor[K]> {
    if (!this.running) return Promise.reject(new Error(`${this.server} server (pid ${this.pid}) has exited (${this.exitInfo}).`));
    const id = this.nextId++;
    return new Promise<ReplyFor[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.server} server (pid ${this.pid}) did not answer "${request.kind}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(id, { resolve: (value) => resolve(value as ReplyFor[K]), reject, timer });
      const message: ParentMessage = { type: 'request', id, request };
      this.child.send(message);
    });
  }

  /** Memory and CPU of the server process; with `gc`, after a full garbage collection. */
  stats(gc: boolean): Promise<ProcessStats> {
    return this.request({ kind: 'stats', gc });
  }

  /** SIGTERM, then SIGKILL when the process has not exited after a grace period. */
  async stop(): Promise<void> {
    if (!this.running) return;
    signal(this.pid, 'SIGTERM');
    if (await settlesWithin(this.exited, STOP_GRACE_MS)) return;
    signal(this.pid, 'SIGKILL');
    await settlesWithin(this.exited, STOP_GRACE_MS);
  }
}

/** Every server child started during the run, so that all of them can be stopped at the end. */
export class ChildPool {
  private readonly children = new Set<ServerChild>();
  private readonly pids = new Set<number>();

  async start(server: ServerName): Promise<ServerChild> {
    const started = performance.now();
    const child = fork(SERVER_SCRIPT, [server], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`Could not start the ${server} server process.`);
    this.pids.add(pid);
    child.once('exit', () => this.pids.delete(pid));
    try {
      const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${server} server (pid ${pid}) did not report its endpoint within ${START_TIMEOUT_MS} ms.`)), START_TIMEOUT_MS);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          child.off('error', onError);
        };
        const onMessage = (message: ChildMessage): void => {
          if (message.type !== 'ready') return;
          cleanup();
          resolve(message);
        };
        const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
          cleanup();
          reject(new Error(`${server} server (pid ${pid}) exited with ${sig ? `signal ${sig}` : `code ${String(code)}`} before reporting its endpoint.`));
        };
        const onError = (err: Error): void => {
          cleanup();
          reject(err);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.once('error', onError);
      });
      const startupMs = performance.now() - started;
      const handle = new ServerChild(server, child, pid, ready.endpoint, startupMs, ready.inProcessReadyMs, ready.serverStartMs);
      this.children.add(handle);
      return handle;
    } catch (err) {
      signal(pid, 'SIGKILL');
      throw err;
    }
  }

  /**
   * Runs a one-shot script (`out/bench/<script>.js`) in a child process with --expose-gc and
   * resolves with the first message it sends over IPC; the child is stopped by PID when it
   * has not exited soon after, or when it misses `timeoutMs`.
   */
  async runScript<T>(script: string, args: string[], timeoutMs: number): Promise<T> {
    const child = fork(path.join(__dirname, `${script}.js`), args, {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`Could not start ${script}.`);
    this.pids.add(pid);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => this.pids.delete(pid));
    try {
      return await new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script} (pid ${pid}) did not answer within ${timeoutMs} ms.`)), timeoutMs);
        child.once('message', (message: T) => {
          clearTimeout(timer);
          resolve(message);
        });
        child.once('exit', (code, sig) => {
          clearTimeout(timer);
          reject(new Error(`${script} (pid ${pid}) exited with ${sig ? `signal ${sig}` : `code ${String(code)}`} before answering.`));
        });
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
    } finally {
      if (!(await settlesWithin(exited, STOP_GRACE_MS))) {
        signal(pid, 'SIGKILL');
        await settlesWithin(exited, STOP_GRACE_MS);
      }
      this.pids.delete(pid);
    }
  }

  /** Stops one child and forgets it. */
  async stop(child: ServerChild): Promise<void> {
    await child.stop();
    this.children.delete(child);
    this.pids.delete(child.pid);
  }

  /** Stops every child still running. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => this.stop(child)));
    for (const pid of this.pids) signal(pid, 'SIGKILL');
    this.pids.clear();
  }

  /** Last resort on exit paths that cannot wait: SIGKILL by PID, synchronously. */
  killAllNow(): void {
    for (const pid of this.pids) signal(pid, 'SIGKILL');
    this.pids.clear();
    this.children.clear();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
