// The queue explorer as a person uses it in the browser VS Code: the view on first start,
// the palette, and the tree's context menus. Runs in the "e2e" tier of npm test.
import assert from 'node:assert/strict';
import { counts, contextMenu, notification, queueRow, queueWith, revealQueue, runCommand, STEP_MS, workbench } from './workbench.mjs';

describe('e2e: the queue explorer in the browser VS Code', function () {
  this.timeout(120_000);
  let wb;
  before(async () => {
    wb = await workbench();
  });

  it('opens on the SQS view by itself the first time, listing the demo queues', async () => {
    // What the side bar showed before the tier clicked anything.
    assert.equal(wb.firstView, 'SQS', `the side bar showed ${wb.firstView}`);
    await revealQueue(wb.page, 'orders');
    for (const queue of ['orders-dlq', 'payments.fifo', 'notifications-email']) {
      await queueRow(wb.page, queue).waitFor({ timeout: STEP_MS });
    }
    const label = await queueRow(wb.page, 'orders').getAttribute('aria-label');
    assert.match(label, /visible/, `the row says its counts: ${label}`);
  });

  it('purges a queue from its context menu after a modal that shows its counts', async () => {
    await queueWith(wb, 'e2e-purge', 7);
    const row = await revealQueue(wb.page, 'e2e-purge');
    await contextMenu(wb.page, row, 'Purge Queue…');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: STEP_MS });
    assert.match(await dialog.innerText(), /7/, 'the modal names the count of messages to purge');
    await dialog.getByRole('button', { name: /^Purge/ }).click();
    await wb.page.waitForFunction(() => !document.querySelector('.monaco-dialog-box'));
    let after;
    for (let i = 0; i < 50 && (after?.visible ?? 1) !== 0; i++) {
      after = await counts(wb, 'e2e-purge');
      await wb.page.waitForTimeout(100);
    }
    assert.equal(after.visible, 0);
  });

  it('runs a command from the palette: Filter Queues narrows the tree', async () => {
    await revealQueue(wb.page, 'orders');
    await runCommand(wb.page, 'SQS: Filter Queues…');
    // With one connection, the filter's input box comes straight away.
    const input = wb.page.locator('.quick-input-widget input');
    const title = wb.page.locator('.quick-input-widget .quick-input-title');
    await title.filter({ hasText: /^Filter queues of / }).waitFor({ timeout: STEP_MS });
    await input.fill('payments');
    await input.press('Enter');
    await queueRow(wb.page, 'orders').waitFor({ state: 'detached', timeout: STEP_MS });
    await queueRow(wb.page, 'payments.fifo').waitFor({ timeout: STEP_MS });
    await runCommand(wb.page, 'SQS: Clear Filter');
    await queueRow(wb.page, 'orders').waitFor({ timeout: STEP_MS });
    assert.equal(await notification(wb.page, 'TypeError').count(), 0);
  });
});
