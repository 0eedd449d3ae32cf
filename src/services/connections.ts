import { DisposableStore, Emitter, type Disposable } from '../common/events';
import {
  configuredConnections,
  createSqsClient,
  environmentConnection,
  localConnection,
  readProfiles,
  sameTarget,
  type ProfileInfo,
  type ResolvedConnection,
} from '../sqs/connections';
import { SqsGateway, type SqsLog } from '../sqs/gateway';
import { QueueCatalog } from '../sqs/queueCatalog';
import type { LocalServerService } from './localServer';
import type { Settings } from './settings';

/** A live connection: its settings, the gateway all its calls go through, and its queues. */
export interface Connection {
  readonly info: ResolvedConnection;
  readonly gateway: SqsGateway;
  readonly catalog: QueueCatalog;
}

/** True when the environment or the shared files name anything AWS: then an environment connection is offered. */
function environmentHasAws(env: NodeJS.ProcessEnv, profiles: ProfileInfo[]): boolean {
  return (
    profiles.length > 0 ||
    ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SQS', 'AWS_ACCESS_KEY_ID', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'].some(
      (k) => !!env[k],
    )
  );
}

function sameConnection(a: ResolvedConnection, b: ResolvedConnection): boolean {
  return a.id === b.id && a.name === b.name && a.region === b.region && a.profile === b.profile && a.endpoint === b.endpoint;
}

/**
 * Owns the connections shown in the explorer: the built-in server's while it runs, those in
 * `sqsWorkbench.connections`, and one from the environment (unless a configured connection
 * reaches the same endpoint with the same profile). Each
 * gets one gateway (one SDK client) and one queue catalog, kept while its settings stay the
 * same, so that reloading the settings does not drop the explorer's state.
 */
export class ConnectionManager implements Disposable {
  private connections = new Map<string, Connection>();
  private readonly changed = new Emitter<void>();
  private readonly disposables = new DisposableStore();
  private reloading: Promise<void> | undefined;
  private readonly removalHooks: ((connection: Connection) => Promise<void>)[] = [];
  private pendingReload = false;
  /** Problems in the connections setting, shown in the tree. */
  problems: string[] = [];
  /** The configured connection shown in place of the environment's, when both reach the same endpoint and profile. */
  environmentShownAs: ResolvedConnection | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly log: SqsLog,
    private readonly localServer: LocalServerService,
    private readonly settings: Settings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.disposables.add(this.changed);
    // The Local connection outlives a server that failed, or restarts on the same endpoint: its queues are re-read at once.
    this.disposables.add(localServer.onDidChange(() => void this.reload().then(() => this.connections.get('local')?.catalog.refresh())));
    this.disposables.add(settings.watch('connections', () => void this.reload()));
    this.disposables.add(settings.watch('environmentConnection', () => void this.reload()));
  }

  /** Runs before a connection's client is disposed, e.g. to release the messages it holds. */
  addRemovalHook(hook: (connection: Connection) => Promise<void>): void {
    this.removalHooks.push(hook);
  }

  /** True when the explorer has nothing to show: no connection and no problem with the setting. */
  get isEmpty(): boolean {
    return this.connections.size === 0 && this.problems.length === 0;
  }

  get all(): Connection[] {
    return [...this.connections.values()];
  }

  get(id: string): Connection | undefined {
    return this.connections.get(id);
  }

  /** Re-reads the settings, the environment and the shared AWS files. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.pendingReload = true;
      return this.reloading;
    }
    this.reloading = this.doReload().finally(() => {
      this.reloading = undefined;
      if (this.pendingReload) {
        this.pendingReload = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    const profiles = await readProfiles(this.env);
    const wanted: ResolvedConnection[] = [];
    // A server whose process ended unasked stays listed, unreachable, so that the explorer says so.
    const local = this.localServer.running ?? this.localServer.failure;
    if (local) wanted.push(localConnection(local.endpoint, local.region));
    const setting = this.settings.get('connections');
    const { connections, problems } = configuredConnections(setting, profiles);
    this.problems = problems;
    wanted.push(...connections);
    this.environmentShownAs = undefined;
    if (this.settings.get('environmentConnection') && environmentHasAws(this.env, profiles)) {
      const env = environmentConnection(this.env, profiles);
      const same = connections.find((c) => sameTarget(c, env));
      if (same) {
        this.environmentShownAs = same;
        this.log.info(`The environment connection (${env.origin ?? ''}) reaches what "${same.name}" reaches; the explorer shows "${same.name}" only.`);
      } else wanted.push(env);
    }
    const next = new Map<string, Connection>();
    for (const info of wanted) {
      const existing = this.connections.get(info.id);
      if (existing && sameConnection(existing.info, info)) {
        next.set(info.id, existing);
        continue;
      }
      const gateway = new SqsGateway(info, createSqsClient(info), this.log);
      const catalog = new QueueCatalog(gateway, {
        concurrency: () => this.settings.get('explorer.attributeConcurrency'),
      });
      next.set(info.id, { info, gateway, catalog });
    }
    for (const [id, old] of this.connections) {
      if (next.get(id) === old) continue;
      await Promise.all(this.removalHooks.map((hook) => hook(old).catch((err: unknown) => this.log.error(`Closing ${old.info.name}: ${String(err)}`))));
      old.gateway.dispose();
    }
    this.connections = next;
    this.changed.fire();
  }

  dispose(): void {
    for (const c of this.connections.values()) c.gateway.dispose();
    this.connections.clear();
    this.disposables.dispose();
  }
}
