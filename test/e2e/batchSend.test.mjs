// Batch Send as a person starts it: from the file Explorer's context menu and the editor's,
// where VS Code passes the file's URI (and, from the Explorer, the list of selected URIs).
import assert from 'node:assert/strict';
import { counts, contextMenu, fileRow, pick, queueWith, revealQueue, showExplorer, STEP_MS, workbench } from './workbench.mjs';

describe('e2e: Batch Send File from the menus', function () {
  this.timeout(120_000);
  let wb;
  before(async () => {
    wb = await workbench();
    // Made while the SQS view shows, so that its live refresh lists them in the queue pickers.
    await queueWith(wb, 'e2e-batch-explorer', 0);
    await queueWith(wb, 'e2e-batch-editor', 0);
    await revealQueue(wb.page, 'e2e-batch-explorer');
    await revealQueue(wb.page, 'e2e-batch-editor');
  });

  async function waitForVisible(queue, expected) {
    let now;
    for (let i = 0; i < 100; i++) {
      now = await counts(wb, queue);
      if (now.visible >= expected) break;
      await wb.page.waitForTimeout(100);
    }
    return now.visible;
  }

  it('sends the file right-clicked in the Explorer, without asking for the file again', async () => {
    await showExplorer(wb.page);
    const file = fileRow(wb.page, 'orders.jsonl');
    await file.waitFor({ timeout: STEP_MS });
    await contextMenu(wb.page, file, 'Batch Send File…');
    // The only question is which queue.
    await pick(wb.page, 'e2e-batch-explorer');
    assert.equal(await waitForVisible('e2e-batch-explorer', 12), 12, 'the 12 entries of orders.jsonl arrive');
  });

  it('sends the open file from the editor context menu, without asking which file', async () => {
    await showExplorer(wb.page);
    const file = fileRow(wb.page, 'orders.jsonl');
    await file.dblclick();
    const editor = wb.page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: STEP_MS });
    await contextMenu(wb.page, editor.locator('.view-lines'), 'Batch Send File…');
    await pick(wb.page, 'e2e-batch-editor');
    await wb.page.waitForTimeout(500);
    const asked = wb.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: /which file/i });
    assert.equal(await asked.count(), 0, 'it does not ask for the file it was started on');
    assert.equal(await waitForVisible('e2e-batch-editor', 12), 12);
  });
});
