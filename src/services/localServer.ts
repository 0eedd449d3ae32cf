import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter, type Disposable } from '../common/events';
import { isChildMessage, type ParentMessage } from '../local/childProtocol';
import type { SqsLog } from '../sqs/gateway';
import type { Settings } from './settings';

/** The local server while its process runs. */
export interface LocalServerInfo {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The server's process id. */
  readonly pid: number;
}

/** The server whose process ended without being asked to stop (a crash, a kill, a stall). */
export interface LocalServerFailure {
  readonly endpoint: string;
  readonly region: string;
  /** "Local SQS server stopped unexpectedly (exit code 1)", and the like. */
  readonly message: string;
}

export interface LocalServerProcessOptions {
  /** The server's command line script, `dist/local-sqs.js`. */
  readonly script: string;
  /** How often the server is asked whether it still answers; it is stopped after {@link missedPings} unanswered. */
  readonly pingIntervalMs?: number;
  readonly missedPings?: number;
  /** How long a stop waits for the process to exit after SIGTERM before it sends SIGKILL. */
  readonly stopGraceMs?: number;
  /** How long the process may take to say where it listens. */
  readonly startTimeoutMs?: number;
}

/** A child process and what the service knows of it. */
interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  info?: LocalServerInfo;
  /** Set when the service itself ends the process: its exit is then expected. */
  stopping: boolean;
  /** Why the service killed it, when the process stopped answering. */
  killedBecause?: string;
}

/**
 * Owns the built-in local SQS server, which runs in its own Node process (a fork of
 * `dist/local-sqs.js`), never in the extension host: a stalled or crashed server cannot
 * freeze or take down the host. Starts it on 127.0.0.1 (the configured port, or a free one
 * when that is taken), learns its endpoint over IPC, pings it, and stops it on command or
 * when the extension deactivates. When the process ends unasked, {@link failure} says how
 * and the Local connection stays, unreachable, until the server is restarted or stopped.
 * The status bar and the context keys follow {@link LocalServerService.onDidChange}.
 */
export class LocalServerService implements Disposable {
  private child: Child | undefined;
  private starting: Promise<LocalServerInfo> | undefined;
  private lastFailure: LocalServerFailure | undefined;
  private readonly changed = new Emitter<LocalServerInfo | undefined>();
  /** Fires with the server when it starts, and with `undefined` when it stops or fails. */
  readonly onDidChange = this.changed.event;
  private readonly pingIntervalMs: number;
  private readonly missedPings: number;
  private readonly stopGraceMs: number;
  private readonly startTimeoutMs: number;

  constructor(
    private readonly log: SqsLog,
    private readonly settings: Settings,
    private readonly options: LocalServerProcessOptions,
  ) {
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.missedPings = options.missedPings ?? 3;
    this.stopGraceMs = options.stopGraceMs ?? 3_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 20_000;
  }

  get endpoint(): string | undefined {
    return this.running?.endpoint;
  }

  get running(): LocalServerInfo | undefined {
    return this.child?.info;
  }

  /** The last unexpected end of the server, until it is started again or stopped. */
  get failure(): LocalServerFailure | undefined {
    return this.lastFailure;
  }

  /** The configured port and region. */
  get configured(): { port: number; region: string } {
    return { port: this.settings.get('localServer.port'), region: this.settings.get('localServer.region') };
  }

  /** Starts the server (on `port`, or the configured one), or returns the one already running. */
  async start(port?: number): Promise<LocalServerInfo> {
    const running = this.running;
    if (running) return running;
    this.starting ??= this.doStart(port ?? this.configured.port).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Starts the server again (after a failure, or stops it first) on the port it had, or the configured one; it starts empty unless it has a data directory. */
  async restart(): Promise<LocalServerInfo> {
    const endpoint = this.running?.endpoint ?? this.lastFailure?.endpoint;
    await this.stop();
    return this.start(endpoint ? Number(new URL(endpoint).port) : undefined);
  }

  private async doStart(port: number): Promise<LocalServerInfo> {
    const region = this.settings.get('localServer.region');
    const args = localServerArgs(this.settings, port);
    const proc = fork(this.options.script, args, { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const child: Child = { process: proc, exited: new Promise((resolve) => proc.once('exit', () => resolve())), stopping: false };
    this.child = child;
    proc.stdout?.setEncoding('utf8').on('data', (text: string) => this.logLines(text, (line) => this.log.info(`local server: ${line}`)));
    proc.stderr?.setEncoding('utf8').on('data', (text: string) => this.logLines(text, (line) => this.log.warn(`local server: ${line}`)));
    proc.on('error', (err) => this.log.error(`Local SQS server process: ${err.message}`));
    let info: LocalServerInfo;
    try {
      info = await this.listening(child, region);
    } catch (err) {
      child.stopping = true;
      if (this.child === child) this.child = undefined;
      proc.kill('SIGKILL');
      throw err;
    }
    child.info = info;
    this.lastFailure = undefined;
    proc.on('exit', (code, signal) => this.exited(child, code, signal));
    this.watch(child);
    if (info.port !== port && port !== 0) {
      this.log.warn(`Port ${port} is taken; the local SQS server listens on ${info.port} instead.`);
    }
    this.log.info(`Local SQS server started at ${info.endpoint} (region ${region}, process ${info.pid}).`);
    this.changed.fire(info);
    return info;
  }

  private logLines(text: string, write: (line: string) => void): void {
    for (const line of text.split('\n')) if (line.trim()) write(line.trimEnd());
  }

  /** Waits for the child's `listening` message; fails when it exits or takes too long first. */
  private listening(child: Child, region: string): Promise<LocalServerInfo> {
    const proc = child.process;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`the server did not start within ${this.startTimeoutMs / 1000} s`)), this.startTimeoutMs);
      const onMessage = (message: unknown): void => {
        if (isChildMessage(message) && message.kind === 'listening') {
          done(undefined, { endpoint: message.endpoint, port: message.port, region, pid: proc.pid ?? 0 });
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => done(new Error(`its process ended before it listened (${exitText(code, signal)})`));
      const done = (err: Error | undefined, info?: LocalServerInfo): void => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        if (info) resolve(info);
        else reject(err ?? new Error('the server did not start'));
      };
      proc.on('message', onMessage);
      proc.once('exit', onExit);
    });
  }

  /** Pings the child; one that misses {@link missedPings} in a row has stalled and is killed. */
  private watch(child: Child): void {
    let sent = 0;
    let answered = 0;
    const timer = setInterval(() => {
      if (sent - answered >= this.missedPings) {
        child.killedBecause = `stopped answering for ${((this.missedPings * this.pingIntervalMs) / 1000).toFixed(0)} s`;
        child.process.kill('SIGKILL');
        clearInterval(timer);
        return;
      }
      const ping: ParentMessage = { kind: 'ping', id: ++sent };
      if (child.process.connected) child.process.send(ping);
    }, this.pingIntervalMs);
    timer.unref();
    child.process.on('message', (message: unknown) => {
      if (isChildMessage(message) && message.kind === 'pong') answered = Math.max(answered, message.id);
    });
    child.process.once('exit', () => clearInterval(timer));
  }

  private exited(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || child.stopping || !child.info) return;
    this.child = undefined;
    const how = child.killedBecause ?? exitText(code, signal);
    this.lastFailure = { endpoint: child.info.endpoint, region: child.info.region, message: `Local SQS server stopped unexpectedly (${how})` };
    this.log.error(`${this.lastFailure.message}. Every queue and message it held is gone; restart it with "SQS: Restart Local Server".`);
    this.changed.fire(undefined);
  }

  /** Stops the server if it runs (SIGTERM, then SIGKILL after a grace period); every queue and message it held is gone. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const child = this.child;
    const failed = this.lastFailure;
    this.lastFailure = undefined;
    if (!child) {
      if (failed) this.changed.fire(undefined);
      return;
    }
    this.child = undefined;
    child.stopping = true;
    await stopProcess(child, this.stopGraceMs);
    this.log.info('Local SQS server stopped.');
    this.changed.fire(undefined);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}

/** Asks a child to stop, and kills it when it has not exited after `graceMs`. */
async function stopProcess(child: Child, graceMs: number): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  await child.exited;
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`;
}

/** The command line of the server process, from the settings: port, region, seed, memory limit, data directory and its fsync policy. */
export function localServerArgs(settings: Pick<Settings, 'get'>, port: number): string[] {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--port-fallback', '--region', settings.get('localServer.region')];
  if (settings.get('localServer.seed') === 'demo') args.push('--seed', 'demo');
  const maxMemoryMB = settings.get('localServer.maxMemoryMB');
  if (maxMemoryMB > 0) args.push('--max-memory', String(maxMemoryMB));
  const dataDir = settings.get('localServer.dataDir').trim();
  if (dataDir !== '') {
    args.push('--data-dir', path.resolve(os.homedir(), dataDir.replace(/^~(?=$|[\\/])/, '.')));
    const fsync = settings.get('localServer.fsync');
    if (fsync !== 'always') args.push('--fsync', fsync);
  }
  return args;
}
