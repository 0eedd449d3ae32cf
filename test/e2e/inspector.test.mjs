// The message inspector as a person uses it in the browser VS Code: opened from the tree's
// inline button, driven in its webview frame. What the page shows is checked against what
// the server holds.
import assert from 'node:assert/strict';
import { closeEditors, counts, openInspector, pictureIfFailed, queueWith, revealQueue, STEP_MS, workbench } from './workbench.mjs';

describe('e2e: the message inspector in the browser VS Code', function () {
  this.timeout(120_000);
  let wb;
  before(async () => {
    wb = await workbench();
    // Two pairs share a key, so that some messages carry a duplicate-key flag.
    await queueWith(wb, 'e2e-peek', 15);
    await queueWith(wb, 'e2e-select', 8, { key: (i) => (i < 4 ? `pair-${i % 2}` : `k-${i}`) });
    await queueWith(wb, 'e2e-find', 30);
    await revealQueue(wb.page, 'e2e-peek');
    await revealQueue(wb.page, 'e2e-select');
  });
  afterEach(async function () {
    await pictureIfFailed(this.currentTest);
    await closeEditors(wb.page);
  });

  async function chooseMode(frame, label) {
    await frame.locator('vscode-dropdown[aria-label="Mode"]').click();
    await frame.locator('vscode-option', { hasText: label }).click();
  }

  async function receive(frame, count = 10) {
    await frame.locator('vscode-text-field[aria-label="Messages"] input').fill(String(count));
    await frame.locator('vscode-button[aria-label="Receive"]').click();
    // The receive loop ends with a long poll that comes back empty; the button is enabled again.
    await frame.locator('vscode-button[aria-label="Receive"][disabled]').waitFor({ state: 'detached', timeout: STEP_MS }).catch(() => undefined);
    await frame.locator('vscode-button[aria-label="Receive"]:not([disabled])').waitFor({ timeout: STEP_MS });
  }

  it('shows peeked messages as peeked, never as held, and leaves none in flight', async () => {
    const frame = await openInspector(wb.page, 'e2e-peek');
    await chooseMode(frame, 'Peek (release at once)');
    await receive(frame, 15);
    const rows = frame.locator('tr.row');
    await frame.locator('tr.row').nth(14).waitFor({ timeout: STEP_MS });
    assert.equal(await rows.count(), 15);
    await frame.locator('tr.row td.state', { hasText: 'peeking' }).first().waitFor({ state: 'detached', timeout: STEP_MS }).catch(() => undefined);
    const states = await rows.locator('td.state').allInnerTexts();
    assert.deepEqual([...new Set(states.map((s) => s.trim()))], ['peeked'], `every row says peeked: ${states.join(', ')}`);
    assert.equal(await frame.locator('tr.row .countdown').count(), 0, 'no countdown on a peeked message');
    assert.equal((await counts(wb, 'e2e-peek')).inflight, 0, 'the server holds none in flight');
    // A peeked message has no receipt handle to act with: its actions say why they are off.
    await rows.first().click();
    await frame.locator('vscode-button[aria-label="Delete"][disabled]').waitFor({ timeout: STEP_MS });
    await frame.locator('vscode-button[aria-label="Release"][disabled]').waitFor({ timeout: STEP_MS });
  });

  it('acts on what is seen and selected: a hidden checked message is left alone, and deleting many asks first', async () => {
    const frame = await openInspector(wb.page, 'e2e-select');
    await chooseMode(frame, 'Hold (keep hidden)');
    await receive(frame);
    const rows = frame.locator('tr.row');
    await rows.nth(7).waitFor({ timeout: STEP_MS });
    assert.equal((await counts(wb, 'e2e-select')).inflight, 8);

    // Check three messages without a flag, then show only the flagged ones: the three are hidden.
    const plain = frame.locator('tr.row:not(:has(.flag))');
    for (let i = 0; i < 3; i++) await plain.nth(i).locator('input[type="checkbox"]').check();
    await frame.locator('vscode-button[aria-label="Flagged only"]').click();
    const flagged = frame.locator('tr.row');
    await wb.page.waitForTimeout(300);
    const shown = await flagged.count();
    assert.ok(shown >= 2 && shown < 8, `the filter shows only the flagged messages (${shown})`);

    // Click one visible row and release: only that one is released.
    await flagged.first().click();
    await frame.locator('table').press('r');
    await flagged.first().locator('td.state', { hasText: 'released' }).waitFor({ timeout: STEP_MS });
    let now;
    for (let i = 0; i < 50; i++) {
      now = await counts(wb, 'e2e-select');
      if (now.visible === 1) break;
      await wb.page.waitForTimeout(100);
    }
    assert.deepEqual({ visible: now.visible, inflight: now.inflight }, { visible: 1, inflight: 7 }, 'one message released, the hidden checked ones still held');

    // Show everything again; select two and delete: the page asks, naming the count.
    await frame.locator('vscode-button[aria-label="Flagged only"]').click();
    await frame.locator('tr.row').nth(7).waitFor({ timeout: STEP_MS });
    const held = frame.locator('tr.row:has(.countdown)');
    await held.nth(0).locator('input[type="checkbox"]').check();
    await held.nth(1).locator('input[type="checkbox"]').check();
    await frame.locator('vscode-button[aria-label="Delete"]').click();
    const confirm = frame.locator('[role="alertdialog"]');
    await confirm.waitFor({ timeout: STEP_MS });
    assert.match(await confirm.innerText(), /Delete 2 messages\?/);
    assert.equal((await counts(wb, 'e2e-select')).inflight, 7, 'nothing deleted before the answer');
    await confirm.locator('vscode-button', { hasText: 'Delete 2 Messages' }).click();
    for (let i = 0; i < 50 && (await counts(wb, 'e2e-select')).inflight !== 5; i++) await wb.page.waitForTimeout(100);
    assert.equal((await counts(wb, 'e2e-select')).inflight, 5);
  });

  it('keeps every column readable in a narrow editor, after Open in Editor splits it', async () => {
    const frame = await openInspector(wb.page, 'e2e-peek');
    await chooseMode(frame, 'Peek (release at once)');
    await receive(frame);
    await frame.locator('tr.row').first().waitFor({ timeout: STEP_MS });
    const widths = () =>
      frame.locator('table thead th').evaluateAll((ths) => Object.fromEntries(ths.map((th) => [th.textContent.trim() || th.className, Math.round(th.getBoundingClientRect().width)])));
    const wide = await widths();
    assert.ok(wide.Body >= 150, `Body is wide in a full editor: ${JSON.stringify(wide)}`);
    // Open in Editor puts the body in an editor beside: the inspector gets about half the window.
    await frame.locator('tr.row').first().click();
    await frame.locator('vscode-button', { hasText: 'Open in Editor' }).click();
    await wb.page.locator('.editor-group-container').nth(1).waitFor({ timeout: STEP_MS });
    await wb.page.waitForTimeout(800);
    const narrow = await widths();
    for (const column of ['Body', 'Receives', 'State']) {
      assert.ok(narrow[column] >= (column === 'Body' ? 80 : 40), `${column} stays visible when the editor is split: ${JSON.stringify(narrow)}`);
    }
  });

  it('finds messages: "/" goes to the filter, a JSON path narrows the list and counts, Escape brings all back', async () => {
    const frame = await openInspector(wb.page, 'e2e-find');
    await chooseMode(frame, 'Peek (release at once)');
    await receive(frame, 30);
    await frame.locator('tr.row').nth(29).waitFor({ timeout: STEP_MS });
    await frame.locator('tr.row').first().click();
    await wb.page.keyboard.press('/');
    // Typed as a person types it, in the field "/" focused.
    await wb.page.keyboard.type('n >= 25');
    await frame.locator('.filter-count', { hasText: '5 of 30 match' }).waitFor({ timeout: STEP_MS });
    const bodies = await frame.locator('tr.row td:nth-child(4)').allInnerTexts();
    assert.deepEqual(bodies.map((b) => JSON.parse(b).n).sort((a, b) => a - b), [25, 26, 27, 28, 29]);
    await wb.page.keyboard.press('Escape');
    await frame.locator('.filter-count', { hasText: 'match' }).waitFor({ state: 'detached', timeout: STEP_MS }).catch(() => undefined);
    assert.equal(await frame.locator('.filter-count').innerText(), '');
    assert.equal(await frame.locator('tr.row').count(), 30);
  });
});
