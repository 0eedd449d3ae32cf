import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { MoveTaskState } from '../../src/sqs/moveTasks';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import { localSqs, type LocalSqs } from './localSqs';
import { waitFor } from './wait';

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';

async function api(): Promise<SqsWorkbenchApi> {
  const extension = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

describe('dead-letter triage in VS Code: redrive, move, edit and resend', () => {
  let a: SqsWorkbenchApi;
  let name: string;
  let source: string;
  let dlq: string;
  let other: string;

  const server = (): LocalSqs => localSqs(a);
  const node = async (queueName: string): Promise<QueueNode> => {
    const connection = a.connections.get('local');
    assert.ok(connection);
    await connection.catalog.refresh();
    const root = await waitFor('the local connection in the tree', () => a.explorer.connectionNode('local'));
    const found = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === queueName);
    assert.ok(found && found.kind === 'queue', `${queueName} is in the tree`);
    return found;
  };
  const description = (n: QueueNode): string => String(n.toTreeItem().description ?? '');

  before(async () => {
    a = await api();
    await a.localServer.start();
    await waitFor('the connection local', () => (a.connections.get('local')?.info.endpoint === a.localServer.endpoint ? a.connections.get('local') : undefined), 20_000);
  });
  beforeEach(async () => {
    name = `triage-${Date.now()}`;
    dlq = await server().createQueue(`${name}-dlq`);
    const dlqArn = (await server().getQueueAttributes(dlq, ['QueueArn'])).QueueArn;
    source = await server().createQueue(name, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    other = await server().createQueue(`${name}-other`);
  });
  afterEach(async () => {
    await Promise.all(a.inspectors.open.map((p) => p.close()));
  });
  after(async () => {
    await a.localServer.stop();
  });

  /** Sends `n` messages to the source and receives each past maxReceiveCount, so that all land in the DLQ. */
  const deadLetter = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await server().sendMessage(source, { MessageBody: JSON.stringify({ n: i }) });
    for (let i = 0; i < 10 && (await server().counts(dlq)).visible < n; i++) await server().receiveMessage(source, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    assert.equal((await server().counts(dlq)).visible, n);
  };

  it('redrives a DLQ from its tree node back to its source, with progress on the node', async () => {
    await deadLetter(8);
    const dlqNode = await node(`${name}-dlq`);
    assert.match(String(dlqNode.toTreeItem().contextValue), /\.dlq$/, 'the node offers Redrive');
    const done = vscode.commands.executeCommand<MoveTaskState | undefined>('sqsWorkbench.redrive', dlqNode, { rate: 4, confirmed: true });
    const progress = await waitFor('progress on the node', () => (/redrive \d+ \/ 8 moved/.test(description(dlqNode)) ? description(dlqNode) : undefined));
    assert.match(progress, /redrive \d+ \/ 8 moved/);
    assert.match(String(dlqNode.toTreeItem().contextValue), /\.redriving$/, 'a running redrive offers Cancel');
    const final = await done;
    assert.equal(final?.status, 'COMPLETED');
    assert.equal(final?.moved, 8);
    assert.deepEqual(await server().counts(source), { visible: 8, inflight: 0, delayed: 0 });
    assert.doesNotMatch(description(dlqNode), /redrive/, 'the description drops the progress once it ended');
    assert.match((dlqNode.toTreeItem().tooltip as vscode.MarkdownString).value, /Last redrive:/);
    const tasks = a.redrives.latest(dlq);
    assert.equal(tasks?.status, 'COMPLETED');
  });

  it('refuses to redrive a queue that is not a DLQ, naming why', async () => {
    const result = await vscode.commands.executeCommand<MoveTaskState | undefined>('sqsWorkbench.redrive', await node(name), { confirmed: true });
    assert.equal(result, undefined);
  });

  it('cancels a running redrive: the rest stays in the DLQ', async () => {
    await deadLetter(20);
    const dlqNode = await node(`${name}-dlq`);
    const done = vscode.commands.executeCommand<MoveTaskState | undefined>('sqsWorkbench.redrive', dlqNode, { destinationArn: (await server().getQueueAttributes(other, ['QueueArn'])).QueueArn, rate: 2, confirmed: true });
    await waitFor('a running redrive', () => a.redrives.running(dlq));
    const moved = await vscode.commands.executeCommand<number | undefined>('sqsWorkbench.cancelRedrive', dlqNode, { confirmed: true });
    assert.ok(moved !== undefined && moved < 20);
    const final = await done;
    assert.equal(final?.status, 'CANCELLED');
    const left = (await server().counts(dlq)).visible;
    assert.equal(left + (await server().counts(other)).visible, 20, 'every message is in the DLQ or the chosen queue');
    assert.ok(left > 0);
  });

  it('moves selected held messages from the inspector, linking each original to its copy', async () => {
    for (let i = 0; i < 6; i++) await server().sendMessage(other, { MessageBody: `move-${i}`, MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } } });
    const panel = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', await node(`${name}-other`), { count: 6, waitSeconds: 0, visibilityTimeout: 300, mode: 'hold' });
    assert.equal(panel.views.length, 6);
    const chosen = panel.views.slice(0, 4).map((v) => v.messageId);
    const result = await panel.transfer(chosen, true, source);
    assert.deepEqual(result, { destination: name, done: 4, failures: [] });
    assert.deepEqual(await server().counts(other), { visible: 0, inflight: 2, delayed: 0 }, 'the moved originals are deleted, the others still held');
    assert.equal((await server().counts(source)).visible, 4);
    const [copied] = a.lifecycle.eventsOf(chosen[0]).filter((e) => e.kind === 'copied');
    assert.ok(copied && copied.kind === 'copied');
    assert.equal(copied.details.via, 'move');
    const copySent = a.lifecycle.eventsOf(copied.details.copyId)[0];
    assert.ok(copySent.kind === 'sent');
    assert.equal(copySent.details.copyOf?.messageId, chosen[0]);
    const view = panel.views.find((v) => v.messageId === chosen[0]);
    assert.equal(view?.state, 'deleted');
    assert.equal(view?.events.find((e) => e.kind === 'copied')?.link, copied.details.copyId, 'the timeline gets the link');
  });

  it('refuses to move a peeked message and copies it instead when asked', async () => {
    await server().sendMessage(other, { MessageBody: 'peeked' });
    const panel = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', await node(`${name}-other`), { count: 1, waitSeconds: 0, visibilityTimeout: 30, mode: 'peek', confirmed: true });
    const [id] = panel.views.map((v) => v.messageId);
    const moved = await panel.transfer([id], true, source);
    assert.equal(moved.done, 0);
    assert.equal(moved.failures[0]?.code, 'NotHeld');
    assert.equal((await server().counts(source)).visible, 0, 'nothing was sent for it');
    const copied = await panel.transfer([id], false, source);
    assert.equal(copied.done, 1);
    assert.equal((await server().counts(other)).visible, 1, 'the original stays');
    assert.equal((await server().counts(source)).visible, 1);
  });

  it('edits and resends a message: the document is checked like Send Message, then sent as a linked copy', async () => {
    await server().sendMessage(other, { MessageBody: '{"order":{"id":1,"status":"FAILED"}}' });
    const panel = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', await node(`${name}-other`), { count: 1, waitSeconds: 0, visibilityTimeout: 300, mode: 'hold' });
    const original = panel.views[0];
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('sqsWorkbench.editAndResend', { connectionId: 'local', queueUrl: other, message: original });
    assert.ok(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.deepEqual((JSON.parse(doc.getText()) as { body: unknown }).body, { order: { id: 1, status: 'FAILED' } });
    const replace = async (text: string): Promise<void> => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    await replace('{ "body": "" }');
    assert.equal(await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.sendEditedMessage', uri), undefined, 'an empty body is refused');
    await replace('{ "body": { "order": { "id": 1, "status": "RETRY" } }, "attributes": { "fixed": "yes" } }');
    const newId = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.sendEditedMessage', uri);
    assert.ok(newId && newId !== original.messageId);
    const got = await server().receiveMessage(other, { MaxNumberOfMessages: 10 });
    assert.equal(got.length, 1, 'the edited copy arrived (the original is still held)');
    assert.equal(got[0].Body, '{"order":{"id":1,"status":"RETRY"}}');
    const link = a.lifecycle.eventsOf(original.messageId).find((e) => e.kind === 'copied');
    assert.ok(link && link.kind === 'copied' && link.details.copyId === newId && link.details.via === 'resend');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
