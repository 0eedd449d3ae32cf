// Draws a longer inspector session than a screenshot run can produce in seconds, and saves
// two of the README's pictures: media/timeline.png (every message on one time axis) and
// media/flags.png (only the flagged messages).
// `npm run screenshot` runs it after a build.
import path from 'node:path';
import { heldMessage, launchBrowser, OPTIONS, QUEUE, servePage, SUMMARY } from './inspectorPage.mjs';

const dir = process.argv[2] ?? path.resolve('media');
const server = await servePage();
const browser = await launchBrowser();

/** A realistic session: sends, receives, extensions, an expiry and redelivery, a delete, a duplicate send. */
function session(now) {
  const s = (sec) => now - 240_000 + sec * 1000;
  const ev = (kind, sec, extra = {}) => ({ kind, at: s(sec), detail: extra.detail ?? kind, ...extra });
  const messages = [0, 1, 2, 3, 4, 5].map((i) => heldMessage(i, now));
  messages[0] = { ...messages[0], events: [ev('sent', 0, { detail: 'sent, key order-100-create' }), ev('received', 20, { receiveCount: 1, deadline: s(50), detail: 'received (hold), receive count 1' }), ev('extended', 45, { deadline: s(120), detail: 'extended by 75 s' }), ev('deleted', 100)], state: 'deleted', disabled: { delete: 'The message was deleted.', extend: 'deleted', release: 'deleted' } };
  const body101 = JSON.stringify({ type: 'OrderCreated', orderId: 'ord-101', sku: 'MS-7', quantity: 2, idempotency_key: 'order-101-create' });
  messages[1] = { ...messages[1], body: body101, receiveCount: 1, idempotencyKey: 'order-101-create', idempotencyKeyPath: 'idempotency_key', flags: { duplicateKey: { key: 'order-101-create', count: 1, others: [messages[2].messageId] } }, events: [ev('sent', 10, { detail: 'sent, key order-101-create' }), ev('received', 30, { receiveCount: 1, deadline: s(60), detail: 'received (hold), receive count 1' }), ev('released', 70)], state: 'released', disabled: { delete: 'released', extend: 'released', release: 'released' } };
  messages[2] = { ...messages[2], body: JSON.stringify({ ...JSON.parse(body101), retry: true }), receiveCount: 1, idempotencyKey: 'order-101-create', idempotencyKeyPath: 'idempotency_key', flags: { duplicateKey: { key: 'order-101-create', count: 1, others: [messages[1].messageId] } }, events: [ev('sent', 95, { detail: 'sent again, key order-101-create' }), ev('received', 130, { receiveCount: 1, deadline: now + 25_000, detail: 'received (hold), receive count 1' })], deadline: now + 25_000, windowStart: s(130) };
  messages[3] = { ...messages[3], flags: { redelivered: 2 }, receiveCount: 2, events: [ev('sent', 5, { detail: 'sent' }), ev('received', 40, { receiveCount: 1, deadline: s(70), detail: 'received (hold), receive count 1' }), ev('expired', 70), ev('received', 150, { receiveCount: 2, deadline: now + 40_000, detail: 'received (hold), receive count 2' })], deadline: now + 40_000, windowStart: s(150), autoExtend: true };
  messages[4] = { ...messages[4], flags: { redelivered: 3 }, receiveCount: 3, state: 'expired', events: [ev('sent', 15), ev('received', 60, { receiveCount: 1, deadline: s(90) }), ev('expired', 90), ev('received', 120, { receiveCount: 2, deadline: s(150) }), ev('expired', 150), ev('received', 180, { receiveCount: 3, deadline: s(210) }), ev('expired', 210)], disabled: { delete: 'The hold expired: the message is visible again and this receipt handle is stale.', extend: 'expired', release: 'expired' } };
  messages[5] = { ...messages[5], receiveCount: 1, events: [ev('sent', 25), ev('received', 200, { receiveCount: 1, deadline: now + 55_000 })], deadline: now + 55_000, windowStart: s(200) };
  return messages;
}

try {
  const page = await browser.context.newPage();
  await page.bringToFront();
  await page.setViewportSize({ width: 1280, height: 640 });
  await page.goto(server.url);
  await page.waitForFunction(() => window.__posted.some((m) => m.method === 'webview/ready'));
  const now = Date.now();
  const messages = session(now);
  await page.evaluate((m) => window.__deliver(m), { method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages, summary: { ...SUMMARY, redeliveries: 2, duplicateKeys: 2, keysShared: 1 }, now } });
  await page.evaluate(() => window.__deliver({ method: 'host/notice/show', params: { level: 'warning', text: '1 of the held messages has been received 3 times (maxReceiveCount): the next receive moves it to orders-dlq.' } }));
  await page.locator('tr.row').nth(3).click();
  await page.waitForTimeout(600);

  await page.locator('vscode-button[aria-label="Timeline"]').click();
  await page.waitForTimeout(400);
  await page.locator('.list .timeline.all .mark-received').nth(4).hover();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(dir, 'timeline.png') });

  await page.locator('vscode-button[aria-label="Timeline"]').click();
  await page.locator('vscode-button[aria-label="Flagged only"]').click();
  await page.locator('tr.row').nth(1).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(dir, 'flags.png') });
  console.log(`inspector screenshots in ${dir}`);
} finally {
  await browser.close();
  await server.stop();
}
