import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { DEFAULT_REGION } from '../model/sqsLimits';
import { WORKBENCH_USER_AGENT } from '../shared/trace';

/** A connection as the user writes it in the setting `sqsWorkbench.connections`. */
export interface ConnectionSettings {
  name: string;
  profile?: string;
  region?: string;
  endpoint?: string;
}

export type ConnectionKind = 'configured' | 'environment' | 'local';

/** A connection with everything needed to build its client. */
export interface ResolvedConnection {
  /** Stable id: `local`, `env`, or `config:<name>`. */
  readonly id: string;
  readonly name: string;
  readonly kind: ConnectionKind;
  readonly region: string;
  readonly profile?: string;
  readonly endpoint?: string;
  /** For the environment connection: the variables and profile settings it was taken from. */
  readonly origin?: string;
}

/** What a profile in the shared AWS config and credentials files says. */
export interface ProfileInfo {
  name: string;
  region?: string;
  endpointUrl?: string;
  sso: boolean;
}


/** Paths of the shared config and credentials files, honouring AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE. */
export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
  };
}

/**
 * Parses an AWS shared config or credentials file into sections of key/value pairs.
 * Indented lines (nested settings such as `services`) are passed over.
 */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(raw);
    if (header) {
      current = {};
      sections.set(header[1].trim().replace(/\s+/g, ' '), current);
      continue;
    }
    if (!current || /^\s/.test(raw)) continue;
    const eq = raw.indexOf('=');
    if (eq <= 0) continue;
    current[raw.slice(0, eq).trim().toLowerCase()] = raw.slice(eq + 1).trim();
  }
  return sections;
}

/** Every profile named in the shared config and credentials files, sorted, `default` first. */
export async function readProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileInfo[]> {
  const files = sharedFilePaths(env);
  const read = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
  const [configText, credentialsText] = await Promise.all([read(files.config), read(files.credentials)]);
  const profiles = new Map<string, ProfileInfo>();
  for (const [section, values] of parseIni(configText)) {
    const name = section === 'default' ? 'default' : section.startsWith('profile ') ? section.slice('profile '.length).trim() : undefined;
    if (!name) continue;
    profiles.set(name, {
      name,
      region: values.region,
      endpointUrl: values.endpoint_url,
      sso: values.sso_session !== undefined || values.sso_start_url !== undefined,
    });
  }
  for (const section of parseIni(credentialsText).keys()) {
    if (!profiles.has(section)) profiles.set(section, { name: section, sso: false });
  }
  return [...profiles.values()].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

/** The first of `names` set in `env`, with its value. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * A name that says what a connection reaches: `Local SQS (127.0.0.1:9324)` for an endpoint
 * on this machine, `SQS (host)` for another endpoint, `AWS (profile, region)` for AWS.
 */
export function describeConnection(endpoint: string | undefined, profile: string | undefined, region: string): string {
  if (endpoint) {
    let host = endpoint;
    try {
      host = new URL(endpoint).host;
    } catch {
      // Not a URL: the text names it well enough.
    }
    return `${isLoopback(endpoint) ? 'Local SQS' : 'SQS'} (${host})`;
  }
  return `AWS (${profile ? `${profile}, ` : ''}${region})`;
}

/**
 * The connection taken from the environment: `AWS_PROFILE`, `AWS_REGION` /
 * `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL`, and the profile's own
 * `region` and `endpoint_url`. Its `origin` names the ones it used.
 */
export function environmentConnection(env: NodeJS.ProcessEnv, profiles: ProfileInfo[]): ResolvedConnection {
  const profileVar = firstSet(env, ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']);
  const profileName = profileVar?.value;
  const profile = profiles.find((p) => p.name === (profileName ?? 'default'));
  const endpointVar = firstSet(env, ['AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL']);
  const regionVar = firstSet(env, ['AWS_REGION', 'AWS_DEFAULT_REGION']);
  const endpoint = endpointVar?.value ?? profile?.endpointUrl;
  const region = regionVar?.value ?? profile?.region ?? DEFAULT_REGION;
  const origin = [
    endpointVar?.name ?? (profile?.endpointUrl ? `endpoint_url of the profile ${profile.name}` : undefined),
    regionVar?.name ?? (profile?.region ? `region of the profile ${profile.name}` : undefined),
    profileVar?.name,
  ].filter((o): o is string => o !== undefined);
  const name = describeConnection(endpoint, profileName ?? (profile ? 'default' : undefined), region);
  return {
    ...withOptional({ id: 'env', name, kind: 'environment', region }, { profile: profileName, endpoint }),
    origin: origin.length > 0 ? origin.join(', ') : 'the default credential chain and region',
  };
}

/** True when a configured connection reaches what the environment connection reaches: same endpoint and profile (and region, for AWS). */
export function sameTarget(a: Pick<ResolvedConnection, 'endpoint' | 'profile' | 'region'>, b: Pick<ResolvedConnection, 'endpoint' | 'profile' | 'region'>): boolean {
  const endpoint = (c: Pick<ResolvedConnection, 'endpoint'>): string | undefined => c.endpoint?.replace(/\/+$/, '');
  if (endpoint(a) !== endpoint(b) || (a.profile ?? 'default') !== (b.profile ?? 'default')) return false;
  return a.endpoint !== undefined || a.region === b.region;
}

/**
 * Turns the setting's entries into connections, with a problem line for each entry that
 * cannot be used (missing or duplicate name, bad endpoint URL).
 */
export function configuredConnections(
  entries: unknown,
  profiles: ProfileInfo[],
): { connections: ResolvedConnection[]; problems: string[] } {
  const connections: ResolvedConnection[] = [];
  const problems: string[] = [];
  if (!Array.isArray(entries)) return { connections, problems };
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const where = `sqsWorkbench.connections[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where} is not an object.`);
      return;
    }
    const e = entry as Partial<Record<keyof ConnectionSettings, unknown>>;
    if (typeof e.name !== 'string' || e.name.trim() === '') {
      problems.push(`${where}.name is missing.`);
      return;
    }
    const name = e.name.trim();
    if (seen.has(name)) {
      problems.push(`${where}: the name "${name}" is used twice.`);
      return;
    }
    seen.add(name);
    const profileName = typeof e.profile === 'string' && e.profile !== '' ? e.profile : undefined;
    const profile = profiles.find((p) => p.name === (profileName ?? 'default'));
    let endpoint = typeof e.endpoint === 'string' && e.endpoint !== '' ? e.endpoint : profile?.endpointUrl;
    if (endpoint !== undefined) {
      try {
        const u = new URL(endpoint);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
        endpoint = endpoint.replace(/\/+$/, '');
      } catch {
        problems.push(`${where}.endpoint "${endpoint}" is not an http(s) URL.`);
        return;
      }
    }
    const region = typeof e.region === 'string' && e.region !== '' ? e.region : (profile?.region ?? DEFAULT_REGION);
    connections.push(withOptional({ id: `config:${name}`, name, kind: 'configured', region }, { profile: profileName, endpoint }));
  });
  return { connections, problems };
}

/** The connection to the built-in local server. */
export function localConnection(endpoint: string, region: string): ResolvedConnection {
  return { id: 'local', name: 'Local', kind: 'local', region, endpoint };
}

function withOptional(
  base: ResolvedConnection,
  extra: { profile: string | undefined; endpoint: string | undefined },
): ResolvedConnection {
  return {
    ...base,
    ...(extra.profile !== undefined ? { profile: extra.profile } : {}),
    ...(extra.endpoint !== undefined ? { endpoint: extra.endpoint } : {}),
  };
}

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function isLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.') || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

/**
 * Credentials for a connection: the SDK's node provider chain with the chosen profile
 * (static keys, SSO, credential_process, assume-role, ...). A server on this machine
 * (the built-in one, LocalStack, ElasticMQ: a loopback endpoint) is sent the user's real
 * keys only when a configured connection names a profile for it; otherwise it gets the
 * keys of the environment variables when they are set (LocalStack reads its account from
 * them), else placeholder keys. Whatever listens on a local port never sees the keys of
 * the default profile or an SSO session by accident.
 */
export function credentialsFor(connection: ResolvedConnection, env: NodeJS.ProcessEnv = process.env): CredentialProvider {
  if (connection.kind === 'local') return () => Promise.resolve(LOCAL_CREDENTIALS);
  const namedProfile = connection.kind === 'configured' && connection.profile !== undefined;
  if (isLoopback(connection.endpoint) && !namedProfile) {
    const fromEnv = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
      : LOCAL_CREDENTIALS;
    return () => Promise.resolve(fromEnv);
  }
  return fromNodeProviderChain(connection.profile !== undefined ? { profile: connection.profile } : {});
}

/** A new SDK client for the connection. */
export function createSqsClient(connection: ResolvedConnection, options: { maxAttempts?: number; maxSockets?: number } = {}): SQSClient {
  return new SQSClient({
    region: connection.region,
    credentials: credentialsFor(connection),
    maxAttempts: options.maxAttempts ?? 3,
    // Names the extension's requests, so that the local server's trace tells them from the user's own processes.
    customUserAgent: `${WORKBENCH_USER_AGENT}/1`,
    ...(connection.endpoint !== undefined ? { endpoint: connection.endpoint } : {}),
    ...(options.maxSockets !== undefined ? { requestHandler: { httpsAgent: { maxSockets: options.maxSockets }, httpAgent: { maxSockets: options.maxSockets } } } : {}),
  });
}

/**
 * Asks an endpoint on this machine whether it is an SQS server (it answers `ListQueues`),
 * and how many queues its first page lists; undefined when nothing there speaks SQS.
 */
export async function probeSqsServer(endpoint: string, region: string, timeoutMs = 1500): Promise<{ queues: number } | undefined> {
  const client = createSqsClient(localConnection(endpoint, region), { maxAttempts: 1 });
  try {
    const out = await client.send(new ListQueuesCommand({ MaxResults: 1000 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return { queues: out.QueueUrls?.length ?? 0 };
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
