import { DEFAULT_REGION } from '../model/sqsLimits';
import { DEFAULT_LOCAL_SERVER_PORT, startLocalServer } from './server';
import { seedDemo } from './seed';
import { isParentMessage, type ChildMessage } from './childProtocol';
import { FAULTS_CONTROL_PATH, describeInjectedFault } from './faults';
import { readFaultsOption } from './faultsOption';
import { describeFaultPlan, type FaultPlan } from '../model/faultPlan';
import { FSYNC_POLICIES, INTERVAL_FSYNC_MS, type FsyncPolicy } from './persistence/dataDirectory';

const USAGE = `Usage: node dist/local-sqs.js [--port ${DEFAULT_LOCAL_SERVER_PORT}] [--host 127.0.0.1] [--region ${DEFAULT_REGION}] [--seed demo] [--data-dir DIR]

Runs the SQS Workbench local SQS server: the AWS JSON 1.0 protocol of Amazon SQS, in memory
unless --data-dir is given.
Point any AWS SDK at the printed endpoint (for example AWS_ENDPOINT_URL_SQS=http://127.0.0.1:${DEFAULT_LOCAL_SERVER_PORT}).

  --port N          port to listen on (default ${DEFAULT_LOCAL_SERVER_PORT}; 0 picks a free port)
  --port-fallback   when the port is taken, listen on a free port instead of failing
  --host ADDRESS    address to bind (default 127.0.0.1; 0.0.0.0 serves other machines too,
                    with no authentication: keep it to networks you trust)
  --allow-host NAME a host name (besides loopback names and IP addresses) that requests may
                    name in their Host header; repeat for more
  --region NAME     region used in queue ARNs (default ${DEFAULT_REGION})
  --max-memory MB   messages held at most, in MiB; sends past it get OverLimit (default: a
                    quarter of the machine's memory, at most half of Node's heap limit)
  --seed demo       create the demo queues and messages
  --data-dir DIR    keep queues and messages in DIR (created if missing), so that they survive
                    a restart and a crash; one server at a time may use a directory
  --fsync POLICY    with --data-dir, when answers wait for the disk:
                    always    (default) every acknowledged change is on disk before the answer;
                              nothing acknowledged is ever lost
                    interval  changes reach the OS before the answer and the disk every
                              ${INTERVAL_FSYNC_MS} ms: faster; a crash of the server loses nothing, a crash
                              of the machine or a power loss may lose the last ${INTERVAL_FSYNC_MS} ms
  --queue-name-hold SECONDS
                    how long a deleted queue's name stays reserved (default 60, as in SQS)
  --log             print one line per request (action, status, time; never message bodies)
  --faults PLAN     inject SQS's failures: comma-separated KIND=RATE items (RATE from 0 to 1),
                    each optionally scoped with :Action+Action and @queue+queue, and seed=N;
                    or the path of a JSON plan file. Kinds: duplicate (a deleted message comes
                    back, standard queues), throttle (ThrottlingException / RequestThrottled),
                    internal-error (500 InternalError), unavailable (503 ServiceUnavailable),
                    shuffle (receives pass over messages, standard queues), and
                    latency=MIN[-MAX]ms[*RATE]. Example:
                    --faults duplicate=0.1,throttle=0.05:SendMessage,latency=50-200ms,seed=42
                    Each injected fault prints one line. Change the plan while running with
                    GET/PUT http://127.0.0.1:PORT${FAULTS_CONTROL_PATH}.
  --allow-remote-control
                    let other machines use ${FAULTS_CONTROL_PATH} (default: this machine only)
  -h, --help        show this help`;

interface CliOptions {
  port: number;
  host: string;
  region: string;
  seed: 'demo' | undefined;
  holdMs: number;
  log: boolean;
  allowedHosts: string[];
  portFallback: boolean;
  maxMemoryMiB: number | undefined;
  faults: FaultPlan | undefined;
  allowRemoteControl: boolean;
  dataDir: string | undefined;
  fsync: FsyncPolicy;
}

/** A number from the command line, or a failure naming the option and what it needs. */
function numberOption(flag: string, v: string, ok: (n: number) => boolean, needs: string): number {
  const n = Number(v);
  if (!ok(n)) fail(`${flag} must be ${needs}, not "${v}".`);
  return n;
}

/** What each option does to the options; `value()` reads its value (inline after `=`, or the next argument). */
const OPTIONS: Record<string, (opts: CliOptions, value: () => string) => void> = {
  '--port': (o, v) => (o.port = numberOption('--port', v(), (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a whole number from 0 to 65535')),
  '--port-fallback': (o) => (o.portFallback = true),
  '--host': (o, v) => (o.host = v()),
  '--max-memory': (o, v) => (o.maxMemoryMiB = numberOption('--max-memory', v(), (n) => Number.isFinite(n) && n > 0, 'a positive number of MiB')),
  '--allow-host': (o, v) => void o.allowedHosts.push(v()),
  '--region': (o, v) => (o.region = v()),
  '--seed': (o, v) => {
    const seed = v();
    if (seed !== 'demo') fail(`--seed knows only "demo", not "${seed}".`);
    o.seed = 'demo';
  },
  '--queue-name-hold': (o, v) => (o.holdMs = numberOption('--queue-name-hold', v(), (n) => Number.isFinite(n) && n >= 0, 'a number of seconds') * 1000),
  '--data-dir': (o, v) => {
    const dir = v();
    if (dir.trim() === '') fail('--data-dir needs a directory.');
    o.dataDir = dir;
  },
  '--fsync': (o, v) => {
    const given = v();
    const policy = FSYNC_POLICIES.find((p) => p === given);
    if (!policy) fail(`--fsync must be ${FSYNC_POLICIES.join(' or ')}, not "${given}".`);
    o.fsync = policy;
  },
  '--log': (o) => (o.log = true),
  '--faults': (o, v) => {
    const read = readFaultsOption(v());
    if (typeof read === 'string') fail(read);
    o.faults = read;
  },
  '--allow-remote-control': (o) => (o.allowRemoteControl = true),
};

function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { port: DEFAULT_LOCAL_SERVER_PORT, host: '127.0.0.1', region: DEFAULT_REGION, seed: undefined, holdMs: 60_000, log: false, allowedHosts: [], portFallback: false, maxMemoryMiB: undefined, faults: undefined, allowRemoteControl: false, dataDir: undefined, fsync: 'always' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '-h' || flag === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    const apply = Object.hasOwn(OPTIONS, flag) ? OPTIONS[flag] : undefined;
    if (!apply) fail(`Unknown option ${arg}.`);
    apply(opts, () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value.`);
      return v;
    });
  }
  return opts;
}

function fail(message: string): never {
  console.error(`local-sqs: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.dataDir === undefined && opts.fsync !== 'always') fail('--fsync applies only with --data-dir.');
  const server = await startLocalServer({
    port: opts.port,
    host: opts.host,
    region: opts.region,
    deletedQueueNameHoldMs: opts.holdMs,
    allowedHosts: opts.allowedHosts,
    ...(opts.maxMemoryMiB !== undefined ? { maxStoredBytes: Math.floor(opts.maxMemoryMiB * 1_048_576) } : {}),
    fallbackToFreePort: opts.portFallback,
    faults: opts.faults,
    allowRemoteControl: opts.allowRemoteControl,
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir, persistence: { fsync: opts.fsync } } : {}),
    onRequest: opts.log
      ? (r) => console.log(`${new Date().toISOString()} ${r.action} ${r.status}${r.errorCode ? ` ${r.errorCode}` : ''} ${r.durationMs.toFixed(1)}ms`)
      : undefined,
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') fail(`port ${opts.port} on ${opts.host} is already in use; choose another with --port.`);
    throw err;
  });
  server.faults.onDidInject((fault) => console.log(`${new Date().toISOString()} ${describeInjectedFault(fault)}`));
  if (server.faults.active) console.log(`Injecting faults: ${describeFaultPlan(server.faults.plan)} (seed ${server.faults.plan.seed}).`);
  if (opts.seed === 'demo' && server.engine.queueNames().length > 0) {
    console.log('Not seeding the demo queues: the data directory already holds queues.');
  } else if (opts.seed === 'demo') {
    const seeded = seedDemo(server.engine);
    console.log(`Seeded ${seeded.queues.length} demo queues (${seeded.queues.join(', ')}) with ${seeded.messages} messages.`);
  }
  console.log(`SQS local server listening on ${server.endpoint} (region ${opts.region})`);
  console.log(`  AWS_ENDPOINT_URL_SQS=${server.endpoint}`);
  if (!isLoopback(opts.host)) {
    console.warn(
      `local-sqs: warning: listening on ${opts.host} serves every machine that can reach this one, with no authentication: anyone there can read, send and delete messages. Use --host 127.0.0.1 (the default) unless you mean that.`,
    );
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}; stopping.`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const send = process.send?.bind(process);
  if (send) {
    // Forked by the extension: report the endpoint, answer its pings, and never outlive it
    // (its IPC channel closes when the extension host exits, however it exits).
    const tell = (message: ChildMessage): void => void send(message);
    process.on('message', (message: unknown) => {
      if (isParentMessage(message)) tell({ kind: 'pong', id: message.id });
    });
    process.on('disconnect', () => stop('the parent\'s disconnect'));
    tell({ kind: 'listening', endpoint: server.endpoint, port: server.port });
  }
}

main().catch((err: unknown) => {
  console.error('local-sqs:', err instanceof Error ? err.message : err);
  process.exit(1);
});

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
