import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SqsWorkbenchApi } from '../../src/extension';
import { startLocalServer, type RunningLocalServer } from '../../src/local/server';
import type { ExplorerNode } from '../../src/views/explorer/explorerProvider';
import type { ConnectionNode } from '../../src/views/explorer/nodes/connectionNode';
import type { InfoNode } from '../../src/views/explorer/nodes/infoNode';
import type { QueueNode } from '../../src/views/explorer/nodes/queueNode';
import type { RelationNode } from '../../src/views/explorer/nodes/relationNode';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import { localSqs, type LocalSqs } from './localSqs';
import { Prompts } from './prompts';
import { waitFor } from './wait';

// The explorer inside a real VS Code, against the built-in local server. Every test gets a
// fresh server (on a free port, so with no queues) and leaves no setting, filter, editor or
// server behind, so that the tests do not depend on each other's order.

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';
const LOCAL_ID = 'local';

type TreeEvent = ExplorerNode | ExplorerNode[] | undefined;

async function updateSetting(section: string, key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function description(node: ExplorerNode): string | undefined {
  const value = node.toTreeItem().description;
  return typeof value === 'string' ? value : undefined;
}

function label(node: ExplorerNode): string {
  const value = node.toTreeItem().label;
  return typeof value === 'string' ? value : (value?.label ?? '');
}

function isQueue(node: ExplorerNode): node is QueueNode {
  return node.kind === 'queue';
}

function flatten(events: TreeEvent[]): (ExplorerNode | undefined)[] {
  return events.flatMap((e) => (Array.isArray(e) ? e : [e]));
}

describe('queue explorer', () => {
  let api: SqsWorkbenchApi;
  let events: TreeEvent[] = [];
  let eventListener: vscode.Disposable | undefined;
  const extraServers: RunningLocalServer[] = [];
  const clients: SQSClient[] = [];

  /** The running local server, through the SQS API. */
  const server = (): LocalSqs => localSqs(api);

  /** The node of the local connection, once the explorer shows the running server. */
  const localNode = (): Promise<ConnectionNode> =>
    waitFor('the Local connection in the explorer', () => {
      const node = api.explorer.connectionNode(LOCAL_ID);
      return node && node.connection.info.endpoint === api.localServer.endpoint ? node : undefined;
    });

  const children = (node?: ExplorerNode): Promise<ExplorerNode[]> => api.explorer.getChildren(node);

  const queueNodes = async (parent: ExplorerNode): Promise<QueueNode[]> => (await children(parent)).filter(isQueue);

  const queueNode = async (parent: ExplorerNode, name: string): Promise<QueueNode> => {
    const found = (await queueNodes(parent)).find((q) => q.snapshot.name === name);
    assert.ok(found, `queue ${name} is not in the tree`);
    return found;
  };

  const refresh = async (node?: ExplorerNode): Promise<void> => {
    await vscode.commands.executeCommand('sqsWorkbench.refresh', node);
  };

  /**
   * The Local node after a refresh: queues a test made through the engine are not pushed to
   * the explorer, and the view (when visible) may have loaded the connection before they existed.
   */
  const loadedLocalNode = async (): Promise<ConnectionNode> => {
    const node = await localNode();
    await refresh(node);
    return node;
  };

  /** Starts recording the explorer's change events from now on. */
  const recordEvents = (): void => {
    eventListener?.dispose();
    events = [];
    eventListener = api.explorer.onDidChangeTreeData((e) => events.push(e));
  };

  const sqs = (endpoint: string): SQSClient => {
    const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    clients.push(client);
    return client;
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    await api.localServer.stop();
  });

  beforeEach(async () => {
    // Live refresh is off unless a test turns it on, so counts change only when a test says so.
    await updateSetting('sqsWorkbench.explorer', 'refreshIntervalSeconds', 0);
    await updateSetting('sqsWorkbench.localServer', 'port', 0);
    await api.localServer.start();
    const local = await localNode();
    assert.equal(local.filter, undefined, 'a filter from an earlier test is still set');
  });

  afterEach(async () => {
    eventListener?.dispose();
    eventListener = undefined;
    clients.splice(0).forEach((c) => c.destroy());
    // Put back any edited attribute document before closing it, so no save prompt can appear.
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'sqs-attributes' || !doc.isDirty) continue;
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    const local = api.explorer.connectionNode(LOCAL_ID);
    if (local) await vscode.commands.executeCommand('sqsWorkbench.clearFilter', local);
    if (vscode.workspace.getConfiguration('sqsWorkbench').inspect('connections')?.globalValue !== undefined) {
      await updateSetting('sqsWorkbench', 'connections', undefined);
      await waitFor('configured connections to disappear', () => api.connections.all.every((c) => c.info.kind !== 'configured'));
    }
    await Promise.all(extraServers.splice(0).map((s) => s.close()));
    await api.localServer.stop();
    await waitFor('the Local connection to disappear', () => api.explorer.connectionNode(LOCAL_ID) === undefined);
    await updateSetting('sqsWorkbench.explorer', 'refreshIntervalSeconds', undefined);
    await updateSetting('sqsWorkbench.localServer', 'port', undefined);
  });

  it('lists the Local connection with its endpoint, and its queues sorted by name', async () => {
    const e = server();
    for (const name of ['zeta', 'alpha', 'mid-queue']) await e.createQueue(name);
    await loadedLocalNode();
    const roots = await children();
    const local = roots.find((n) => n.kind === 'connection' && n.connection.info.id === LOCAL_ID);
    assert.ok(local, 'no Local connection at the root of the tree');
    const item = local.toTreeItem();
    assert.equal(item.label, 'Local');
    assert.equal(item.description, api.localServer.endpoint);
    assert.equal(item.contextValue, 'connection.local');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.deepEqual(
      (await queueNodes(local)).map((q) => q.snapshot.name),
      ['alpha', 'mid-queue', 'zeta'],
    );
  });

  it('shows "No queues yet" for a connection without queues', async () => {
    const kids = await children(await loadedLocalNode());
    assert.equal(kids.length, 1);
    const [only] = kids;
    assert.equal(only.kind, 'info');
    assert.equal(label(only), 'No queues yet');
    assert.equal(only.toTreeItem().command?.command, 'sqsWorkbench.createQueue');
  });

  it('describes each queue by its counts in a few characters (in full for screen readers), or as empty', async () => {
    const e = server();
    const busy = await e.createQueue('busy');
    await e.createQueue('idle');
    for (const n of [1, 2, 3]) await e.sendMessage(busy, { MessageBody: `message ${n}` });
    const received = await e.receiveMessage(busy, { MaxNumberOfMessages: 1, VisibilityTimeout: 300 });
    assert.equal(received.length, 1);
    await e.sendMessage(busy, { MessageBody: 'later', DelaySeconds: 600 });

    const local = await loadedLocalNode();
    const busyNode = await queueNode(local, 'busy');
    assert.equal(description(busyNode), '2 · 1 in flight · 1 delayed');
    assert.deepEqual([busyNode.snapshot.visible, busyNode.snapshot.inFlight, busyNode.snapshot.delayed], [2, 1, 1]);
    assert.equal(description(await queueNode(local, 'idle')), 'empty');
    assert.match(busyNode.toTreeItem().accessibilityInformation?.label ?? '', /busy, 2 visible · 1 in flight · 1 delayed/);
  });

  it('updates the counts after messages are sent and received over the SDK', async () => {
    const url = await server().createQueue('traffic');
    const local = await loadedLocalNode();
    const node = await queueNode(local, 'traffic');
    assert.equal(description(node), 'empty');

    const client = sqs(api.localServer.endpoint ?? '');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
    await refresh(local);
    assert.equal(description(node), '2');

    const got = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }));
    assert.equal(got.Messages?.length, 1);
    await refresh(local);
    assert.equal(description(node), '1 · 1 in flight');

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle }));
    await refresh(local);
    assert.equal(description(node), '1');
    assert.equal(await queueNode(local, 'traffic'), node, 'the queue got a new node object');
  });

  it('marks FIFO queues and dead-letter queues, and shows the redrive relation both ways', async () => {
    const e = server();
    const dlqUrl = await e.createQueue('jobs-dlq');
    const dlqArn = (await e.getQueueAttributes(dlqUrl, ['QueueArn'])).QueueArn;
    await e.createQueue('jobs', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 4 }) });
    await e.createQueue('tasks.fifo', { FifoQueue: 'true' });
    await e.sendMessage(dlqUrl, { MessageBody: 'dead letter' });

    const local = await loadedLocalNode();
    const jobs = await queueNode(local, 'jobs');
    const dlq = await queueNode(local, 'jobs-dlq');
    const fifo = await queueNode(local, 'tasks.fifo');
    assert.equal(jobs.toTreeItem().contextValue, 'queue.standard');
    assert.equal(dlq.toTreeItem().contextValue, 'queue.standard.dlq');
    assert.equal(fifo.toTreeItem().contextValue, 'queue.fifo');
    assert.equal(jobs.toTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(dlq.toTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(fifo.toTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.None);

    const jobsChildren = await children(jobs);
    assert.equal(jobsChildren.length, 1);
    const toDlq = jobsChildren[0] as RelationNode;
    assert.equal(toDlq.kind, 'relation');
    assert.equal(label(toDlq), 'Dead-letter queue: jobs-dlq');
    assert.equal(description(toDlq), 'after 4 receives · 1 waiting');
    assert.equal(toDlq.toTreeItem().contextValue, 'relation.deadLetterQueue');

    const dlqChildren = await children(dlq);
    assert.equal(dlqChildren.length, 1);
    const fedBy = dlqChildren[0] as RelationNode;
    assert.equal(label(fedBy), 'Fed by: jobs');
    assert.equal(description(fedBy), 'after 4 receives');
    assert.equal(fedBy.toTreeItem().contextValue, 'relation.source');
    assert.deepEqual(await children(fifo), []);
  });

  it('live refresh fires change events only for the queues that changed, keeping their nodes', async function () {
    this.timeout(40_000);
    const e = server();
    const urls = new Map(await Promise.all(['live-a', 'live-b', 'live-c'].map(async (name) => [name, await e.createQueue(name)] as const)));
    const url = (name: string): string => urls.get(name) ?? assert.fail(name);
    // Live refresh runs only while the view is visible and the window has focus.
    await vscode.commands.executeCommand('sqsWorkbench.explorer.focus');
    const local = await loadedLocalNode();
    const before = await queueNodes(local);
    assert.deepEqual(before.map((q) => q.snapshot.name), ['live-a', 'live-b', 'live-c']);
    const byName = new Map(before.map((q) => [q.snapshot.name, q]));
    const catalog = local.connection.catalog;

    recordEvents();
    await updateSetting('sqsWorkbench.explorer', 'refreshIntervalSeconds', 1);
    assert.ok(api.refresher.active, `live refresh is not active (window focused: ${vscode.window.state.focused})`);

    // Refreshes that find nothing new fire nothing.
    const seen = new Set<number | undefined>([catalog.lastRefreshAt]);
    await waitFor(
      'two live refreshes',
      () => {
        seen.add(catalog.lastRefreshAt);
        return seen.size >= 3;
      },
      10_000,
    );
    assert.deepEqual(events, [], 'a refresh without changes fired change events');

    await e.sendMessage(url('live-b'), { MessageBody: 'hello' });
    await waitFor('a change event after a message was sent', () => events.length > 0, 10_000);
    const liveB = byName.get('live-b');
    const firstFired = flatten(events);
    assert.ok(
      firstFired.every((n) => n === liveB),
      `only the node of live-b should be redrawn, not ${firstFired.map((n) => (n ? n.id : 'the whole tree')).join(', ')}`,
    );
    assert.equal(description(byName.get('live-b') ?? assert.fail()), '1');

    events = [];
    await e.sendMessage(url('live-a'), { MessageBody: 'one' });
    await e.sendMessage(url('live-c'), { MessageBody: 'two', DelaySeconds: 900 });
    await waitFor('a change event for live-a and live-c', () => new Set(flatten(events)).size >= 2, 10_000);
    const fired = new Set(flatten(events));
    assert.equal(fired.size, 2, `unexpected elements fired: ${[...fired].map((n) => (n ? n.id : 'the whole tree')).join(', ')}`);
    assert.ok(fired.has(byName.get('live-a')), 'live-a was not redrawn');
    assert.ok(fired.has(byName.get('live-c')), 'live-c was not redrawn');
    assert.equal(description(byName.get('live-c') ?? assert.fail()), '0 · 1 delayed');

    const after = await queueNodes(local);
    assert.equal(after.length, 3);
    after.forEach((node) => assert.equal(node, byName.get(node.snapshot.name), `${node.snapshot.name} got a new node object`));
  });

  it('creates a queue with the command, and the queue appears in the tree', async () => {
    const local = await loadedLocalNode();
    assert.equal((await queueNodes(local)).length, 0);
    recordEvents();
    const url = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.createQueue', local, {
      name: 'created-by-command',
      attributes: { VisibilityTimeout: '40' },
    });
    assert.ok(url?.endsWith('/created-by-command'), `unexpected queue URL ${url}`);
    assert.ok(flatten(events).includes(local), 'the connection node was not redrawn');
    const node = await queueNode(local, 'created-by-command');
    assert.equal(node.snapshot.url, url);
    assert.equal(node.snapshot.attributes.VisibilityTimeout, '40');
    assert.ok((await server().queueNames()).includes('created-by-command'));

    await vscode.commands.executeCommand('sqsWorkbench.createQueue', local, { name: 'ordered.fifo', attributes: { FifoQueue: 'true' } });
    assert.equal((await queueNode(local, 'ordered.fifo')).toTreeItem().contextValue, 'queue.fifo');
  });

  it('confirms create, purge and delete, and selects a new queue in the tree', async () => {
    const local = await loadedLocalNode();
    const prompts = new Prompts();
    try {
      const url = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.createQueue', local, { name: 'fresh-queue', attributes: {} });
      const node = await queueNode(local, 'fresh-queue');
      assert.equal(node.snapshot.url, url);
      assert.deepEqual(api.view.selection, [node], 'the new queue is not selected');
      assert.equal(await vscode.commands.executeCommand('sqsWorkbench.purgeQueue', node, { confirmed: true }), true);
      assert.equal(await vscode.commands.executeCommand('sqsWorkbench.deleteQueue', node, { confirmed: true }), true);
      assert.deepEqual(prompts.of('statusBar').map((m) => m.text), ['$(check) Created queue fresh-queue', '$(check) Purged fresh-queue', '$(check) Deleted queue fresh-queue']);
    } finally {
      prompts.restore();
    }
  });

  it('a dead-letter relation, clicked, selects the queue it names', async () => {
    const e = server();
    const dlqUrl = await e.createQueue('work-dlq');
    const dlqArn = (await e.getQueueAttributes(dlqUrl, ['QueueArn'])).QueueArn;
    await e.createQueue('work', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const local = await loadedLocalNode();
    const work = await queueNode(local, 'work');
    const dlq = await queueNode(local, 'work-dlq');
    const click = async (relation: ExplorerNode): Promise<void> => {
      const command = relation.toTreeItem().command;
      assert.ok(command, `"${label(relation)}" does nothing when clicked`);
      await vscode.commands.executeCommand(command.command, ...((command.arguments ?? []) as unknown[]));
    };
    await click((await children(work))[0]);
    assert.deepEqual(api.view.selection, [dlq]);
    await click((await children(dlq))[0]);
    assert.deepEqual(api.view.selection, [work]);
  });

  it('edits attributes in a document: a valid save applies them, an invalid one is refused', async () => {
    const url = await server().createQueue('editable');
    const local = await loadedLocalNode();
    const node = await queueNode(local, 'editable');

    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('sqsWorkbench.editQueueAttributes', node);
    assert.ok(uri, 'editQueueAttributes returned no document URI');
    assert.equal(uri.scheme, 'sqs-attributes');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'json');
    const attributes = JSON.parse(doc.getText()) as Record<string, unknown>;
    assert.equal(attributes.VisibilityTimeout, 30);

    const replaceText = async (text: string): Promise<void> => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
      assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    };

    await replaceText(JSON.stringify({ ...attributes, VisibilityTimeout: 45 }, null, 2));
    assert.equal(await doc.save(), true, 'a valid document was not saved');
    assert.equal((await server().getQueueAttributes(url, ['VisibilityTimeout'])).VisibilityTimeout, '45');
    assert.equal(node.snapshot.attributes.VisibilityTimeout, '45', 'the tree still shows the old value');

    await replaceText(JSON.stringify({ ...attributes, VisibilityTimeout: 99999 }, null, 2));
    const prompts = new Prompts();
    try {
      const saved = await doc.save().then(
        (ok) => ok,
        () => false,
      );
      assert.equal(saved, false, 'a visibility timeout of 99999 s was saved');
      assert.equal(doc.isDirty, true);
      assert.equal((await server().getQueueAttributes(url, ['VisibilityTimeout'])).VisibilityTimeout, '45');
      const [problem, ...more] = vscode.languages.getDiagnostics(uri);
      assert.deepEqual(more, []);
      assert.ok(problem, 'the problem is not in the Problems panel');
      assert.ok(doc.lineAt(problem.range.start.line).text.includes('"VisibilityTimeout"'), `the problem is at line ${problem.range.start.line + 1}`);
      assert.match(problem.message, /VisibilityTimeout.*between 0 and 43200/);
      assert.match(prompts.of('error')[0]?.text ?? '', /Attributes of editable not saved \(line \d+\): .*VisibilityTimeout/);

      await replaceText(JSON.stringify({ ...attributes, VisibilityTimeout: 50 }, null, 2));
      assert.equal(await doc.save(), true);
      assert.deepEqual(vscode.languages.getDiagnostics(uri), [], 'the problem outlived its fix');
      assert.ok(prompts.of('statusBar').some((m) => m.text === '$(check) Saved 1 attribute of editable'));
    } finally {
      prompts.restore();
    }
  });

  it('purges a queue: its counts go to zero', async () => {
    const e = server();
    const url = await e.createQueue('to-purge');
    for (const n of [1, 2, 3]) await e.sendMessage(url, { MessageBody: `m${n}` });
    await e.receiveMessage(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 300 });
    await e.sendMessage(url, { MessageBody: 'later', DelaySeconds: 600 });
    const local = await loadedLocalNode();
    const node = await queueNode(local, 'to-purge');
    assert.equal(description(node), '2 · 1 in flight · 1 delayed');

    recordEvents();
    assert.equal(await vscode.commands.executeCommand('sqsWorkbench.purgeQueue', node, { confirmed: true }), true);
    assert.equal(description(node), 'empty');
    assert.ok(flatten(events).includes(node), 'the purged queue was not redrawn');
    assert.deepEqual((await e.counts(url)), { visible: 0, inflight: 0, delayed: 0 });
  });

  it('deletes a queue: it disappears from the tree', async () => {
    const e = server();
    await e.createQueue('keep-me');
    await e.createQueue('delete-me');
    const local = await loadedLocalNode();
    const node = await queueNode(local, 'delete-me');

    recordEvents();
    assert.equal(await vscode.commands.executeCommand('sqsWorkbench.deleteQueue', node, { confirmed: true }), true);
    assert.ok(flatten(events).includes(local), 'the connection node was not redrawn');
    assert.deepEqual((await queueNodes(local)).map((q) => q.snapshot.name), ['keep-me']);
    assert.ok(!(await e.queueNames()).includes('delete-me'));
    await refresh(local);
    assert.deepEqual((await queueNodes(local)).map((q) => q.snapshot.name), ['keep-me']);
  });

  it('filters the queues by name, says when nothing matches, and clears the filter', async () => {
    const e = server();
    for (const name of ['alpha-one', 'alpha-two', 'beta']) await e.createQueue(name);
    const local = await loadedLocalNode();
    const names = async (): Promise<string[]> => (await queueNodes(local)).map((q) => q.snapshot.name);
    assert.deepEqual(await names(), ['alpha-one', 'alpha-two', 'beta']);

    await vscode.commands.executeCommand('sqsWorkbench.filterQueues', local, 'ALPHA');
    assert.deepEqual(await names(), ['alpha-one', 'alpha-two']);
    assert.equal(local.toTreeItem().contextValue, 'connection.local.filtered');
    assert.match(description(local) ?? '', /filter: "ALPHA"/);

    await vscode.commands.executeCommand('sqsWorkbench.filterQueues', local, 'gamma');
    const kids = await children(local);
    assert.equal(kids.length, 1);
    const [noMatch] = kids as InfoNode[];
    assert.equal(noMatch.kind, 'info');
    assert.equal(label(noMatch), 'No queue name contains "gamma"');
    assert.equal(noMatch.toTreeItem().command?.command, 'sqsWorkbench.clearFilter');

    await vscode.commands.executeCommand('sqsWorkbench.clearFilter', local);
    assert.deepEqual(await names(), ['alpha-one', 'alpha-two', 'beta']);
    assert.equal(local.toTreeItem().contextValue, 'connection.local');
  });

  it('lists every queue when ListQueues needs more than one page (1,005 queues)', async function () {
    this.timeout(120_000);
    const e = server();
    const expected: string[] = [];
    for (let i = 0; i < 1005; i++) {
      const name = `paged-${String(i).padStart(4, '0')}`;
      await e.createQueue(name);
      expected.push(name);
    }
    assert.equal((await e.listQueues()).QueueUrls.length, 1000, 'one ListQueues page should hold at most 1,000 queues');
    const local = await loadedLocalNode();
    const names = (await queueNodes(local)).map((q) => q.snapshot.name);
    assert.equal(names.length, 1005);
    assert.deepEqual(names, expected);
  });

  /** Runs `body` with AWS_ENDPOINT_URL_SQS naming a second local server (holding one queue), as `npm start` does. */
  const withEnvironmentServer = async (body: (server: RunningLocalServer, prompts: Prompts) => Promise<void>): Promise<void> => {
    const fromEnvironment = await startLocalServer({ port: 0 });
    extraServers.push(fromEnvironment);
    fromEnvironment.engine.createQueue('env-queue');
    process.env.AWS_ENDPOINT_URL_SQS = fromEnvironment.endpoint;
    const prompts = new Prompts();
    try {
      await api.connections.reload();
      await waitFor('the environment connection in the tree', () => api.explorer.connectionNode('env'));
      await body(fromEnvironment, prompts);
    } finally {
      prompts.restore();
      delete process.env.AWS_ENDPOINT_URL_SQS;
      await Promise.all(api.inspectors.open.map((p) => p.close()));
      await api.connections.reload();
    }
  };

  it('names the environment connection by what it reaches; Remove Connection says it has nothing to remove', () =>
    withEnvironmentServer(async (server, prompts) => {
      const envNode = api.explorer.connectionNode('env') ?? assert.fail();
      assert.equal(label(envNode), `Local SQS (${server.endpoint.replace('http://', '')})`);
      await vscode.commands.executeCommand('sqsWorkbench.removeConnection');
      assert.deepEqual(prompts.of('quickPick'), [], 'an empty picker');
      assert.equal(prompts.of('information').length, 1);
      assert.match(prompts.of('information')[0].text, /no configured connection to remove.*AWS_ENDPOINT_URL_SQS/);
    }));

  it('keeps the environment connection and its inspectors when a connection is added; says so when one replaces it', async function () {
    this.timeout(60_000);
    const elsewhere = await startLocalServer({ port: 0 });
    extraServers.push(elsewhere);
    await withEnvironmentServer(async (server, prompts) => {
      const env = api.connections.get('env') ?? assert.fail();
      const envQueue = (await children(api.explorer.connectionNode('env'))).find(isQueue);
      assert.ok(envQueue, 'the environment connection lists its queue');
      const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.receiveMessages', envQueue);
      assert.ok(panel, 'an inspector opened on the environment connection');

      await vscode.commands.executeCommand('sqsWorkbench.addConnection', { name: 'Another server', region: 'us-east-1', endpoint: elsewhere.endpoint });
      await waitFor('the added connection', () => api.connections.get('config:Another server'));
      assert.equal(api.connections.get('env'), env, 'the environment connection was replaced');
      assert.ok(api.inspectors.open.includes(panel), "the environment connection's inspector was closed");

      prompts.asked.length = 0;
      await vscode.commands.executeCommand('sqsWorkbench.addConnection', { name: 'Same server', region: 'us-east-1', endpoint: server.endpoint });
      assert.equal(api.connections.get('env'), undefined, 'two roots reach the same server');
      assert.ok(api.connections.get('config:Same server'));
      assert.match(prompts.of('information')[0]?.text ?? '', /"Same server" reaches the same endpoint .* environment connection "Local SQS/);
    });
  });

  it('hides the environment connection in one click, and the setting brings it back', async function () {
    this.timeout(60_000);
    await withEnvironmentServer(async () => {
      assert.ok(api.connections.get('env'), 'the environment connection is shown');
      await vscode.commands.executeCommand('sqsWorkbench.hideEnvironmentConnection');
      await waitFor('the environment connection to leave the tree', () => api.explorer.connectionNode('env') === undefined);
      assert.equal(vscode.workspace.getConfiguration('sqsWorkbench').get('environmentConnection'), false);
      await updateSetting('sqsWorkbench', 'environmentConnection', undefined);
      await waitFor('the environment connection back in the tree', () => api.explorer.connectionNode('env'));
    });
  });

  it('shows a connection\'s endpoint in its tooltip as it is, with no stray escapes', async () => {
    const local = await localNode();
    const tooltip = local.toTreeItem().tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.ok(tooltip.value.includes(`\`${api.localServer.endpoint ?? ''}\``), tooltip.value);
    assert.ok(!tooltip.value.includes('\\'), `backslash escapes in ${tooltip.value}`);
  });

  it('shows an error node for an unreachable endpoint, and recovers once it answers', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const name = 'Unreachable for now';
    const id = `config:${name}`;
    assert.equal(await vscode.commands.executeCommand('sqsWorkbench.addConnection', { name, region: 'us-east-1', endpoint }), name);
    const setting = vscode.workspace.getConfiguration('sqsWorkbench').get<unknown[]>('connections');
    assert.deepEqual(setting, [{ name, region: 'us-east-1', endpoint }]);
    const node = await waitFor(`the connection "${name}" in the tree`, () => api.explorer.connectionNode(id));
    assert.equal(node.toTreeItem().contextValue, 'connection.configured');
    assert.ok((await children()).includes(node), 'the connection is not a root of the tree');

    const failing = await children(node);
    assert.equal(failing.length, 1, `expected one error node, got ${failing.map(label).join(' | ')}`);
    const [error] = failing;
    assert.equal(error.kind, 'info');
    assert.equal(error.toTreeItem().contextValue, 'error');
    assert.match(label(error), /Cannot reach/);
    assert.ok(label(error).includes(endpoint), `the error does not name ${endpoint}: ${label(error)}`);
    assert.equal(error.toTreeItem().command?.command, 'sqsWorkbench.refresh');

    const second = await startLocalServer({ port });
    extraServers.push(second);
    second.engine.createQueue('recovered-queue');
    recordEvents();
    await refresh(node);
    assert.ok(flatten(events).includes(node), 'the connection node was not redrawn after it recovered');
    const recovered = await children(node);
    assert.deepEqual(recovered.map(label), ['recovered-queue']);
    assert.equal(recovered[0].kind, 'queue');

    await vscode.commands.executeCommand('sqsWorkbench.removeConnection', node);
    await waitFor('the connection to leave the tree', () => api.explorer.connectionNode(id) === undefined);
    assert.deepEqual(vscode.workspace.getConfiguration('sqsWorkbench').get<unknown[]>('connections'), []);
  });
});
