import * as vscode from 'vscode';
import type { QueueSnapshot } from '../../sqs/queues';
import type { Connection, ConnectionManager } from '../../services/connections';
import { ConnectionNode } from '../explorer/nodes/connectionNode';
import { QueueNode } from '../explorer/nodes/queueNode';

/** The connection a command acts on: the node it was run on, the only one, or one the user picks. */
export async function resolveConnection(manager: ConnectionManager, arg: unknown): Promise<Connection | undefined> {
  if (arg instanceof ConnectionNode) return arg.connection;
  if (arg instanceof QueueNode) return arg.connection;
  const all = manager.all;
  if (all.length === 0) {
    void vscode.window.showWarningMessage('No SQS connection. Start the local server or add a connection first.');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const pick = await vscode.window.showQuickPick(
    all.map((c) => ({ label: c.info.name, description: c.info.endpoint ?? c.info.region, connection: c })),
    { title: 'Choose a connection' },
  );
  return pick?.connection;
}

/** A queue and the connection it belongs to. */
export interface QueueTarget {
  readonly connection: Connection;
  readonly queue: QueueSnapshot;
}

/** The queue a command acts on: the node it was run on, or one the user picks. */
export async function resolveQueue(manager: ConnectionManager, arg: unknown): Promise<QueueTarget | undefined> {
  if (arg instanceof QueueNode) return { connection: arg.connection, queue: arg.snapshot };
  const connection = await resolveConnection(manager, arg);
  if (!connection) return undefined;
  if (connection.catalog.status !== 'ready') await connection.catalog.refresh();
  const queues = connection.catalog.queues;
  if (queues.length === 0) {
    void vscode.window.showInformationMessage(`${connection.info.name} has no queues.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    queues.map((q) => ({ label: q.name, description: `${q.visible} visible · ${q.inFlight} in flight`, queue: q })),
    { title: 'Choose a queue', matchOnDescription: false },
  );
  return pick ? { connection, queue: pick.queue } : undefined;
}
