/**
 * Runs one SQS server in its own process, so that the benchmark can measure its memory and
 * CPU apart from the client's.
 *
 *   node out/bench/serverProcess.js ours|local-aws-sqs
 *
 * Started by the runner through `child_process.fork`, it reports its endpoint and answers
 * requests over the IPC channel (see bench/protocol.ts). Started by hand, it prints its
 * endpoint and runs until interrupted. Both servers listen on 127.0.0.1, on a free port.
 */
import type { AddressInfo } from 'node:net';
import { messageBody } from './bodies';
import {
  isServerName,
  SERVER_NAMES,
  type ChildMessage,
  type ChildReply,
  type ChildRequest,
  type FillResult,
  type ParentMessage,
  type ProcessStats,
  type ServerName,
} from './protocol';

const HOST = '127.0.0.1';

interface StartedServer {
  endpoint: string;
  close(): Promise<void>;
  /** Creates a queue and enqueues messages without HTTP; only where the server offers it. */
  fill?(queueName: string, count: number, bodyBytes: number): FillResult;
}

async function startOurs(): Promise<StartedServer> {
  const { startLocalServer } = await import('../src/local/server');
  const server = await startLocalServer({ port: 0, host: HOST });
  return {
    endpoint: server.endpoint,
    close: () => server.close(),
    fill(queueName, count, bodyBytes) {
      const started = performance.now();
      const queueUrl = server.engine.createQueue(queueName);
      for (let i = 0; i < count; i++) server.engine.sendMessage(queueUrl, { MessageBody: messageBody(queueName, i, bodyBytes) });
      return { queueUrl, sent: count, ms: performance.now() - started };
    },
  };
}

async function startLocalAwsSqs(): Promise<StartedServer> {
  const { createSqsServer } = await import('local-aws-sqs');
  const server = await createSqsServer({ port: 0, hostname: HOST });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function stats(gc: boolean): ProcessStats {
  const collect = gc ? globalThis.gc : undefined;
  if (collect) {
    // Two passes: the first may only queue finalizers that free more on the second.
    collect();
    collect();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    collected: collect !== undefined,
  };
}

function answer(server: StartedServer, request: ChildRequest): ChildReply {
  switch (request.kind) {
    case 'stats':
      return stats(request.gc);
    case 'fill':
      if (!server.fill) throw new Error('This server cannot enqueue messages without HTTP.');
      return server.fill(request.queueName, request.count, request.bodyBytes);
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!isServerName(name)) {
    console.error(`Usage: node out/bench/serverProcess.js ${SERVER_NAMES.join('|')}`);
    process.exit(2);
  }
  const serverName: ServerName = name;
  const loading = performance.now();
  const server = serverName === 'ours' ? await startOurs() : await startLocalAwsSqs();
  const inProcessReadyMs = performance.now();
  const serverStartMs = inProcessReadyMs - loading;

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const exit = (): never => process.exit(0);
    setTimeout(exit, 2000).unref();
    server.close().then(exit, exit);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The runner went away: never outlive it.
  process.on('disconnect', stop);

  process.on('message', (raw: ParentMessage) => {
    if (raw.type !== 'request') return;
    try {
      send({ type: 'reply', id: raw.id, ok: true, result: answer(server, raw.request) });
    } catch (err) {
      send({ type: 'reply', id: raw.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });

  if (process.send) {
    send({ type: 'ready', server: serverName, endpoint: server.endpoint, inProcessReadyMs, serverStartMs });
  } else {
    console.log(`${serverName} listening on ${server.endpoint}`);
  }
}

main().catch((err: unknown) => {
  console.error('[serverProcess] failed to start:', err);
  process.exit(1);
});
