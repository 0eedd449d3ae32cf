// The end-to-end tier's fixture: the browser VS Code (code-server) with this extension,
// connected through the environment to the local SQS server's command line with the demo
// queues, driven in headless Chromium as a person drives it: the activity bar, the command
// palette, the tree's context menus and inline buttons, the file Explorer's context menu,
// and the inspector's page inside its webview frame. One workbench serves every test file
// of the tier; it is stopped by a root `after` hook.
//
// Tests assert what the page shows, and check the server's side through the SQS API.
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import fs from 'node:fs';
import path from 'node:path';
import {
  CACHE,
  freePort,
  launchChromium,
  linkExtension,
  runFolders,
  startCodeServer,
  startLocalSqs,
  webviewFrame,
  writeUserSettings,
} from '../browser/workbench.mjs';

export const STEP_MS = 30_000;

let opened;

/** Files the workspace folder starts with (name → text). */
const WORKSPACE_FILES = {
  'orders.jsonl': `${Array.from({ length: 12 }, (_, i) => JSON.stringify({ body: { orderId: `e2e-${i}` }, attributes: { eventType: 'OrderCreated' } })).join('\n')}\n`,
};

/**
 * The shared workbench: `{ page, sqs, endpoint, workspace, queueUrl(name), stop() }`. The
 * first call starts everything (about 15 s); the later ones return the same.
 */
export function workbench() {
  opened ??= open();
  return opened;
}

async function open() {
  const name = 'e2e';
  fs.rmSync(path.join(CACHE, name), { recursive: true, force: true });
  const folders = runFolders(name);
  const workspace = path.join(folders.base, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  for (const [file, text] of Object.entries(WORKSPACE_FILES)) fs.writeFileSync(path.join(workspace, file), text);

  const local = await startLocalSqs({ port: await freePort(), seed: 'demo' });
  const env = { AWS_ENDPOINT_URL_SQS: local.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e' };
  writeUserSettings(folders, {
    'workbench.colorTheme': 'Default Dark Modern',
    // Faster than the default 5 s, so that counts the tests wait for come sooner.
    'sqsWorkbench.explorer.refreshIntervalSeconds': 1,
    // The server the extension starts: on a port of its own, so that no other server answers there.
    'sqsWorkbench.localServer.port': await freePort(),
  });
  linkExtension(folders);
  let codeServer;
  let browser;
  try {
    codeServer = await startCodeServer({ folders, port: await freePort(), env, folder: workspace });
    browser = await launchChromium(folders, { viewport: { width: 1280, height: 800 } });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(codeServer.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // Before anything is clicked: the extension shows its view the first time it runs.
    const firstView = await page
      .locator('.part.sidebar')
      .getByRole('treeitem', { name: /queue orders,/i })
      .first()
      .waitFor({ timeout: 60_000 })
      .then(() => 'SQS', () => page.locator('.part.sidebar .title-label').first().innerText().catch(() => 'none'));
    const sqs = new SQSClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } });
    const stop = async () => {
      sqs.destroy();
      await browser?.close().catch(() => undefined);
      await codeServer?.stop();
      await local.stop();
    };
    const queueUrl = async (queue) => (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
    return { page, sqs, endpoint: local.endpoint, workspace, folders, queueUrl, stop, firstView };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop();
    await local.stop();
    throw error;
  }
}

/**
 * A failed test leaves a picture of the page as it was, named after the test. Runs from the
 * root hook below; a file whose own afterEach changes the page calls it first.
 */
export async function pictureIfFailed(test) {
  if (test?.state !== 'failed' || !opened || test.pictured) return;
  test.pictured = true;
  const wb = await opened.catch(() => undefined);
  if (!wb) return;
  const file = path.join(wb.folders.base, 'failures', `${test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await wb.page.screenshot({ path: file }).catch(() => undefined);
  console.log(`    the page when it failed: ${path.relative(process.cwd(), file)}`);
}

afterEach(function () {
  return pictureIfFailed(this.currentTest);
});

// One workbench for the whole tier, stopped after the last test file.
after(async function () {
  this.timeout(60_000);
  if (!opened) return;
  const wb = await opened.catch(() => undefined);
  await wb?.stop();
});

/** A queue's live counts through the SQS API. */
export async function counts(wb, queue) {
  const { Attributes: a = {} } = await wb.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await wb.queueUrl(queue),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inflight: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
}

/** Creates a queue through the SQS API and fills it with `n` JSON messages `{ n: i, idempotencyKey }`. */
export async function queueWith(wb, queue, n, { key = (i) => `k-${i}` } = {}) {
  const { QueueUrl } = await wb.sqs.send(new CreateQueueCommand({ QueueName: queue, Attributes: { VisibilityTimeout: '60' } }));
  for (let start = 0; start < n; start += 10) {
    const entries = [];
    for (let i = start; i < Math.min(n, start + 10); i++) entries.push({ Id: `m${i}`, MessageBody: JSON.stringify({ n: i, idempotencyKey: key(i) }) });
    await wb.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
  }
  return QueueUrl;
}

/** Opens the SQS view (the palette's "View: Show SQS" opens it; an activity-bar click would toggle it). */
export async function showSqsView(page) {
  await runCommand(page, 'View: Show SQS');
}

/** Opens the file Explorer. */
export async function showExplorer(page) {
  await runCommand(page, 'View: Show Explorer');
  await page.locator('.explorer-folders-view').waitFor({ timeout: STEP_MS });
}

/** The file Explorer's row of `name`. */
export function fileRow(page, name) {
  return page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
}

/** The tree row of a queue (the extension's accessible label starts with its kind and name). */
export function queueRow(page, queue) {
  return page.locator('.part.sidebar').getByRole('treeitem', { name: new RegExp(`queue ${escapeRegExp(queue)},`, 'i') }).first();
}

/** Waits for the tree to show `queue`, refreshing the view once if it does not come. */
export async function revealQueue(page, queue) {
  await showSqsView(page);
  const row = queueRow(page, queue);
  try {
    await row.waitFor({ timeout: 10_000 });
  } catch {
    await runCommand(page, 'SQS: Refresh');
    await row.waitFor({ timeout: STEP_MS });
  }
  await row.scrollIntoViewIfNeeded();
  return row;
}

/** Runs a command from the command palette by its title, as typed by a person. */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_MS });
  await input.fill(`>${title}`);
  const item = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
  await item.click({ timeout: STEP_MS });
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Right-clicks `target` (a locator) and chooses `label` in its context menu. */
export async function contextMenu(page, target, label) {
  await target.click({ button: 'right' });
  const menu = page.locator('.monaco-menu-container .monaco-menu');
  await menu.waitFor({ timeout: STEP_MS });
  // Pointing at an item focuses it; Enter runs it (as reliable as a click, and what a keyboard user does).
  await menu.getByRole('menuitem', { name: label }).first().hover({ timeout: STEP_MS });
  await page.keyboard.press('Enter');
}

/** Chooses `label` in the quick pick that is open (typing it to filter). */
export async function pick(page, label) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: STEP_MS });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: STEP_MS });
  await row.click();
}

/** The notification (toast or notification-centre entry) whose text matches `text`. */
export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
}

/** Opens the inspector of `queue` with its inline button in the tree; resolves with its frame. */
export async function openInspector(page, queue) {
  const row = await revealQueue(page, queue);
  await row.hover();
  await row.locator('.actions [aria-label^="Receive Messages"]').click({ timeout: STEP_MS });
  const frame = await webviewFrame(page, '#app vscode-dropdown[aria-label="Mode"]', { timeoutMs: STEP_MS });
  await frame.locator('#app h1', { hasText: queue }).waitFor({ timeout: STEP_MS });
  return frame;
}

/** Closes every editor (the inspectors among them), dropping unsaved documents. */
export async function closeEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  const dontSave = page.locator('.monaco-dialog-box').getByRole('button', { name: "Don't Save" });
  if (await dontSave.waitFor({ timeout: 1000 }).then(() => true, () => false)) await dontSave.click();
  await page.waitForTimeout(300);
}

/** A file in the workspace folder, written now. */
export function workspaceFile(wb, name, text) {
  const file = path.join(wb.workspace, name);
  fs.writeFileSync(file, text);
  return file;
}
