import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqsWorkbenchApi } from '../../src/extension';
import type { ActivityView } from '../../src/shared/activity';
import type { InspectorPanel } from '../../src/views/inspector/inspectorPanel';
import { localSqs } from './localSqs';
import { waitFor } from './wait';

const EXTENSION_ID = 'sqs-workbench.sqs-workbench';

/** The queue's node in the explorer: what the Receive Messages link runs on once a queue is chosen. */
async function queueNode(a: SqsWorkbenchApi, url: string): Promise<unknown> {
  await a.connections.get('local')?.catalog.refresh();
  const root = await waitFor('the local connection in the tree', () => a.explorer.connectionNode('local'));
  const found = (await a.explorer.getChildren(root)).find((n) => n.kind === 'queue' && n.snapshot.url === url);
  assert.ok(found, `the queue ${url} in the tree`);
  return found;
}

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

describe('walkthrough and queue activity in VS Code', () => {
  let a: SqsWorkbenchApi;
  let extension: vscode.Extension<SqsWorkbenchApi>;

  before(async () => {
    const found = vscode.extensions.getExtension<SqsWorkbenchApi>(EXTENSION_ID);
    assert.ok(found);
    extension = found;
    a = await extension.activate();
    // A free port: 9324 may serve another window's server on this machine.
    await vscode.workspace.getConfiguration('sqsWorkbench.localServer').update('port', 0, vscode.ConfigurationTarget.Global);
  });
  afterEach(async () => {
    await Promise.all(a.inspectors.open.map((p) => p.close()));
  });
  after(async () => {
    await a.localServer.stop();
    await vscode.workspace.getConfiguration('sqsWorkbench.localServer').update('port', undefined, vscode.ConfigurationTarget.Global);
  });

  it('contributes "Debug your consumer", whose steps link commands that exist and run', async () => {
    const contributes = (extension.packageJSON as { contributes: { walkthroughs: { id: string; title: string; steps: WalkthroughStep[] }[] } }).contributes;
    const walkthrough = contributes.walkthroughs.find((w) => w.id === 'debugYourConsumer');
    assert.ok(walkthrough);
    assert.equal(walkthrough.title, 'Debug your consumer');
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['startLocalServer', 'pointYourApp', 'watchQueue', 'readFlags']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const markdown = path.join(extension.extensionPath, step.media.markdown ?? '');
      assert.ok(step.media.markdown && existsSync(markdown), `${step.id}: its markdown ${step.media.markdown ?? '(none)'} exists`);
      const links = [...`${step.description}\n${readFileSync(markdown, 'utf8')}`.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1] ?? '');
      assert.ok(links.length > 0 || (step.completionEvents ?? []).length > 0, `${step.id}: a command link or a completion event`);
      for (const command of links) assert.ok(registered.has(command), `${step.id}: ${command} is registered`);
      for (const event of step.completionEvents ?? []) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command) assert.ok(registered.has(command), `${step.id}: completion event ${event} names a registered command`);
      }
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#debugYourConsumer`, false);

    // The steps' commands, as the links run them.
    const endpoint = await vscode.commands.executeCommand<string | undefined>('sqsWorkbench.startLocalServer');
    assert.ok(endpoint && a.localServer.endpoint === endpoint, 'the server started');
    await vscode.commands.executeCommand('sqsWorkbench.copyLocalServerEndpoint');
    assert.equal(await vscode.env.clipboard.readText(), endpoint);
    const connection = await waitFor('the local connection', () => (a.connections.get('local')?.info.endpoint === endpoint ? a.connections.get('local') : undefined), 20_000);
    assert.equal(connection.info.endpoint, endpoint);
    const url = await localSqs(a).createQueue(`walk-${Date.now()}`);
    const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.watchQueue', await queueNode(a, url));
    assert.ok(panel && a.inspectors.open.includes(panel), 'the inspector opened');
    await vscode.commands.executeCommand('sqsWorkbench.explorer.focus');
  });

  it('sends the queue\'s activity to the page: counts, every client\'s rates and the exact oldest age', async () => {
    await a.localServer.start();
    await waitFor('the local connection', () => a.connections.get('local')?.info.endpoint === a.localServer.endpoint, 20_000);
    const server = localSqs(a);
    const url = await server.createQueue(`activity-${Date.now()}`);
    for (let i = 0; i < 3; i++) await server.sendMessage(url, { MessageBody: `m${i}` });
    const delivered: { view: ActivityView; shown: boolean }[] = [];
    const panel = await vscode.commands.executeCommand<InspectorPanel | undefined>('sqsWorkbench.receiveMessages', await queueNode(a, url));
    assert.ok(panel);
    const webview = panel.panel.webview;
    const post = webview.postMessage.bind(webview);
    webview.postMessage = async (message: unknown): Promise<boolean> => {
      const shown = await post(message);
      const m = message as { method?: string; params?: ActivityView };
      if (m.method === 'host/activity/set' && m.params) delivered.push({ view: m.params, shown });
      return shown;
    };
    const reached = await waitFor('activity with the three messages, delivered to the page', () => delivered.find((d) => d.shown && d.view.samples.at(-1)?.visible === 3 && d.view.rates !== undefined), 20_000);
    assert.deepEqual(reached.view.samples.at(-1) && { ...reached.view.samples.at(-1), at: 0 }, { at: 0, visible: 3, inflight: 0, delayed: 0 });
    assert.ok(reached.view.oldest && 'source' in reached.view.oldest && reached.view.oldest.source === 'server', JSON.stringify(reached.view.oldest));
    assert.equal(reached.view.error, undefined);
    assert.deepEqual(panel.shownActivity, delivered.at(-1)?.view, 'the panel keeps the latest for a page that loads again');
  });
});
