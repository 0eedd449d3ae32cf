/**
 * The IPC messages between the extension and the local server's process when the extension
 * forks `dist/local-sqs.js`: the child says where it listens, and answers each ping, so that
 * the parent can tell a stalled server from a busy one.
 */
import { isRecord } from '../shared/validate';

/** From the parent: "are you there?" (answered with a {@link ChildMessage} `pong` of the same id). */
export interface PingMessage {
  kind: 'ping';
  id: number;
}

export type ParentMessage = PingMessage;

export type ChildMessage = { kind: 'listening'; endpoint: string; port: number } | { kind: 'pong'; id: number };

export function isParentMessage(v: unknown): v is ParentMessage {
  return isRecord(v) && v.kind === 'ping' && typeof v.id === 'number';
}

export function isChildMessage(v: unknown): v is ChildMessage {
  if (!isRecord(v)) return false;
  if (v.kind === 'pong') return typeof v.id === 'number';
  return v.kind === 'listening' && typeof v.endpoint === 'string' && typeof v.port === 'number';
}
