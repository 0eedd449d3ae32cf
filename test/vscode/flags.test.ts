import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import type { SendOutcome } from '../../src/views/commands/sendCommands';
import { localSqs, type LocalSqs } from './localSqs';
import { waitFor } from './wait';

describe('duplicate and redelivery flags in VS Code', () => {
  let a: SqsWorkbenchApi;
  let name: string;
  let url: string;
  const server = (): LocalSqs => localSqs(a);
  const node = async (): Promise<QueueNode> => {
    await a.connections.get('local')?.catalog.refresh();
    const root = await waitFor('the local connection in the tree', () => a.explorer.connectionNode('local'));
    const found = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === name);
    assert.ok(found && found.kind === 'queue');
    return found;
  };
  const receive = async (options: Record<string, unknown>): Promise<InspectorPanel> => {
    const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.receiveMessages', await node(), options);
    assert.ok(panel);
    return panel;
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<SqsWorkbenchApi>('sqs-workbench.sqs-workbench');
    assert.ok(extension);
    a = await extension.activate();
    await a.localServer.start();
    // The connection to this server: a stopped server's can still be listed while the reload that removes it runs.
    await waitFor('the connection local', () => (a.connections.get('local')?.info.endpoint === a.localServer.endpoint ? a.connections.get('local') : undefined), 20_000);
  });
  beforeEach(async () => {
    name = `flags-${Date.now()}`;
    url = await server().createQueue(name);
  });
  afterEach(() => Promise.all(a.inspectors.open.map((p) => p.close())));
  after(() => a.localServer.stop());

  it('flags a duplicate send (Send Again) as a duplicate key, not a redelivery', async () => {
    const first = await vscode.commands.executeCommand<SendOutcome>('sqsWorkbench.sendMessage', await node(), { body: JSON.stringify({ idempotencyKey: 'pay-1' }) });
    const [again] = await vscode.commands.executeCommand<SendOutcome[]>('sqsWorkbench.sendAgain', 1);
    assert.deepEqual(a.duplicates.flagsOf(first.messageId), { duplicateKey: { key: 'pay-1', count: 1, others: [again.messageId] } });
    const panel = await receive({ count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'hold' });
    const views = panel.views;
    assert.equal(views.length, 2);
    assert.ok(views.every((v) => v.flags.duplicateKey?.key === 'pay-1' && v.flags.redelivered === undefined));
    assert.equal(a.duplicates.flaggedCount(url), 2);
    const queueUri = (await node()).toTreeItem().resourceUri;
    assert.ok(queueUri);
    assert.equal(a.decorations.provideFileDecoration(queueUri)?.badge, '2', 'the tree node shows the count while the inspector is open');
    await panel.close();
    assert.equal(a.decorations.provideFileDecoration(queueUri), undefined, 'and no badge once it is closed');
  });

  it('flags repeated keys in a batch file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flags-'));
    try {
      const file = path.join(dir, 'dupes.jsonl');
      writeFileSync(file, ['{"body": {"idempotency_key": "a"}}', '{"body": {"idempotency_key": "b"}}', '{"body": {"idempotency_key": "a"}}'].join('\n'));
      await vscode.commands.executeCommand('sqsWorkbench.batchSend', await node(), vscode.Uri.file(file));
      assert.deepEqual(a.duplicates.summary(url), { redeliveries: 0, duplicateKeys: 2, keysShared: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports a session with messages, events and flags, and opens it again read-only', async () => {
    await vscode.commands.executeCommand('sqsWorkbench.sendMessage', await node(), { body: JSON.stringify({ idempotencyKey: 'exp-1' }) });
    await vscode.commands.executeCommand('sqsWorkbench.sendAgain', 1);
    const panel = await receive({ count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'hold' });
    const session = panel.savedSession();
    assert.equal(session.format, 'sqs-workbench-session');
    assert.equal(session.messages.length, 2);
    assert.deepEqual(session.summary, { redeliveries: 0, duplicateKeys: 2, keysShared: 1 });
    assert.deepEqual(session.messages[0].events.map((e) => e.kind), ['sent', 'received']);
    const dir = mkdtempSync(path.join(tmpdir(), 'session-'));
    try {
      const file = path.join(dir, 'session.json');
      writeFileSync(file, JSON.stringify(session));
      const opened = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('sqsWorkbench.openSession', vscode.Uri.file(file));
      assert.ok(opened, 'the saved session opened');
      assert.match(opened.title, new RegExp(`^${name} \\(saved `));
      opened.dispose();
      const broken = path.join(dir, 'broken.json');
      writeFileSync(broken, '{"format": "something else"}');
      assert.equal(await vscode.commands.executeCommand('sqsWorkbench.openSession', vscode.Uri.file(broken)), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flags a message a consumer received and did not delete, and not the inspector\'s own receives', async () => {
    await server().sendMessage(url, { MessageBody: JSON.stringify({ idempotencyKey: 'job-7' }) });
    const panel = await receive({ count: 1, waitSeconds: 0, visibilityTimeout: 1, mode: 'hold' });
    const id = panel.views[0].messageId;
    await waitFor('the 1-second hold to expire', () => panel.leases.get(id)?.state === 'expired');
    await panel.receive({ count: 1, waitSeconds: 1, visibilityTimeout: 0, mode: 'hold' });
    assert.deepEqual(panel.views.find((v) => v.messageId === id)?.flags, {}, 'received twice, both times by the inspector: not a redelivery');
    // A consumer receives it and lets it go without deleting it; the inspector sees it come back.
    const [consumed] = await server().receiveMessage(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 0 });
    assert.equal(consumed?.MessageId, id);
    await panel.receive({ count: 1, waitSeconds: 1, visibilityTimeout: 30, mode: 'hold' });
    const view = panel.views.find((v) => v.messageId === id);
    assert.equal(view?.flags.redelivered, 4);
    assert.deepEqual(view?.flags.byInspector, { peek: 0, hold: 3 });
    assert.equal(view?.flags.duplicateKey, undefined, 'the same message again is not a duplicate key');
    assert.equal(view?.idempotencyKey, 'job-7');
    // The consumer's receive comes from the local server's trace, named by its access key.
    await waitFor('the consumer\'s receive from the server\'s trace', () => a.lifecycle.eventsOf(id).some((e) => e.kind === 'received' && e.details.mode === 'consumer'));
    assert.deepEqual(
      a.lifecycle.eventsOf(id).filter((e) => e.kind === 'received').map((e) => (e.kind === 'received' ? e.details.mode : '')),
      ['hold', 'hold', 'consumer', 'hold'],
    );
    assert.equal(panel.views.find((v) => v.messageId === id)?.flags.redelivered, 4, 'the consumer\'s receive, known twice, counts once');
  });

  it('does not flag messages the inspector peeked and then held', async () => {
    for (let i = 0; i < 3; i++) await server().sendMessage(url, { MessageBody: JSON.stringify({ idempotencyKey: `p-${i}` }) });
    const panel = await receive({ count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'peek', confirmed: true });
    await panel.receive({ count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'hold' });
    assert.equal(panel.views.length, 3);
    assert.ok(panel.views.every((v) => v.state === 'held' && v.flags.redelivered === undefined), 'no ↻ flag after a peek and a hold');
    assert.deepEqual(panel.session.summary, { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    assert.equal(a.duplicates.flaggedCount(url), 0);
  });

  it('forgets the flags of a purged queue: the inspector and the badge show none', async () => {
    await vscode.commands.executeCommand('sqsWorkbench.sendMessage', await node(), { body: JSON.stringify({ idempotencyKey: 'purge-1' }) });
    await vscode.commands.executeCommand('sqsWorkbench.sendAgain', 1);
    const panel = await receive({ count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'hold' });
    assert.equal(panel.session.summary.duplicateKeys, 2);
    const queueUri = (await node()).toTreeItem().resourceUri;
    assert.ok(queueUri);
    assert.equal(a.decorations.provideFileDecoration(queueUri)?.badge, '2');
    assert.equal(await vscode.commands.executeCommand('sqsWorkbench.purgeQueue', await node(), { confirmed: true }), true);
    assert.equal(panel.views.length, 0, 'the inspector forgot the purged messages');
    assert.deepEqual(panel.session.summary, { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    assert.deepEqual(a.duplicates.summary(url), { redeliveries: 0, duplicateKeys: 0, keysShared: 0 });
    assert.equal(a.decorations.provideFileDecoration(queueUri), undefined, 'the badge went');
    assert.deepEqual(a.lifecycle.messagesOf(url), []);
    await panel.close();
    const again = await vscode.commands.executeCommand<InspectorPanel>('sqsWorkbench.receiveMessages', await node());
    assert.deepEqual(again.session.summary, { redeliveries: 0, duplicateKeys: 0, keysShared: 0 }, 'a reopened inspector shows no stale flags');
  });
});
