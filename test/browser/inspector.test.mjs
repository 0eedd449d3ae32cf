// The inspector webview in real Chromium: rendering, keyboard, requests to the host, and
// untrusted content that must stay text. Runs in the "browser" tier of npm test.
import assert from 'node:assert/strict';
import { heldMessage, OPTIONS, QUEUE, SUMMARY, usePage } from './inspectorPage.mjs';

describe('inspector webview in Chromium', function () {
  this.timeout(60_000);
  let page;
  const fixture = usePage();
  beforeEach(() => (page = fixture.page));

  const { deliver } = fixture;
  /** The detail pane is drawn on the next frame after a row is chosen: wait for it. */
  const detailShows = (id) => page.waitForFunction((x) => document.querySelector('.detail h2')?.textContent === `Message ${x}`, id);
  const state = (messages, now = Date.now()) => deliver({ method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages, summary: SUMMARY, now } });
  /** Checks the first two messages from the keyboard: arrows move, space checks. */
  const checkTwoWithKeys = async () => {
    await page.locator('table').focus();
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press(' ');
    }
  };

  it('says it is ready, then draws the queue and its held messages with live countdowns', async () => {
    const now = Date.now();
    await state([heldMessage(0, now), heldMessage(1, now)]);
    await page.getByRole('heading', { name: 'orders' }).waitFor();
    assert.equal(await page.locator('tr.row').count(), 2);
    const first = await page.locator('tr.row').first().locator('td.state').innerText();
    assert.match(first, /^0:(1\d|20)$/, `a countdown near 20 s, got ${first}`);
    await page.waitForTimeout(1300);
    const later = await page.locator('tr.row').first().locator('td.state').innerText();
    assert.notEqual(later, first, 'the countdown moves');
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'the CSP blocks none of the page\'s own files');
  });

  it('works with the keyboard: arrows move, space selects, Delete asks first, then the host', async () => {
    const now = Date.now();
    await state([heldMessage(0, now), heldMessage(1, now), heldMessage(2, now)]);
    await checkTwoWithKeys();
    assert.equal(await page.locator('tr.row[aria-selected="true"]').count(), 2);
    await page.keyboard.press('Delete');
    await page.locator('.confirm vscode-button[aria-label="Delete 2 Messages"]').click();
    const request = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'messages/delete'))).jsonValue();
    assert.equal(request.kind, 'request');
    assert.equal(request.params.ids.length, 2);
    assert.ok(request.params.ids.every((id) => id.startsWith('6f1c')));
    // E extends and R releases the checked messages, A turns their auto-extend on.
    for (const [key, method] of [['e', 'messages/extend'], ['r', 'messages/release'], ['a', 'messages/autoExtend/set']]) {
      await page.keyboard.press(key);
      const sent = await (await page.waitForFunction((m) => window.__posted.find((x) => x.method === m), method)).jsonValue();
      assert.equal(sent.params.ids.length, 2, `${key}: ${method} for the two checked messages`);
    }
  });

  it('disables Delete for an expired hold and says why', async () => {
    const now = Date.now();
    await state([heldMessage(0, now, { state: 'expired', disabled: { delete: 'The hold expired: the message is visible again and this receipt handle is stale.', extend: 'expired', release: 'expired' } })]);
    await page.locator('tr.row').first().click();
    const del = page.locator('vscode-button[aria-label="Delete"]');
    assert.equal(await del.evaluate((b) => b.disabled), true);
    assert.match(await del.getAttribute('title'), /receipt handle is stale/);
    assert.match(await page.locator('tr.row td.state').innerText(), /expired/);
  });

  it('renders hostile bodies, attributes and ids as text: no script runs, no element is made', async () => {
    const now = Date.now();
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><a href="javascript:window.__pwned=3">x</a>';
    await state([
      heldMessage(0, now, {
        messageId: `<b onmouseover="window.__pwned=4">id</b>`,
        body: evil,
        messageAttributes: { [`<svg onload=window.__pwned=5>`]: { type: 'String', value: '<iframe src="javascript:window.__pwned=6">' } },
        systemAttributes: { SenderId: '<style>body{display:none}</style>' },
      }),
    ]);
    await page.locator('tr.row').first().click();
    await page.locator('pre.body').waitFor();
    assert.equal(await page.locator('pre.body').innerText(), evil, 'the body is shown as the text it is');
    await page.locator('tr.row td.id').first().hover();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
    // Light DOM only: the toolkit's own components draw icons inside their shadow roots.
    const made = await page.evaluate(() => [...document.querySelectorAll('#app img, #app script, #app iframe, #app svg, #app style, #app b, #app a')].filter((e) => !e.closest('.timeline, .activity-chart')).length);
    assert.equal(made, 0, 'no element came from content');
    assert.ok(await page.locator('body').isVisible());
  });

  it('holds its layout against a corpus of hostile content: RTL overrides, CSS escapes, 1 MiB bodies, deep JSON', async () => {
    const now = Date.now();
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const corpus = [
      { body: '\u202Egnp.exe\u202C <style>*{display:none!important}</style></pre></td></tr></table><div style="position:fixed;inset:0;background:red">x</div>' },
      { body: 'x'.repeat(1024 * 1024) },
      { body: deep },
      { body: JSON.stringify({ a: '<script>window.__pwned=7</script>', b: 'javascript:window.__pwned=8', nested: { '<img src=x onerror=window.__pwned=9>': 1 } }) },
      { messageId: '\u202E' + 'x'.repeat(300), body: '"' + '\u200F'.repeat(50) + '"' },
    ].map((o, i) => heldMessage(i, now, { ...o, messageAttributes: { ['a' + i]: { type: 'String', value: '<svg/onload=window.__pwned=10>'.repeat(20) } } }));
    await state(corpus);
    const viewport = page.viewportSize();
    for (let i = 0; i < corpus.length; i++) {
      await page.locator('tr.row').nth(i).click();
      await detailShows(corpus[i].messageId);
      const boxes = await page.evaluate(() => ['header', '.toolbar', '.list', '.detail'].map((sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return { sel, left: r.left, right: r.right, top: r.top, width: r.width, height: r.height };
      }));
      for (const b of boxes) {
        assert.ok(b.width > 0 && b.height > 0, `${b.sel} is still drawn with message ${i}`);
        assert.ok(b.right <= viewport.width + 1, `${b.sel} stays within the window with message ${i} (right ${b.right})`);
      }
      assert.ok(await page.locator('vscode-button[aria-label="Receive"]').isVisible(), `the toolbar is still usable with message ${i}`);
    }
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
    const made = await page.evaluate(() => [...document.querySelectorAll('#app img, #app script, #app iframe, #app svg, #app style, #app div[style]')].filter((e) => !e.closest('.timeline, .activity-chart')).length);
    assert.equal(made, 0, 'no element came from content');
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.match(await page.locator('pre.body').innerText(), /\u200F/);
  });

  it('flags redeliveries and duplicate keys, explains them, and filters to them', async () => {
    const now = Date.now();
    const a = heldMessage(0, now, { flags: { redelivered: 3 } });
    const b = heldMessage(1, now, { idempotencyKey: 'order-101-create', idempotencyKeyPath: 'idempotency_key', flags: { duplicateKey: { key: 'order-101-create', count: 1, others: [heldMessage(2, now).messageId] } } });
    const c = heldMessage(2, now, { flags: { duplicateKey: { key: 'order-101-create', count: 1, others: [b.messageId] } } });
    const plain = heldMessage(3, now);
    await deliver({ method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages: [a, b, c, plain], summary: { redeliveries: 1, duplicateKeys: 2, keysShared: 1 }, now } });
    assert.match(await page.locator('.flags-summary').innerText(), /1 redelivered.*2 with a duplicate key/s);
    assert.match(await page.locator('tr.row').nth(0).locator('td.flags').innerText(), /×3/);
    assert.match(await page.locator('tr.row').nth(1).locator('.flag.duplicate').getAttribute('title'), /same idempotency key/);
    await page.locator('vscode-button[aria-label="Flagged only"]').click();
    assert.equal(await page.locator('tr.row:visible').count(), 3, 'the unflagged message is hidden');
    await page.locator('tr.row').nth(1).click();
    await detailShows(b.messageId);
    assert.match(await page.locator('.detail').innerText(), /order-101-create/);
    await page.locator('.detail button.linkish').first().click();
    assert.equal(await page.locator('tr.row.current td.id').innerText(), c.messageId.slice(0, 8), 'the link opens the other message');
  });

  it('draws a message\'s timeline: its send, receive and open window, which grows; hover and focus describe them', async () => {
    const now = Date.now();
    await state([heldMessage(0, now), heldMessage(1, now)]);
    await page.locator('tr.row').first().click();
    const timeline = page.locator('.detail .timeline');
    await timeline.locator('.mark-sent').waitFor();
    assert.equal(await timeline.locator('.mark-received').count(), 1);
    const bar = timeline.locator('rect.window-open');
    const w1 = Number(await bar.getAttribute('width'));
    await page.waitForTimeout(1200);
    const w2 = Number(await timeline.locator('rect.window-open').getAttribute('width'));
    assert.ok(w2 > w1, `the open window grows (${w1} -> ${w2})`);
    await timeline.locator('.mark-sent').focus();
    assert.match(await timeline.locator('.timeline-info').innerText(), /sent, key order-100-create/);
  });

  it('draws a fault injected by the local server as its own mark, with a tooltip that says so, as text', async () => {
    const now = Date.now();
    const m = heldMessage(0, now, { receiveCount: 2 });
    const deadline = now + 20_000;
    m.events = [
      m.events[0],
      { kind: 'received', at: now - 40_000, receiveCount: 1, deadline: now - 10_000, detail: 'received (by billing-worker), receive count 1' },
      { kind: 'deleted', at: now - 30_000, detail: 'deleted by billing-worker' },
      { kind: 'injected', at: now - 30_000, detail: "duplicate delivery injected by the local server's fault plan (after DeleteMessage by <b>billing-worker</b>)" },
      { kind: 'received', at: now - 20_000, receiveCount: 2, deadline, detail: "received (hold), receive count 2, an injected redelivery: the local server's fault plan put it back after its delete" },
    ];
    await state([m]);
    await page.locator('tr.row').first().click();
    const timeline = page.locator('.detail .timeline');
    const mark = timeline.locator('.mark-injected');
    await mark.waitFor();
    assert.equal(await mark.count(), 1);
    assert.match(await mark.locator('title').textContent(), /duplicate delivery injected by the local server's fault plan \(after DeleteMessage by <b>billing-worker<\/b>\)$/);
    assert.equal(await timeline.locator('b').count(), 0, 'the tooltip is text, not markup');
    await mark.focus();
    assert.match(await timeline.locator('.timeline-info').innerText(), /duplicate delivery injected/);
    assert.match(await timeline.locator('.mark-received').nth(1).getAttribute('aria-label'), /an injected redelivery/);
  });

  it('draws what the server did on its own: a delay ending, a dropped duplicate send, a move task, a retention drop, each with its tooltip', async () => {
    const now = Date.now();
    const m = heldMessage(0, now);
    m.events = [
      m.events[0],
      { kind: 'delayEnded', at: now - 50_000, detail: 'delay ended: visible' },
      { kind: 'deduplicated', at: now - 45_000, detail: 'a send with the same deduplication id <i>pay-1</i> by checkout was accepted and dropped: FIFO deduplication (5 minutes)' },
      { kind: 'moved', at: now - 40_000, detail: 'moved to work by a message move task' },
      { kind: 'dropped', at: now - 35_000, detail: "dropped: the queue's retention period ended" },
    ];
    await state([m]);
    await page.locator('tr.row').first().click();
    const timeline = page.locator('.detail .timeline');
    await timeline.locator('.mark-dropped').waitFor();
    const tooltip = async (cls) => timeline.locator(`.${cls} title`).textContent();
    assert.match(await tooltip('mark-delay-ended'), /delay ended: visible$/);
    assert.match(await tooltip('mark-deduplicated'), /deduplication id <i>pay-1<\/i> by checkout was accepted and dropped/);
    assert.match(await tooltip('mark-moved'), /moved to work by a message move task$/);
    assert.match(await tooltip('mark-dropped'), /retention period ended$/);
    assert.equal(await timeline.locator('i').count(), 0, 'the tooltip is text, not markup');
  });

  it('puts all messages on one zoomable time axis, and selects a message from it', async () => {
    const now = Date.now();
    await state([0, 1, 2, 3].map((i) => heldMessage(i, now)));
    await page.locator('vscode-button[aria-label="Timeline"]').click();
    const all = page.locator('.list .timeline.all');
    await all.locator('.row').first().waitFor();
    assert.equal(await all.locator('g.row').count(), 4);
    const span = async () => {
      const ticks = await all.locator('text.tick').allInnerTexts();
      return ticks.length;
    };
    const before = await span();
    await all.locator('.timeline-scroller').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    assert.notEqual(await span(), 0);
    assert.ok(before > 0);
    await page.keyboard.press('0');
    await all.locator('.mark-sent').nth(2).click();
    await detailShows(heldMessage(2, now).messageId);
  });

  it('keeps 10,000 messages responsive: only the rows in view are in the DOM', async () => {
    const now = Date.now();
    const many = Array.from({ length: 10_000 }, (_, i) => heldMessage(i, now, { messageId: `m-${String(i).padStart(5, '0')}-x` }));
    await state(many);
    const rows = await page.locator('tr.row').count();
    assert.ok(rows > 10 && rows < 200, `${rows} rows in the DOM`);
    await page.locator('.list').evaluate((e) => (e.scrollTop = 25 * 9_000));
    await page.waitForTimeout(100);
    assert.ok((await page.locator('tr.row td.id').allInnerTexts()).some((t) => t.startsWith('m-09')), 'rows far down are drawn when scrolled to');
  });

  it('filters the list and the timeline with "/" and a query, counts the matches, and says what is wrong with a bad one', async () => {
    const now = Date.now();
    const messages = Array.from({ length: 10_000 }, (_, i) =>
      heldMessage(i, now, {
        messageId: `m-${String(i).padStart(5, '0')}-x`,
        body: JSON.stringify({ order: { status: i % 100 === 7 ? 'FAILED' : 'PAID', n: i } }),
        ...(i % 1000 === 7 ? { state: 'expired' } : {}),
      }),
    );
    await state(messages);
    await page.locator('table').focus();
    await page.keyboard.press('/');
    const field = page.locator('vscode-text-field[aria-label="Filter"]');
    assert.equal(await field.evaluate((f) => f.matches(':focus-within') || document.activeElement === f), true, '"/" focused the filter');
    await page.keyboard.type('order.status = "FAILED"');
    await page.waitForFunction(() => document.querySelector('.filter-count')?.textContent === '100 of 10,000 match');
    const ids = await page.locator('tr.row td.id').allInnerTexts();
    assert.ok(ids.length > 0 && ids.every((t) => /^m-\d\d\d07/.test(t)), `only matches are listed: ${ids.slice(0, 3).join(', ')}`);
    await page.keyboard.type(' state:expired');
    await page.waitForFunction(() => document.querySelector('.filter-count')?.textContent === '10 of 10,000 match');
    await page.locator('vscode-button[aria-label="Timeline"]').click();
    const all = page.locator('.list .timeline.all');
    await all.locator('g.row').first().waitFor();
    assert.equal(await all.locator('g.row').count(), 10, 'the timeline shows only the matches');
    await page.locator('vscode-button[aria-label="Timeline"]').click();
    // Pasted at once: typed, its first letters would make a valid text term of their own.
    await field.evaluate((f) => {
      f.focus();
      f.value = 'order.status = "FAILED" state:expired state:gone';
      f.dispatchEvent(new Event('input'));
    });
    await page.locator('.filter-error', { hasText: 'state:gone: the states are' }).waitFor();
    assert.equal(await page.locator('.filter-count').innerText(), '10 of 10,000 match', 'the last valid filter stays applied');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('.filter-count')?.textContent === '');
    assert.equal(await page.locator('.filter-error').isHidden(), true);
    await field.evaluate((f) => f.focus());
    await page.keyboard.type('nothing-matches-this');
    await page.locator('.empty', { hasText: 'No message matches the filter' }).waitFor();
  });

  it('shows a saved session read-only', async () => {
    const now = Date.now();
    await deliver({ method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages: [heldMessage(0, now)], summary: SUMMARY, now, readOnly: true } });
    assert.equal(await page.locator('.toolbar[aria-label="Receive"]').isHidden(), true);
    assert.equal(await page.locator('vscode-button[aria-label="Delete"]').isHidden(), true);
    assert.match(await page.locator('.notice').innerText(), /read-only/);
    const first = await page.locator('tr.row td.state').innerText();
    await page.waitForTimeout(1100);
    assert.equal(await page.locator('tr.row td.state').innerText(), first, 'time stands still in a saved session');
  });

  it('checks what it receives: unknown host messages are ignored', async () => {
    await deliver({ method: 'host/notice/show' });
    await deliver({ method: 'not/ours', params: {} });
    await deliver('<script>');
    await state([heldMessage(0, Date.now())]);
    assert.equal(await page.locator('tr.row').count(), 1);
  });

  it('refuses host updates and replies that do not match the protocol: the page keeps what it had', async () => {
    const now = Date.now();
    await state([heldMessage(0, now)]);
    const broken = heldMessage(1, now, { state: 'teleported' });
    await deliver({ method: 'host/messages/upsert', params: { messages: [broken], summary: SUMMARY, now } });
    await page.waitForTimeout(50);
    assert.equal(await page.locator('tr.row').count(), 1, 'a message in an unknown state is not drawn');
    await page.locator('vscode-button[aria-label="Receive"]').click();
    const request = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'messages/receive'))).jsonValue();
    await deliver({ method: 'host/reply', params: { id: request.id, ok: true, result: { received: 1 } } });
    await page.locator('.notice.error').waitFor();
    assert.match(await page.locator('.notice').innerText(), /answer to messages\/receive is malformed/);
  });

  it('draws every row at the height the virtual list counts with', async () => {
    const now = Date.now();
    await state(Array.from({ length: 200 }, (_, i) => heldMessage(i, now)));
    const m = await page.evaluate(() => {
      const table = document.querySelector('.list table');
      const rowHeight = parseFloat(table.style.getPropertyValue('--row-height'));
      const rows = [...document.querySelectorAll('tr.row')].map((r) => r.getBoundingClientRect().height);
      const body = document.querySelector('.list tbody').getBoundingClientRect().height;
      return { rowHeight, rows, body };
    });
    assert.ok(m.rowHeight > 0, 'the list gives the stylesheet its row height');
    assert.ok(m.rows.length > 0 && m.rows.length < 200, 'only the rows in view are drawn');
    assert.ok(m.rows.every((h) => Math.abs(h - m.rowHeight) < 0.5), `every row is ${m.rowHeight} px: ${[...new Set(m.rows)].join(', ')}`);
    assert.ok(Math.abs(m.body - 200 * m.rowHeight) < 1, `drawn rows and spacers add up to 200 rows (${m.body} px)`);
  });

  it('keeps its queue in the page state as soon as it has one, for a window reload to bring it back', async () => {
    await state([heldMessage(0, Date.now())]);
    const saved = await page.evaluate(() => window.__state);
    assert.equal(saved?.queueUrl, QUEUE.url);
    assert.equal(saved?.connectionId, QUEUE.connectionId);
  });

  it('offers Redrive only in the inspector of a dead-letter queue, and asks the host for it', async () => {
    await state([heldMessage(0, Date.now())]);
    const redrive = page.locator('header vscode-button[aria-label="Redrive…"]');
    await page.getByRole('heading', { name: 'orders' }).waitFor();
    assert.equal(await redrive.isHidden(), true, 'not a DLQ: no Redrive');
    await deliver({ method: 'host/queue/set', params: { queue: { ...QUEUE, isDeadLetterQueue: true }, options: OPTIONS } });
    await redrive.waitFor();
    await redrive.click();
    await page.waitForFunction(() => window.__posted.some((m) => m.method === 'queue/redrive'));
  });

  it('moves and copies what is chosen (M, C), never on Ctrl+C, and edits and resends one message', async () => {
    const now = Date.now();
    await state([heldMessage(0, now), heldMessage(1, now), heldMessage(2, now)]);
    await checkTwoWithKeys();
    const resend = page.locator('vscode-button[aria-label="Edit and Resend"]');
    assert.equal(await resend.evaluate((b) => b.disabled), true, 'Edit and Resend takes one message');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('m');
    const move = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'messages/move'))).jsonValue();
    assert.equal(move.params.ids.length, 2);
    assert.equal(await page.evaluate(() => window.__posted.filter((m) => m.method === 'messages/copy').length), 0, 'Ctrl+C is not Copy…');
    await page.keyboard.press('c');
    const copy = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'messages/copy'))).jsonValue();
    assert.deepEqual(copy.params.ids, move.params.ids);
    const checked = page.locator('tr.row[aria-selected="true"] input[type="checkbox"]');
    while ((await checked.count()) > 0) await checked.first().uncheck();
    await page.locator('tr.row').nth(0).click();
    await resend.click();
    const asked = await (await page.waitForFunction(() => window.__posted.find((m) => m.method === 'message/resend'))).jsonValue();
    assert.equal(asked.params.id, heldMessage(0, now).messageId);
  });

  it('joins a message to its copy on the timeline of all messages', async () => {
    const now = Date.now();
    const original = heldMessage(0, now, { state: 'deleted' });
    const copy = heldMessage(1, now);
    const at = now - 5_000;
    original.events = [...original.events, { kind: 'copied', at, detail: `moved to orders as ${copy.messageId}`, link: copy.messageId }];
    copy.events = [{ kind: 'sent', at, detail: `sent as the moved copy of ${original.messageId}`, link: original.messageId }, ...copy.events.slice(1)];
    await state([original, copy]);
    await page.locator('vscode-button[aria-label="Timeline"]').click();
    const all = page.locator('.list .timeline.all');
    await all.locator('.mark-copied').waitFor();
    assert.equal(await all.locator('line.link').count(), 1, 'one dashed line from the original to its copy');
    assert.match(await all.locator('line.link').getAttribute('aria-label'), /moved to orders as 6f1c0001/);
  });
});

