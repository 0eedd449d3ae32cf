// Dead-letter triage as a person does it in the browser VS Code: a redrive from the DLQ's
// context menu, and a move of selected messages from the inspector's page. What the page
// shows is checked against what the server holds.
import assert from 'node:assert/strict';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { closeEditors, contextMenu, counts, notification, openInspector, pick, pictureIfFailed, queueWith, revealQueue, runCommand, STEP_MS, workbench } from './workbench.mjs';

describe('e2e: dead-letter triage in the browser VS Code', function () {
  this.timeout(120_000);
  let wb;
  before(async () => {
    wb = await workbench();
  });
  afterEach(async function () {
    await pictureIfFailed(this.currentTest);
    await closeEditors(wb.page);
  });

  /** Polls the server until `check(counts)` holds; returns the last counts. */
  async function until(queue, check) {
    let now;
    for (let i = 0; i < 100; i++) {
      now = await counts(wb, queue);
      if (check(now)) break;
      await wb.page.waitForTimeout(100);
    }
    return now;
  }

  it('redrives a DLQ from its context menu back to its source queue, after a modal that names the count and the destination', async () => {
    const { QueueUrl: dlq } = await wb.sqs.send(new CreateQueueCommand({ QueueName: 'e2e-redrive-dlq' }));
    const { Attributes } = await wb.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
    const { QueueUrl: source } = await wb.sqs.send(
      new CreateQueueCommand({ QueueName: 'e2e-redrive', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes.QueueArn, maxReceiveCount: 1 }) } }),
    );
    await wb.sqs.send(new SendMessageBatchCommand({ QueueUrl: source, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `m${i}`, MessageBody: `failed-${i}` })) }));
    // Received past maxReceiveCount, every message moves to the DLQ.
    for (let i = 0; i < 6 && (await counts(wb, 'e2e-redrive-dlq')).visible < 6; i++) {
      await wb.sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    }
    assert.equal((await counts(wb, 'e2e-redrive-dlq')).visible, 6);

    await runCommand(wb.page, 'SQS: Refresh');
    const row = await revealQueue(wb.page, 'e2e-redrive-dlq');
    await contextMenu(wb.page, row, 'Redrive Dead-Letter Queue…');
    await pick(wb.page, 'Their source queues');
    await pick(wb.page, 'As fast as possible');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: STEP_MS });
    assert.match(await dialog.innerText(), /Redrive 6 message\(s\) from "e2e-redrive-dlq" to their source queues \(e2e-redrive\)/);
    await dialog.getByRole('button', { name: /^Redrive/ }).click();
    await notification(wb.page, 'Redrive of e2e-redrive-dlq: completed').waitFor({ timeout: STEP_MS });
    const after = await until('e2e-redrive', (c) => c.visible === 6);
    assert.equal(after.visible, 6, 'every message is back in its source queue');
    assert.equal((await counts(wb, 'e2e-redrive-dlq')).visible, 0);
  });

  it('moves the checked messages from the inspector to a queue picked from a list', async () => {
    await queueWith(wb, 'e2e-move-from', 5);
    await wb.sqs.send(new CreateQueueCommand({ QueueName: 'e2e-move-to' }));
    await runCommand(wb.page, 'SQS: Refresh');
    await revealQueue(wb.page, 'e2e-move-to');
    const frame = await openInspector(wb.page, 'e2e-move-from');
    await frame.locator('vscode-dropdown[aria-label="Mode"]').click();
    await frame.locator('vscode-option', { hasText: 'Hold (keep hidden)' }).click();
    await frame.locator('vscode-text-field[aria-label="Messages"] input').fill('5');
    await frame.locator('vscode-button[aria-label="Receive"]').click();
    const rows = frame.locator('tr.row');
    await rows.nth(4).waitFor({ timeout: STEP_MS });
    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    await frame.locator('vscode-button[aria-label="Move…"]').click();
    await pick(wb.page, 'e2e-move-to');
    await frame.locator('.notice', { hasText: 'Moved 2 of 2 to e2e-move-to' }).waitFor({ timeout: STEP_MS });
    assert.equal((await until('e2e-move-to', (c) => c.visible === 2)).visible, 2);
    assert.deepEqual(await counts(wb, 'e2e-move-from'), { visible: 0, inflight: 3, delayed: 0 }, 'the two originals are deleted, the rest still held');
    await rows.nth(0).locator('td.state', { hasText: 'deleted' }).waitFor({ timeout: STEP_MS });
  });
});
