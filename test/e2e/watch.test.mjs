// Watch as a person uses it in the browser VS Code: opened from the tree's inline button, a
// consumer of their own (named by its access key id) receives and deletes, and the rows of
// the inspector's page change, without the inspector receiving anything.
import assert from 'node:assert/strict';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { closeEditors, contextMenu, counts, openInspector, pictureIfFailed, queueWith, revealQueue, STEP_MS, workbench } from './workbench.mjs';
import { webviewFrame } from '../browser/workbench.mjs';

describe('e2e: Watch in the browser VS Code', function () {
  this.timeout(120_000);
  let wb;
  let consumer;
  before(async () => {
    wb = await workbench();
    await queueWith(wb, 'e2e-watch', 3);
    await revealQueue(wb.page, 'e2e-watch');
    consumer = new SQSClient({ endpoint: wb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'e2e-worker', secretAccessKey: 'x' } });
  });
  after(() => consumer?.destroy());
  afterEach(async function () {
    await pictureIfFailed(this.currentTest);
    await closeEditors(wb.page);
  });

  it('opens Watch from the tree; a consumer’s receive and delete change the rows in the page', async () => {
    const frame = await openInspector(wb.page, 'e2e-watch');
    await frame.locator('vscode-dropdown[aria-label="Mode"]').click();
    await frame.locator('vscode-option', { hasText: 'Watch (live, receive nothing)' }).click();
    await frame.locator('vscode-button[aria-label="Watch"]').click();
    const rows = frame.locator('tr.row');
    await rows.nth(2).waitFor({ timeout: STEP_MS });
    assert.deepEqual((await rows.locator('td.state').allInnerTexts()).map((s) => s.trim()), ['visible', 'visible', 'visible']);
    assert.equal((await counts(wb, 'e2e-watch')).visible, 3, 'Watch received nothing');

    const url = await wb.queueUrl('e2e-watch');
    const got = (await consumer.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }))).Messages?.[0];
    assert.ok(got?.ReceiptHandle);
    const held = frame.locator('tr.row td.state', { hasText: 'e2e-worker' });
    await held.waitFor({ timeout: STEP_MS });
    assert.match(await held.innerText(), /in flight .*e2e-worker/);
    await consumer.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.ReceiptHandle }));
    await frame.locator('tr.row td.state', { hasText: 'deleted' }).waitFor({ timeout: STEP_MS });
    const states = (await rows.locator('td.state').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual([...states].sort(), ['deleted', 'visible', 'visible']);
  });

  it('Watch Queue in the queue’s context menu opens the inspector watching it, receiving nothing', async () => {
    await queueWith(wb, 'e2e-watch-menu', 2);
    const row = await revealQueue(wb.page, 'e2e-watch-menu');
    await contextMenu(wb.page, row, 'Watch Queue');
    const frame = await webviewFrame(wb.page, '#app vscode-dropdown[aria-label="Mode"]', { timeoutMs: STEP_MS });
    await frame.locator('#app h1', { hasText: 'e2e-watch-menu' }).waitFor({ timeout: STEP_MS });
    const rows = frame.locator('tr.row');
    await rows.nth(1).waitFor({ timeout: STEP_MS });
    assert.deepEqual((await rows.locator('td.state').allInnerTexts()).map((s) => s.trim()), ['visible', 'visible']);
    assert.equal(await frame.locator('vscode-dropdown[aria-label="Mode"]').evaluate((d) => d.value), 'watch', 'the page shows the mode it is in');
    assert.equal((await counts(wb, 'e2e-watch-menu')).visible, 2, 'Watch received nothing');
  });
});
