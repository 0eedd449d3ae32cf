import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsWorkbenchApi } from '../../src/extension';
import { startLocalServer } from '../../src/local/server';
import { Prompts } from './prompts';
import { waitFor } from './wait';

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';
const COMMANDS = ['sqsWorkbench.startLocalServer', 'sqsWorkbench.restartLocalServer', 'sqsWorkbench.stopLocalServer', 'sqsWorkbench.copyLocalServerEndpoint', 'sqsWorkbench.localServerFaults'];
const LOOPBACK_ENDPOINT = /^http:\/\/127\.0\.0\.1:(\d+)$/;

async function activateExtension(): Promise<SqsWorkbenchApi> {
  const extension = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
  return extension.activate();
}

async function startServer(): Promise<string> {
  const endpoint = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.startLocalServer');
  assert.ok(endpoint, 'sqsWorkbench.startLocalServer returned no endpoint');
  return endpoint;
}

function portOf(endpoint: string): number {
  const match = LOOPBACK_ENDPOINT.exec(endpoint);
  assert.ok(match, `endpoint ${endpoint} is not on 127.0.0.1`);
  return Number(match[1]);
}

async function setConfiguredPort(port: number | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('sqsWorkbench.localServer')
    .update('port', port, vscode.ConfigurationTarget.Global);
}

function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** Listens on a free loopback port until closed, so the server cannot take it. */
function occupyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function listeningPort(server: net.Server): number {
  const address = server.address();
  assert.ok(address && typeof address === 'object', 'server is not listening on a TCP port');
  return address.port;
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Resolves with the connection error's code, or `'connected'` when something accepted it. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('local SQS server inside VS Code', () => {
  let api: SqsWorkbenchApi;
  const clients: SQSClient[] = [];
  const blockers: net.Server[] = [];

  const client = (endpoint: string): SQSClient => {
    const created = sqsClient(endpoint);
    clients.push(created);
    return created;
  };

  before(async () => {
    api = await activateExtension();
  });

  beforeEach(async () => {
    // A free port unless a test says otherwise: 9324 may serve another window's server on this machine.
    await setConfiguredPort(0);
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.destroy());
    await Promise.all(blockers.splice(0).map(closeServer));
    await vscode.commands.executeCommand('sqsWorkbench.stopLocalServer');
    await setConfiguredPort(undefined);
  });

  it('activates and registers its commands', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
    assert.ok(api.localServer, 'activate() returned no localServer');

    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS) {
      assert.ok(registered.has(command), `${command} is not registered`);
    }
  });

  it('starts a server on 127.0.0.1 that answers the AWS SDK', async () => {
    const endpoint = await startServer();
    portOf(endpoint);
    assert.equal(api.localServer.endpoint, endpoint);

    const sqs = client(endpoint);
    const queueName = `vscode-round-trip-${Date.now()}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    assert.ok(QueueUrl, 'CreateQueue returned no QueueUrl');
    assert.ok(QueueUrl.endsWith(`/${queueName}`), `unexpected queue URL ${QueueUrl}`);

    const body = JSON.stringify({ orderId: 42, note: 'héllo' });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    assert.ok(sent.MessageId, 'SendMessage returned no MessageId');

    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    assert.equal(received.Messages?.length, 1);
    const message = received.Messages[0];
    assert.equal(message.MessageId, sent.MessageId);
    assert.equal(message.Body, body);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));

    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'vscode-round-trip-' }));
    assert.ok(listed.QueueUrls?.includes(QueueUrl), `ListQueues did not list ${QueueUrl}`);
  });

  it('returns the running server when started again', async () => {
    const first = await startServer();
    const second = await startServer();
    assert.equal(second, first);

    const [a, b] = await Promise.all([api.localServer.start(), api.localServer.start()]);
    assert.equal(a, b);
    assert.equal(a.endpoint, first);
  });

  it('listens on the configured port when it is free', async () => {
    const probe = await occupyPort();
    const port = listeningPort(probe);
    await closeServer(probe);
    await setConfiguredPort(port);

    const endpoint = await startServer();
    assert.equal(portOf(endpoint), port);
  });

  it('falls back to a free port when the configured one is taken', async () => {
    const blocker = await occupyPort();
    blockers.push(blocker);
    const taken = listeningPort(blocker);
    await setConfiguredPort(taken);
    assert.equal(vscode.workspace.getConfiguration('sqsWorkbench.localServer').get('port'), taken);

    const endpoint = await startServer();
    const port = portOf(endpoint);
    assert.notEqual(port, taken);
    assert.equal(api.localServer.running?.port, port);

    const listed = await client(endpoint).send(new ListQueuesCommand({}));
    assert.equal(listed.$metadata.httpStatusCode, 200);
  });

  it('says the server runs in a transient status bar message, so no notification is left after Stop', async () => {
    const prompts = new Prompts();
    try {
      const endpoint = await startServer();
      await vscode.commands.executeCommand('sqsWorkbench.stopLocalServer');
      assert.deepEqual(prompts.of('information'), [], 'a notification that outlives the server');
      const status = prompts.of('statusBar').map((m) => m.text);
      assert.ok(status.some((t) => t.includes(`running at ${endpoint}`)), status.join(' | '));
      assert.ok(status.some((t) => t.includes('stopped')), status.join(' | '));
    } finally {
      prompts.restore();
    }
  });

  it('offers the SQS server already answering on the configured port instead of starting an empty one', async () => {
    const other = await startLocalServer({ port: 0 });
    try {
      other.engine.createQueue('orders');
      await setConfiguredPort(other.port);
      const prompts = new Prompts((asked) => (asked.kind === 'information' && asked.choices.includes('Use It') ? 'Use It' : undefined));
      try {
        const endpoint = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.startLocalServer');
        assert.equal(endpoint, other.endpoint);
        assert.equal(api.localServer.running, undefined, 'a second, empty server was started');
        assert.match(prompts.of('information')[0]?.text ?? '', /already answers at .* \(1 queue\)/);
        const added = api.connections.all.find((c) => c.info.endpoint === other.endpoint);
        assert.ok(added, 'the server on the port is not a connection');
        assert.equal(added.info.name, `Local SQS (127.0.0.1:${other.port})`);
      } finally {
        prompts.restore();
      }
    } finally {
      await vscode.workspace.getConfiguration('sqsWorkbench').update('connections', undefined, vscode.ConfigurationTarget.Global);
      await other.close();
    }
  });

  it('injects faults chosen with Local Server Faults…, shows them in the status bar, and clears them with None', async () => {
    const endpoint = await startServer();
    const sqs = client(endpoint);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'faulty' }))).QueueUrl;
    assert.equal(api.localServerStatus.shownFaults, undefined, 'no faults shown before any are chosen');
    let answers = ['Custom…', 'throttle=1:SendMessage@faulty,seed=3'];
    const prompts = new Prompts(() => answers.shift());
    try {
      const applied = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.localServerFaults');
      assert.equal(applied, 'throttle=1:SendMessage@faulty,seed=3');
      const picker = prompts.of('quickPick')[0];
      assert.match(picker.text, /now: no faults; 0 injected/);
      assert.deepEqual(picker.choices, ['None', 'Duplicate deliveries', 'Throttling', 'Server errors', 'Slow answers', 'Shuffled order', 'A little of everything', 'Custom…']);
      assert.equal(api.localServerStatus.shownFaults, '$(bug) Faults: throttle 100% (SendMessage, @faulty)');
      await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), { name: 'RequestThrottled' });

      answers = ['None'];
      assert.equal(await vscode.commands.executeCommand('sqsWorkbench.localServerFaults'), 'none');
      assert.match(prompts.of('quickPick')[1].text, /now: throttle 100% \(SendMessage, @faulty\); 1 injected/);
      assert.equal(api.localServerStatus.shownFaults, undefined);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));

      answers = ['Throttling'];
      assert.equal(await vscode.commands.executeCommand('sqsWorkbench.localServerFaults'), 'throttle=0.1,seed=1');
      assert.equal(api.localServerStatus.shownFaults, '$(bug) Faults: throttle 10%');
    } finally {
      prompts.restore();
    }
    // A stopped server takes its faults with it.
    await vscode.commands.executeCommand('sqsWorkbench.stopLocalServer');
    assert.equal(api.localServerStatus.shownFaults, undefined);
  });

  it('stops the server so that its endpoint refuses connections', async () => {
    const endpoint = await startServer();
    const port = portOf(endpoint);
    assert.equal(await tryConnect(port), 'connected');

    await vscode.commands.executeCommand('sqsWorkbench.stopLocalServer');
    assert.equal(api.localServer.endpoint, undefined);
    assert.equal(await tryConnect(port), 'ECONNREFUSED');
    await assert.rejects(client(endpoint).send(new ListQueuesCommand({})));
  });

  it('runs the server in its own process: a killed one shows an error node and a Restart, which brings it back', async function () {
    this.timeout(60_000);
    const endpoint = await startServer();
    const running = api.localServer.running;
    assert.ok(running);
    assert.notEqual(running.pid, process.pid, 'the server runs in the extension host');
    process.kill(running.pid, 'SIGKILL');

    await waitFor('the service to see its process end', () => api.localServer.failure);
    assert.equal(api.localServer.running, undefined);
    assert.equal(api.localServer.failure?.message, 'Local SQS server stopped unexpectedly (signal SIGKILL)');
    const status = api.localServerStatus.shown;
    assert.match(status.text, /SQS local server stopped/);
    assert.match(status.tooltip, /Local SQS server stopped unexpectedly \(signal SIGKILL\)/);
    assert.equal(status.command, 'sqsWorkbench.restartLocalServer');

    // The Local connection stays, unreachable: the explorer says so rather than hanging or notifying.
    const errorChild = await waitFor(
      'an error node under Local',
      async () => {
        const node = api.explorer.connectionNode('local');
        if (!node || node.connection.info.endpoint !== endpoint) return undefined;
        const [first] = await api.explorer.getChildren(node);
        const item = first?.toTreeItem();
        return item?.contextValue === 'error' ? item : undefined;
      },
      30_000,
    );
    const label = typeof errorChild.label === 'string' ? errorChild.label : (errorChild.label?.label ?? '');
    assert.match(label, /^(Cannot reach|Failed to list queues)/);

    const restarted = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.restartLocalServer');
    assert.equal(restarted, endpoint, 'it restarts on the port it had');
    assert.equal(api.localServer.failure, undefined);
    const again = await api.localServer.start();
    assert.equal(again.endpoint, endpoint);
    assert.notEqual(again.pid, running.pid);
    assert.match(api.localServerStatus.shown.text, /SQS 127\.0\.0\.1:/);
    const { QueueUrl } = await client(endpoint).send(new CreateQueueCommand({ QueueName: 'after-restart' }));
    assert.ok(QueueUrl);
    const node = await waitFor('the Local connection listing the new queue', async () => {
      const local = api.connections.get('local');
      if (!local) return undefined;
      await local.catalog.refresh();
      return local.catalog.queues.some((q) => q.url === QueueUrl) ? api.explorer.connectionNode('local') : undefined;
    });
    const shown = await api.explorer.getChildren(node);
    assert.deepEqual(shown.map((n) => n.toTreeItem().label), ['after-restart']);
  });
});
