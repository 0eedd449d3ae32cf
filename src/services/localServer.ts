import { Emitter, type Disposable } from '../common/events';
import { startLocalServer, type RunningLocalServer } from '../local/server';
import { seedDemo } from '../local/seed';
import type { SqsLog } from '../sqs/gateway';
import type { Settings } from './settings';

/**
 * Owns the built-in local SQS server while it runs inside the extension host: starts it on
 * 127.0.0.1 (the configured port, or a free one when that is taken) and stops it on command
 * or when the extension deactivates. The status bar and the context keys follow
 * {@link LocalServerService.onDidChange}.
 */
export class LocalServerService implements Disposable {
  private server: RunningLocalServer | undefined;
  private starting: Promise<RunningLocalServer> | undefined;
  private readonly changed = new Emitter<RunningLocalServer | undefined>();
  /** Fires with the server when it starts and with `undefined` when it stops. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly log: SqsLog,
    private readonly settings: Settings,
  ) {}

  get endpoint(): string | undefined {
    return this.server?.endpoint;
  }

  get running(): RunningLocalServer | undefined {
    return this.server;
  }

  /** The configured port and region. */
  get configured(): { port: number; region: string } {
    return { port: this.settings.get('localServer.port'), region: this.settings.get('localServer.region') };
  }

  /** Starts the server (on `port`, or the configured one), or returns the one already running. */
  async start(port?: number): Promise<RunningLocalServer> {
    if (this.server) return this.server;
    this.starting ??= this.doStart(port ?? this.configured.port).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(port: number): Promise<RunningLocalServer> {
    const region = this.settings.get('localServer.region');
    const maxMemoryMB = this.settings.get('localServer.maxMemoryMB');
    const server = await startLocalServer({ port, region, fallbackToFreePort: true, ...(maxMemoryMB > 0 ? { maxStoredBytes: maxMemoryMB * 1_048_576 } : {}) });
    if (server.port !== port && port !== 0) {
      this.log.warn(`Port ${port} is taken; the local SQS server listens on ${server.port} instead.`);
    }
    if (this.settings.get('localServer.seed') === 'demo') {
      seedDemo(server.engine);
    }
    this.server = server;
    this.log.info(`Local SQS server started at ${server.endpoint} (region ${region}).`);
    this.changed.fire(server);
    return server;
  }

  /** Stops the server if it runs; every queue and message it held is gone. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await server.close();
    this.log.info('Local SQS server stopped.');
    this.changed.fire(undefined);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
