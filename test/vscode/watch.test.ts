import * as assert from 'node:assert/strict';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as vscode from 'vscode';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { MessageView } from '../../src/protocol';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import { localSqs } from './localSqs';
import { waitFor } from './wait';

describe('Browse and Watch in VS Code (local server)', () => {
  let a: SqsWorkbenchApi;
  let name: string;
  let url: string;
  let consumer: SQSClient;
  const node = async (): Promise<QueueNode> => {
    await a.connections.get('local')?.catalog.refresh();
    const root = await waitFor('the local connection in the tree', () => a.explorer.connectionNode('local'));
    const found = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === name);
    assert.ok(found && found.kind === 'queue');
    return found;
  };
  const open = async (mode: 'browse' | 'watch'): Promise<InspectorPanel> => {
    const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.receiveMessages', await node(), { count: 100, waitSeconds: 0, visibilityTimeout: 30, mode });
    assert.ok(panel);
    return panel;
  };
  const row = (panel: InspectorPanel, id: string | undefined): MessageView | undefined => panel.views.find((v) => v.messageId === id);

  before(async () => {
    const extension = vscode.extensions.getExtension<SqsWorkbenchApi>('sqs-workbench.sqs-workbench');
    assert.ok(extension);
    a = await extension.activate();
    await a.localServer.start();
    await waitFor('the connection local', () => (a.connections.get('local')?.info.endpoint === a.localServer.endpoint ? a.connections.get('local') : undefined), 20_000);
    consumer = new SQSClient({ endpoint: a.localServer.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'billing-worker', secretAccessKey: 'any' }, maxAttempts: 1 });
  });
  beforeEach(async () => {
    name = `watch-${Date.now()}`;
    url = await localSqs(a).createQueue(name, { VisibilityTimeout: '30' });
  });
  afterEach(() => Promise.all(a.inspectors.open.map((p) => p.close())));
  after(async () => {
    consumer.destroy();
    await a.localServer.stop();
  });

  it('Watch shows a consumer’s receive and delete live, naming the consumer', async () => {
    const ids: (string | undefined)[] = [];
    for (const body of ['one', 'two']) ids.push((await consumer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))).MessageId);
    // The trace feed detects the local server behind the connection; then Watch is offered.
    const panel = await waitFor('Watch offered', async () => {
      const p = await open('watch');
      return p.session.queueView.browsable === true && p.session.watching ? p : undefined;
    });
    await waitFor('both messages, visible', () => ids.every((id) => row(panel, id)?.state === 'visible'));
    const got = (await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }))).Messages?.[0];
    assert.equal(got?.MessageId, ids[0]);
    const held = await waitFor('the row in flight with its consumer', () => (row(panel, ids[0])?.state === 'inflight' ? row(panel, ids[0]) : undefined));
    assert.equal(held.holder, 'billing-worker');
    assert.equal(held.events.find((e) => e.kind === 'received')?.by, 'billing-worker');
    await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got?.ReceiptHandle }));
    await waitFor('the row deleted', () => row(panel, ids[0])?.state === 'deleted');
    assert.equal(row(panel, ids[1])?.state, 'visible', 'the other message is untouched');
  });

  it('Watch Queue, from the tree\'s context menu, opens the inspector watching: nothing received', async () => {
    const sent = await consumer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'watched' }));
    const panel = await waitFor('the inspector watching', async () => {
      const p = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.watchQueue', await node());
      return p?.session.watching === true && p.views.length === 1 ? p : undefined;
    });
    assert.deepEqual(panel.views.map((v) => [v.messageId, v.state, v.receiveCount]), [[sent.MessageId, 'visible', 0]]);
    const got = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.equal(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '1', 'Watch received nothing');
    await waitFor('the consumer\'s receive in the row', () => row(panel, sent.MessageId)?.state === 'inflight');
  });

  it('Browse changes no receive count (checked through the SQS API)', async () => {
    const sent = await consumer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'look, do not touch' }));
    const panel = await waitFor('Browse offered', async () => {
      const p = await open('browse');
      return p.session.queueView.browsable === true && p.views.length === 1 ? p : undefined;
    });
    assert.deepEqual(panel.views.map((v) => [v.messageId, v.state, v.receiveCount, v.mode]), [[sent.MessageId, 'visible', 0, 'browse']]);
    assert.ok(panel.views[0].disabled.delete, 'a browsed message has no receipt handle to delete with');
    const got = await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.equal(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '1');
  });
});
