/**
 * Messages exchanged over the IPC channel between the benchmark runner and a server child
 * process (bench/serverProcess.ts). The runner holds the SDK clients; the child holds only
 * the server, so that memory and CPU figures belong to the server alone.
 */

/** Servers the benchmark knows how to start. */
export const SERVER_NAMES = ['ours', 'local-aws-sqs'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export function isServerName(value: string | undefined): value is ServerName {
  return (SERVER_NAMES as readonly string[]).includes(value ?? '');
}

/** Memory and CPU of the child process, as `process.memoryUsage()` and `process.cpuUsage()` give them. */
export interface ProcessStats {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Whether a full garbage collection ran just before the figures were taken. */
  collected: boolean;
}

export interface FillResult {
  queueUrl: string;
  sent: number;
  ms: number;
}

export type ChildRequest =
  | { kind: 'stats'; gc: boolean }
  /** Creates a queue and enqueues messages through the engine directly (our server only). */
  | { kind: 'fill'; queueName: string; count: number; bodyBytes: number };

export type ChildReply = ProcessStats | FillResult;

export type ParentMessage = { type: 'request'; id: number; request: ChildRequest };

export type ChildMessage =
  | {
      type: 'ready';
      server: ServerName;
      endpoint: string;
      /** Milliseconds from the child's own time origin (process start) to listening. */
      inProcessReadyMs: number;
      /** Milliseconds to load the server's code and start listening, inside the child. */
      serverStartMs: number;
    }
  | { type: 'reply'; id: number; ok: true; result: ChildReply }
  | { type: 'reply'; id: number; ok: false; error: string };
