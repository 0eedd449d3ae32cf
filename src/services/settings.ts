import { Emitter, type Disposable, type Event } from '../common/events';
import { DEFAULT_KEY_PATHS } from '../model/idempotency';
import { DEFAULT_REGION } from '../model/sqsLimits';
import { DEFAULT_LOCAL_SERVER_PORT } from '../local/server';
import type { ConnectionSettings } from '../sqs/connections';

/** The section every setting of the extension sits under. */
export const SETTINGS_SECTION = 'sqsWorkbench';

/** Every setting (its key under `sqsWorkbench.`) and the type of its value. */
export interface SettingValues {
  'localServer.port': number;
  'localServer.seed': 'none' | 'demo';
  'localServer.region': string;
  'localServer.autoStart': boolean;
  'localServer.maxMemoryMB': number;
  /** Where the built-in server keeps its queues and messages; empty: in memory. */
  'localServer.dataDir': string;
  /** With a data directory: fsync before every answer, or every 100 ms. */
  'localServer.fsync': 'always' | 'interval';
  environmentConnection: boolean;
  /** Entries as the user wrote them: `configuredConnections` checks each and reports the bad ones. */
  connections: readonly ConnectionSettings[];
  'explorer.refreshIntervalSeconds': number;
  'explorer.attributeConcurrency': number;
  idempotencyKeyPaths: readonly string[];
  'lifecycle.maxEvents': number;
  'batchSend.concurrency': number;
  'inspector.onClose': 'release' | 'expire';
}

export type SettingKey = keyof SettingValues;

export interface SettingSpec<T> {
  readonly type: 'integer' | 'number' | 'string' | 'boolean' | 'array';
  readonly default: T;
  readonly enum?: readonly T[];
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * The one table of the settings: type, default and bounds, as package.json's
 * `contributes.configuration` declares them (a unit test keeps the two the same).
 */
export const SETTINGS: { readonly [K in SettingKey]: SettingSpec<SettingValues[K]> } = {
  'localServer.port': { type: 'integer', default: DEFAULT_LOCAL_SERVER_PORT, minimum: 0, maximum: 65_535 },
  'localServer.seed': { type: 'string', default: 'none', enum: ['none', 'demo'] },
  'localServer.region': { type: 'string', default: DEFAULT_REGION },
  'localServer.autoStart': { type: 'boolean', default: false },
  'localServer.maxMemoryMB': { type: 'integer', default: 0, minimum: 0 },
  'localServer.dataDir': { type: 'string', default: '' },
  'localServer.fsync': { type: 'string', default: 'always', enum: ['always', 'interval'] },
  environmentConnection: { type: 'boolean', default: true },
  connections: { type: 'array', default: [] },
  'explorer.refreshIntervalSeconds': { type: 'number', default: 5, minimum: 0 },
  'explorer.attributeConcurrency': { type: 'integer', default: 8, minimum: 1, maximum: 64 },
  idempotencyKeyPaths: { type: 'array', default: DEFAULT_KEY_PATHS },
  'lifecycle.maxEvents': { type: 'integer', default: 100_000, minimum: 1_000 },
  'batchSend.concurrency': { type: 'integer', default: 8, minimum: 1, maximum: 64 },
  'inspector.onClose': { type: 'string', default: 'release', enum: ['release', 'expire'] },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** Where the values come from: VS Code's configuration in the extension, a map in tests. */
export interface SettingsSource {
  /** The value of `sqsWorkbench.<key>`, or undefined. */
  read(key: SettingKey): unknown;
  /** Writes the user's (global) value; `undefined` removes it. */
  write(key: SettingKey, value: unknown): PromiseLike<void>;
  /** Fires when the configuration changes, with a test of whether a key is affected. */
  readonly onDidChange: Event<(key: SettingKey) => boolean>;
}

/** A value of the right type within the spec's bounds, else the default (VS Code does not enforce the schema). */
export function coerceSetting<K extends SettingKey>(key: K, raw: unknown): SettingValues[K] {
  const spec: SettingSpec<unknown> = SETTINGS[key];
  if (raw === undefined || raw === null) return spec.default as SettingValues[K];
  const typeOk =
    spec.type === 'array' ? Array.isArray(raw) : spec.type === 'integer' ? Number.isInteger(raw) : spec.type === 'number' ? typeof raw === 'number' && Number.isFinite(raw) : typeof raw === spec.type;
  if (!typeOk || (spec.enum && !spec.enum.includes(raw))) return spec.default as SettingValues[K];
  if (typeof raw === 'number') {
    const low = spec.minimum ?? Number.NEGATIVE_INFINITY;
    const high = spec.maximum ?? Number.POSITIVE_INFINITY;
    return Math.min(high, Math.max(low, raw)) as SettingValues[K];
  }
  return raw as SettingValues[K];
}

/**
 * The settings of the extension, typed: the only reader of the configuration. Values that
 * are not what the schema says read as the default; `onDidChange` fires with the keys that
 * changed.
 */
export class Settings implements Disposable {
  private readonly changed = new Emitter<ReadonlySet<SettingKey>>();
  /** Fires with the keys whose value may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: Disposable;

  constructor(private readonly source: SettingsSource) {
    this.subscription = source.onDidChange((affects) => {
      const keys = new Set(SETTING_KEYS.filter((key) => affects(key)));
      if (keys.size > 0) this.changed.fire(keys);
    });
  }

  get<K extends SettingKey>(key: K): SettingValues[K] {
    return coerceSetting(key, this.source.read(key));
  }

  /** Sets the user's value (`undefined` goes back to the default). */
  async update<K extends SettingKey>(key: K, value: SettingValues[K] | undefined): Promise<void> {
    await this.source.write(key, value);
  }

  /** Calls `listener` with the new value whenever `key` changes. */
  watch<K extends SettingKey>(key: K, listener: (value: SettingValues[K]) => void): Disposable {
    return this.onDidChange((keys) => {
      if (keys.has(key)) listener(this.get(key));
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Settings held in memory, for code that runs without VS Code (the benchmarks, the tests). */
export function memorySettingsSource(values: Partial<Record<SettingKey, unknown>> = {}): SettingsSource {
  const held = { ...values };
  const changes = new Emitter<(key: SettingKey) => boolean>();
  return {
    read: (key) => held[key],
    write: (key, value) => {
      held[key] = value;
      changes.fire((k) => k === key);
      return Promise.resolve();
    },
    onDidChange: changes.event,
  };
}
