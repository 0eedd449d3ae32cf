// Browse and Watch in the inspector page, in real Chromium: the modes offered (and why not),
// the rows of a watched queue with their states and holders, and the consumer flags.
import assert from 'node:assert/strict';
import { heldMessage, OPTIONS, QUEUE, SUMMARY, usePage } from './inspectorPage.mjs';

describe('inspector webview: Browse and Watch', function () {
  this.timeout(60_000);
  let page;
  const fixture = usePage();
  beforeEach(() => (page = fixture.page));

  const { deliver } = fixture;
  const modes = () => page.locator('vscode-dropdown[aria-label="Mode"] vscode-option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));

  it('offers Browse and Watch only on a workbench server, says why elsewhere, and asks the host to watch', async () => {
    const now = Date.now();
    await deliver({ method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages: [], summary: SUMMARY, now } });
    assert.deepEqual(await modes(), ['peek', 'hold']);
    assert.match(await page.locator('vscode-dropdown[aria-label="Mode"]').getAttribute('title'), /need the SQS Workbench local server/);
    await deliver({ method: 'host/queue/set', params: { queue: { ...QUEUE, browsable: true }, options: { ...OPTIONS, mode: 'watch' } } });
    assert.deepEqual(await modes(), ['peek', 'hold', 'browse', 'watch']);
    const button = page.locator('vscode-button[aria-label="Watch"]');
    assert.equal(await page.locator('vscode-text-field[aria-label="Wait (s)"]').isHidden(), true, 'Watch waits for nothing');
    await button.click();
    const request = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'messages/receive'))).jsonValue();
    assert.equal(request.params.mode, 'watch');
  });

  it('shows watched rows in flight with their consumer, delayed, moved to the DLQ, and the consumer flags', async () => {
    const now = Date.now();
    const watched = (i, overrides) => heldMessage(i, now, { mode: 'watch', autoExtend: false, disabled: { extend: 'browsed', release: 'browsed', delete: 'browsed', copy: 'Browsed: read, not received, so the inspector has no received copy to send. Hold it to copy it to a queue.' }, ...overrides });
    const inflight = watched(0, { state: 'inflight', holder: 'billing-worker', deadline: now + 20_000, windowStart: now });
    const delayed = watched(1, { state: 'delayed', deadline: now + 60_000 });
    const poison = watched(2, { state: 'movedToDlq', receiveCount: 2, flags: { redelivered: 2, poison: { at: now, from: 'orders', receives: [{ at: now - 9000, by: 'crasher', receiveCount: 1 }, { at: now - 2000, by: 'crasher', receiveCount: 2 }] } } });
    const slow = watched(3, { state: 'deleted', flags: { slowConsumer: { by: 'slow-worker', usedMs: 25_000, timeoutMs: 30_000 } } });
    const late = watched(4, { state: 'deleted', flags: { lateDelete: { at: now, by: 'late-worker' } } });
    const visible = watched(5, { state: 'visible' });
    const summary = { ...SUMMARY, lateDeletes: 1, slowConsumers: 1, poisonMessages: 1 };
    await deliver({ method: 'host/state/set', params: { queue: { ...QUEUE, browsable: true }, options: { ...OPTIONS, mode: 'watch' }, messages: [inflight, delayed, poison, slow, late, visible], summary, now } });
    const states = (await page.locator('tr.row td.state').allInnerTexts()).map((s) => s.trim());
    assert.match(states[0], /^in flight 0:(1\d|20) · billing-worker$/);
    assert.match(states[1], /^delayed (0:5\d|1:00)$/);
    assert.deepEqual(states.slice(2), ['moved to the DLQ', 'deleted', 'deleted', 'visible']);
    assert.match(await page.locator('.flags-summary').innerText(), /1 deleted late.*1 slow.*1 poison/s);
    // VS Code's charts.orange defaults to a translucent colour: the slow flag is drawn opaque all the same.
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-orange', '#d1861655'));
    const slowColour = await page.locator('.flags-summary .flag.slow').evaluate((e) => getComputedStyle(e).color);
    assert.match(slowColour, /^(rgb\(209, 134, 22\)|color\(srgb 0\.8196\d* 0\.5254\d* 0\.0862\d*\))$/, `opaque orange, not ${slowColour}`);
    assert.match(await page.locator('tr.row').nth(2).locator('.flag.poison').getAttribute('title'), /#1 by crasher.*#2 by crasher/);
    const flagsCell = page.locator('tr.row').nth(2).locator('td.flags');
    const fit = await flagsCell.evaluate((td) => ({ scroll: td.scrollWidth, client: td.clientWidth, html: td.innerHTML.slice(0, 300), style: getComputedStyle(td).paddingLeft + ' ' + getComputedStyle(td).paddingRight }));
    assert.ok(fit.scroll <= fit.client, `a redelivered poison message shows both flags at the default column width: ${JSON.stringify(fit)}`);
    await page.locator('vscode-button[aria-label="Flagged only"]').click();
    assert.equal(await page.locator('tr.row:visible').count(), 3, 'only the flagged rows');
    await page.locator('vscode-button[aria-label="Flagged only"]').click();
    await page.locator('tr.row').first().click();
    await page.waitForFunction((x) => document.querySelector('.detail h2')?.textContent === `Message ${x}`, inflight.messageId);
    assert.match(await page.locator('.detail').innerText(), /Held by\s+billing-worker/);
    for (const label of ['Move…', 'Copy…']) {
      const b = page.locator(`vscode-button[aria-label="${label}"]`);
      assert.equal(await b.evaluate((x) => x.disabled), true, `${label} is disabled for a watched row`);
      assert.ok((await b.getAttribute('title')).length > 0, `${label} says why`);
    }
    assert.match(await page.locator('vscode-button[aria-label="Copy…"]').getAttribute('title'), /read, not received, so the inspector has no received copy to send\. Hold it/);
    await page.locator('tr.row').nth(3).click();
    await page.waitForFunction((x) => document.querySelector('.detail h2')?.textContent === `Message ${x}`, slow.messageId);
    assert.match(await page.locator('.detail').innerText(), /slow-worker took 25\.0 s of 30\.0 s/);
  });
});
