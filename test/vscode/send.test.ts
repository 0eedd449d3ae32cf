import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { FileSendSummary } from '../../src/sqs/batchFile';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import type { SendOutcome, SendRequest } from '../../src/views/commands/sendCommands';
import { Prompts, type Asked } from './prompts';
import { localSqs, type LocalSqs } from './localSqs';
import { waitFor } from './wait';

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';

async function api(): Promise<SqsWorkbenchApi> {
  const extension = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

/** The explorer node of a queue of the local connection, after a refresh. */
async function queueNode(a: SqsWorkbenchApi, name: string): Promise<QueueNode> {
  return waitFor(`queue ${name} in the tree`, async () => {
    const connection = a.connections.get('local');
    if (!connection) return undefined;
    await connection.catalog.refresh();
    const root = a.explorer.connectionNode('local');
    if (!root) return undefined;
    const node = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.name === name);
    return node?.kind === 'queue' ? node : undefined;
  });
}

describe('send commands in VS Code', () => {
  let a: SqsWorkbenchApi;
  let dir: string;

  before(async () => {
    a = await api();
    await a.localServer.start();
    // The connection to this server: a stopped server's can still be listed while the reload that removes it runs.
    await waitFor('the connection local', () => (a.connections.get('local')?.info.endpoint === a.localServer.endpoint ? a.connections.get('local') : undefined), 20_000);
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sqs-send-'));
    for (const url of await server().queueUrls()) await server().deleteQueue(url);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  after(() => a.localServer.stop());

  const server = (): LocalSqs => localSqs(a);
  const fresh = (name: string, attributes: Record<string, string> = {}): Promise<string> => server().createQueue(`${name}-${Date.now()}`, attributes);

  it('sends a message, records it with its idempotency key, and shows it in the counts', async () => {
    const url = await fresh('orders');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    const request: SendRequest = { body: JSON.stringify({ orderId: 1, idempotency_key: 'order-1' }), attributes: { kind: { DataType: 'String', StringValue: 'order' } } };
    const out = await vscode.commands.executeCommand<SendOutcome | undefined>('sqsWorkbench.sendMessage', node, request);
    assert.ok(out?.messageId);
    assert.equal((await server().counts(url)).visible, 1);
    const [event] = a.lifecycle.eventsOf(out.messageId);
    assert.ok(event.kind === 'sent', `a sent event, not ${event.kind}`);
    assert.equal(event.queueUrl, url);
    assert.equal(event.details.idempotencyKey, 'order-1');
    assert.deepEqual(event.details.attributes, { kind: 'String' });
    await a.connections.get('local')?.catalog.refresh();
    assert.equal((await queueNode(a, node.snapshot.name)).snapshot.visible, 1);
  });

  it('refuses a message over the queue\'s size limit before sending, naming the field and limit', async () => {
    const url = await fresh('small', { MaximumMessageSize: '1024' });
    const node = await queueNode(a, url.split('/').pop() ?? '');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('sqsWorkbench.sendMessage', node, { body: 'x'.repeat(1025) })),
      /body: The message is 1,025 bytes .* at most 1,024 bytes/,
    );
    assert.equal((await server().counts(url)).visible, 0);
  });

  it('sends again: new MessageIds on a standard queue (a duplicate send), one MessageId on FIFO (deduplicated)', async () => {
    const url = await fresh('again');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    const first = await vscode.commands.executeCommand<SendOutcome>('sqsWorkbench.sendMessage', node, { body: '{"idempotencyKey":"k-1"}' });
    const again = await vscode.commands.executeCommand<SendOutcome[]>('sqsWorkbench.sendAgain', 2);
    assert.equal(again.length, 2);
    assert.equal(new Set([first.messageId, ...again.map((r) => r.messageId)]).size, 3);
    assert.equal((await server().counts(url)).visible, 3);
    const sentDetails = (id: string) => {
      const [e] = a.lifecycle.eventsOf(id);
      return e?.kind === 'sent' ? e.details : undefined;
    };
    assert.deepEqual([first, ...again].map((r) => sentDetails(r.messageId)?.idempotencyKey), ['k-1', 'k-1', 'k-1']);
    assert.deepEqual(again.map((r) => sentDetails(r.messageId)?.via), ['sendAgain', 'sendAgain']);
  });

  it('sends again on FIFO with the same deduplication id: SQS delivers it once', async () => {
    const name = `pay-${Date.now()}.fifo`;
    const url = await server().createQueue(name, { FifoQueue: 'true' });
    const node = await queueNode(a, name);
    const first = await vscode.commands.executeCommand<SendOutcome>('sqsWorkbench.sendMessage', node, { body: 'capture', groupId: 'ord-1', dedupId: 'pay-1' });
    assert.ok(first.sequenceNumber);
    const again = await vscode.commands.executeCommand<SendOutcome[]>('sqsWorkbench.sendAgain', 3);
    assert.deepEqual(new Set(again.map((r) => r.messageId)), new Set([first.messageId]));
    assert.equal((await server().counts(url)).visible, 1);
  });

  it('batch-sends a JSON Lines file and records every message', async () => {
    const url = await fresh('batch');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    const file = path.join(dir, 'orders.jsonl');
    writeFileSync(file, Array.from({ length: 250 }, (_, i) => JSON.stringify({ body: { orderId: i, idempotency_key: `o-${i % 240}` }, attributes: { n: i } })).join('\n'));
    const before = a.lifecycle.eventCount;
    const summary = await vscode.commands.executeCommand<FileSendSummary>('sqsWorkbench.batchSend', node, vscode.Uri.file(file));
    assert.deepEqual([summary.sent, summary.failed, summary.notSent, summary.entries], [250, 0, 0, 250]);
    assert.equal((await server().counts(url)).visible, 250);
    assert.equal(a.lifecycle.eventCount - before, 250);
    assert.equal(summary.resultFile, undefined);
  });

  it('lists every problem of a file at its line, sends nothing, then sends the valid entries when asked', async () => {
    const url = await fresh('checked');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    const file = path.join(dir, 'mixed.jsonl');
    writeFileSync(file, ['"ok 1"', '{"body": "late", "delaySeconds": 1000}', 'not json', '{"body": "ok 2", "attributes": {"AWS.reserved": "x"}}', '"ok 3"'].join('\n'));
    const uri = vscode.Uri.file(file);
    const refused = await vscode.commands.executeCommand<FileSendSummary | undefined>('sqsWorkbench.batchSend', node, uri);
    assert.equal(refused, undefined, 'nothing is sent while any entry is invalid');
    assert.equal((await server().counts(url)).visible, 0);
    const diagnostics = vscode.languages.getDiagnostics(uri);
    assert.deepEqual(diagnostics.map((d) => d.range.start.line + 1), [2, 3, 4]);
    assert.match(diagnostics[0].message, /line 2, delaySeconds/);
    assert.match(diagnostics[2].message, /attributes\.AWS\.reserved/);

    const summary = await vscode.commands.executeCommand<FileSendSummary>('sqsWorkbench.batchSend', node, uri, { sendValidOnly: true });
    assert.deepEqual([summary.sent, summary.failed, summary.notSent], [2, 0, 3]);
    assert.equal((await server().counts(url)).visible, 2);
    assert.ok(summary.resultFile);
    const unsent = readFileSync(summary.resultFile, 'utf8').trim().split('\n');
    assert.equal(unsent.length, 3);
    assert.match(unsent[0], /"error":"Invalid: delaySeconds/);
    assert.equal(unsent[1], 'not json', 'a line that is not JSON is kept as it was, to be mended');
  });

  /** Answers the queue picker with `queueName` (and the connection picker with Local); anything else is cancelled. */
  const pickQueue = (queueName: string) => (asked: Asked): string | undefined => {
    if (asked.kind !== 'quickPick') return undefined;
    if (asked.choices.includes(queueName)) return queueName;
    return asked.choices.includes('Local') ? 'Local' : undefined;
  };

  it('Batch Send from the file Explorer\'s context menu (uri, [uri]) sends that file, asking only for the queue', async () => {
    const url = await fresh('explorer-menu');
    const name = url.split('/').pop() ?? '';
    await queueNode(a, name);
    const file = path.join(dir, 'menu.jsonl');
    writeFileSync(file, ['"one"', '"two"', '{"body": {"n": 3}}'].join('\n'));
    const uri = vscode.Uri.file(file);
    const prompts = new Prompts(pickQueue(name));
    try {
      const summary = await vscode.commands.executeCommand<FileSendSummary | undefined>('sqsWorkbench.batchSend', uri, [uri]);
      assert.deepEqual([summary?.sent, summary?.entries], [3, 3]);
      assert.equal((await server().counts(url)).visible, 3);
      assert.ok(prompts.of('quickPick').every((q) => !/which file/i.test(q.text)), 'it asked for the file again');
      assert.equal(prompts.of('openDialog').length, 0);
    } finally {
      prompts.restore();
    }
  });

  it('Batch Send from an editor\'s context menu (uri) sends that editor\'s file without asking which file', async () => {
    const url = await fresh('editor-menu');
    const name = url.split('/').pop() ?? '';
    await queueNode(a, name);
    const file = path.join(dir, 'open.json');
    writeFileSync(file, JSON.stringify(['a', 'b']));
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const prompts = new Prompts(pickQueue(name));
    try {
      const summary = await vscode.commands.executeCommand<FileSendSummary | undefined>('sqsWorkbench.batchSend', uri);
      assert.equal(summary?.sent, 2);
      assert.deepEqual(prompts.of('quickPick').map((q) => q.text), ['Choose a queue']);
    } finally {
      prompts.restore();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('"Send the N Valid Entries" sends to the queue chosen for the check, without asking again', async () => {
    const url = await fresh('valid-only');
    const name = url.split('/').pop() ?? '';
    const other = await fresh('valid-other');
    await queueNode(a, name);
    const file = path.join(dir, 'half.jsonl');
    writeFileSync(file, ['"good 1"', 'broken', '"good 2"'].join('\n'));
    const uri = vscode.Uri.file(file);
    const prompts = new Prompts((asked) => (asked.kind === 'error' ? asked.choices.find((c) => c.startsWith('Send the')) : pickQueue(name)(asked)));
    try {
      const refused = await vscode.commands.executeCommand<FileSendSummary | undefined>('sqsWorkbench.batchSend', uri, [uri]);
      assert.equal(refused, undefined);
      for (let i = 0; i < 100 && (await server().counts(url)).visible < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await server().counts(url)).visible, 2);
      assert.equal((await server().counts(other)).visible, 0);
      assert.equal(prompts.of('quickPick').filter((q) => q.text === 'Choose a queue').length, 1, 'the queue was asked for again');
    } finally {
      prompts.restore();
    }
  });

  it('on a FIFO queue, asks for the message group id first: it is the default choice', async () => {
    const name = `first-group-${Date.now()}.fifo`;
    await server().createQueue(name, { FifoQueue: 'true' });
    const node = await queueNode(a, name);
    const prompts = new Prompts((asked) => (asked.kind === 'inputBox' ? 'a body' : undefined));
    try {
      await vscode.commands.executeCommand('sqsWorkbench.sendMessage', node);
      const options = prompts.of('quickPick').find((q) => q.text === `Send Message to ${name}`);
      assert.ok(options, 'no options menu');
      assert.match(options.choices[0], /Message group id/);
    } finally {
      prompts.restore();
    }
  });

  it('with an editor open, text typed into the body picker is sent as the body', async () => {
    const url = await fresh('typed');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: 'the editor text' }));
    const prompts = new Prompts((asked) => {
      if (asked.kind !== 'quickPick') return undefined;
      return asked.text.endsWith(': body') ? '{"typed": true}' : '$(send) Send';
    });
    try {
      const out = await vscode.commands.executeCommand<SendOutcome | undefined>('sqsWorkbench.sendMessage', node);
      assert.ok(out?.messageId, 'nothing was sent');
      const [received] = await server().receiveMessage(url, { MaxNumberOfMessages: 1 });
      assert.equal(received?.Body, '{"typed": true}');
      assert.equal(prompts.of('inputBox').length, 0, 'asked for the body again');
    } finally {
      prompts.restore();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('cancelling the invalid-JSON warning opens the body again, as typed, to be mended', async () => {
    const url = await fresh('mend');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    const typed = ['{"orderId": 1,', '{"orderId": 1}'];
    const prompts = new Prompts((asked) => {
      if (asked.kind === 'inputBox') return typed.shift();
      if (asked.kind === 'quickPick') return '$(send) Send';
      return undefined;
    });
    try {
      const out = await vscode.commands.executeCommand<SendOutcome | undefined>('sqsWorkbench.sendMessage', node);
      assert.ok(out?.messageId, 'nothing was sent');
      assert.deepEqual(prompts.of('inputBox').map((q) => q.value), ['', '{"orderId": 1,']);
      assert.equal(prompts.of('warning').length, 1);
    } finally {
      prompts.restore();
    }
  });

  it('Send Again to a deleted queue shows only the error, not "Sent 0 more copies"', async () => {
    const url = await fresh('gone');
    const node = await queueNode(a, url.split('/').pop() ?? '');
    await vscode.commands.executeCommand<SendOutcome>('sqsWorkbench.sendMessage', node, { body: 'first' });
    await server().deleteQueue(url);
    const prompts = new Prompts();
    try {
      const again = await vscode.commands.executeCommand<SendOutcome[]>('sqsWorkbench.sendAgain', 2);
      assert.deepEqual(again, []);
      assert.equal(prompts.of('error').length, 1, 'the failure is shown');
      assert.deepEqual(prompts.of('information').map((m) => m.text), []);
    } finally {
      prompts.restore();
    }
  });
});
