import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkMessageFile } from '../../src/sqs/batchFile';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import { localSqs, type LocalSqs } from './localSqs';
import { waitFor } from './wait';

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';

async function api(): Promise<SqsWorkbenchApi> {
  const extension = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

describe('message inspector in VS Code', () => {
  let a: SqsWorkbenchApi;
  let url: string;
  let name: string;

  const server = (): LocalSqs => localSqs(a);
  const node = async (): Promise<QueueNode> => {
    const connection = a.connections.get('local');
    assert.ok(connection);
    await connection.catalog.refresh();
    const root = await waitFor('the local connection in the tree', () => a.explorer.connectionNode('local'));
    const found = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === name);
    assert.ok(found && found.kind === 'queue');
    return found;
  };
  const open = async (options?: Record<string, unknown>): Promise<InspectorPanel> => {
    const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.receiveMessages', await node(), options);
    assert.ok(panel, 'the inspector opened');
    return panel;
  };

  before(async () => {
    a = await api();
    await a.localServer.start();
    // The connection to this server: a stopped server's can still be listed while the reload that removes it runs.
    await waitFor('the connection local', () => (a.connections.get('local')?.info.endpoint === a.localServer.endpoint ? a.connections.get('local') : undefined), 20_000);
  });
  beforeEach(async () => {
    name = `inspect-${Date.now()}`;
    const dlq = await server().createQueue(`${name}-dlq`);
    const dlqArn = (await server().getQueueAttributes(dlq, ['QueueArn'])).QueueArn;
    url = await server().createQueue(name, { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
    for (let i = 0; i < 12; i++) await server().sendMessage(url, { MessageBody: JSON.stringify({ n: i, idempotencyKey: `k-${i}` }) });
  });
  afterEach(async () => {
    await Promise.all(a.inspectors.open.map((p) => p.close()));
  });
  after(async () => {
    await vscode.workspace.getConfiguration('sqsWorkbench').update('connections', undefined, vscode.ConfigurationTarget.Global);
    await a.localServer.stop();
  });

  it('opens one inspector per queue, reused on the next receive', async () => {
    const first = await open();
    const second = await open();
    assert.equal(first, second);
    assert.equal(a.inspectors.open.length, 1);
  });

  it('peeks at messages and leaves none hidden, recording each receive', async () => {
    const panel = await open({ count: 12, waitSeconds: 0, visibilityTimeout: 30, mode: 'peek', confirmed: true });
    assert.equal(panel.views.length, 12);
    assert.deepEqual((await server().counts(url)), { visible: 12, inflight: 0, delayed: 0 });
    const view = panel.views[0];
    assert.equal(view.state, 'peeked');
    assert.match(view.disabled.delete ?? '', /Hold mode/);
    // The test's own send is another process's: it comes from the local server's trace.
    await waitFor('the send from the server\'s trace', () => a.lifecycle.eventsOf(view.messageId)[0]?.kind === 'sent');
    const kinds = a.lifecycle.eventsOf(view.messageId).map((e) => e.kind);
    assert.deepEqual(kinds, ['sent', 'received', 'released'], 'the peek\'s end is recorded as a release');
    const [, receivedEvent] = a.lifecycle.eventsOf(view.messageId);
    assert.ok(receivedEvent.kind === 'received');
    assert.equal(receivedEvent.details.mode, 'peek');
    assert.ok(view.deadline <= Date.now(), 'no deadline ahead: the peek window is closed');
    assert.deepEqual(panel.savedSession().messages[0].events.map((e) => e.kind), ['sent', 'received', 'released'], 'an exported session records the send and the release');
  });

  it('saves messages in the Batch Send format, which Batch Send takes back as it is', async () => {
    const panel = await open({ count: 12, waitSeconds: 0, visibilityTimeout: 30, mode: 'peek', confirmed: true });
    const dir = mkdtempSync(path.join(tmpdir(), 'save-'));
    try {
      const file = vscode.Uri.file(path.join(dir, 'saved.jsonl'));
      assert.equal(await panel.saveMessages([], file), 12);
      const text = readFileSync(file.fsPath, 'utf8');
      const check = await checkMessageFile(() => [text], { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 });
      assert.deepEqual(check.problems, [], 'no entry has a problem');
      assert.deepEqual((check.cached?.valid ?? []).map((v) => v.message.body).sort(), panel.views.map((v) => v.body).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('comes back after a window reload for its queue, holding nothing', async () => {
    const panel = vscode.window.createWebviewPanel('sqsWorkbench.inspector', name, vscode.ViewColumn.Active, { enableScripts: true });
    const restored = await a.inspectors.restore(panel, { queueUrl: url, connectionId: 'local', selected: [] });
    assert.ok(restored, 'the inspector is back');
    assert.equal(a.inspectors.get(url), restored);
    assert.equal(restored.views.length, 0);
    assert.equal((await server().counts(url)).inflight, 0);
    const stray = vscode.window.createWebviewPanel('sqsWorkbench.inspector', 'gone', vscode.ViewColumn.Active, {});
    assert.equal(await a.inspectors.restore(stray, { queueUrl: 'http://127.0.0.1:1/000000000000/none', connectionId: 'nope' }), undefined, 'a queue that cannot be found is not restored');
  });

  it('holds, extends, releases and deletes, and records every step', async () => {
    const panel = await open({ count: 5, waitSeconds: 0, visibilityTimeout: 60, mode: 'hold' });
    assert.equal((await server().counts(url)).inflight, 5);
    const [a1, a2, a3] = panel.views.map((v) => v.messageId);
    const held = panel.views[0];
    assert.equal(held.state, 'held');
    assert.ok(held.deadline > Date.now() + 50_000, 'a deadline about a minute away');
    assert.deepEqual((await panel.extend([a1], 120)).failures, []);
    assert.ok((panel.leases.get(a1)?.deadline ?? 0) > Date.now() + 110_000);
    assert.deepEqual((await panel.release([a2])).failures, []);
    assert.deepEqual((await panel.delete([a3])).failures, []);
    assert.deepEqual((await server().counts(url)), { visible: 8, inflight: 3, delayed: 0 });
    const own = (id: string): string[] => a.lifecycle.eventsOf(id).map((e) => e.kind).filter((k) => k !== 'sent');
    assert.deepEqual(own(a1), ['received', 'extended']);
    assert.deepEqual(own(a2), ['received', 'released']);
    assert.deepEqual(own(a3), ['received', 'deleted']);
    const deleted = panel.views.find((v) => v.messageId === a3);
    assert.equal(deleted?.disabled.delete, 'The message was deleted.');
  });

  it('releases every held message when the inspector closes', async () => {
    const panel = await open({ count: 10, waitSeconds: 0, visibilityTimeout: 3600, mode: 'hold' });
    assert.equal((await server().counts(url)).inflight, 10);
    panel.panel.dispose();
    // The server has the release before the inspector has its answer: wait for both.
    for (let i = 0; i < 40 && ((await server().counts(url)).inflight > 0 || a.inspectors.open.length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await server().counts(url)), { visible: 12, inflight: 0, delayed: 0 });
    assert.equal(a.inspectors.open.length, 0);
  });

  it('releases held messages when their connection is removed', async () => {
    const endpoint = a.localServer.endpoint;
    assert.ok(endpoint);
    await vscode.commands.executeCommand('sqsWorkbench.addConnection', { name: 'removable', endpoint, region: 'us-east-1' });
    await waitFor('the connection config:removable', () => a.connections.get('config:removable'), 20_000);
    const connection = a.connections.get('config:removable');
    assert.ok(connection, 'the configured connection is shown');
    await connection.catalog.refresh();
    const root = a.explorer.connectionNode('config:removable');
    assert.ok(root);
    const target = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === name);
    assert.ok(target);
    const panel = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', target, { count: 4, waitSeconds: 0, visibilityTimeout: 3600, mode: 'hold' });
    assert.equal(panel.connection, connection);
    assert.equal((await server().counts(url)).inflight, 4);
    await vscode.commands.executeCommand('sqsWorkbench.removeConnection', root);
    for (let i = 0; i < 60 && (a.connections.get('config:removable') || (await server().counts(url)).inflight > 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(a.connections.get('config:removable'), undefined, 'the connection is gone');
    assert.equal((await server().counts(url)).inflight, 0, 'its inspector released what it held first');
    assert.ok(!a.inspectors.open.includes(panel));
  });

  it('records a message received from the DLQ after its source as moved to the DLQ', async () => {
    const panel = await open({ count: 1, waitSeconds: 0, visibilityTimeout: 0, mode: 'hold' });
    const id = panel.views[0].messageId;
    for (let i = 0; i < 2; i++) await panel.receive({ count: 12, waitSeconds: 0, visibilityTimeout: 0, mode: 'hold' });
    // The fourth receive of the source moves it; receive the DLQ in its own inspector.
    await panel.receive({ count: 12, waitSeconds: 0, visibilityTimeout: 0, mode: 'hold' });
    const connection = a.connections.get('local');
    assert.ok(connection);
    await connection.catalog.refresh();
    const dlqNode = (await a.explorer.getChildren(a.explorer.connectionNode('local'))).find((n) => n.kind === 'queue' && n.snapshot.name === `${name}-dlq`);
    assert.ok(dlqNode);
    const dlqPanel = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', dlqNode, { count: 12, waitSeconds: 0, visibilityTimeout: 30, mode: 'hold' });
    assert.ok(dlqPanel.views.some((v) => v.messageId === id), 'the message is in the DLQ with the same id');
    // The move comes from the server's trace, at the receive that made it, not at the DLQ's receive.
    const onDlq = await waitFor('the move from the server\'s trace', () => {
      const events = a.lifecycle.eventsOf(id).filter((e) => e.queueUrl === dlqPanel.queue.url);
      return events.some((e) => e.kind === 'movedToDlq') && events;
    });
    assert.deepEqual(onDlq.map((e) => e.kind), ['movedToDlq', 'received']);
    const lastSourceReceive = a.lifecycle.eventsOf(id).filter((e) => e.queueUrl === url && e.kind === 'received').at(-1);
    assert.ok(lastSourceReceive && onDlq[0].at >= lastSourceReceive.at && onDlq[0].at <= onDlq[1].at, 'moved between the source\'s last receive and the DLQ\'s');
    assert.ok(a.lifecycle.eventsOf(id).some((e) => e.queueUrl === url && e.kind === 'received'), 'seen on the source first');
  });
});
