// Draws the inspector holding messages (with live countdowns and one message open) and
// saves media/inspector.png for the README. `npm run screenshot` runs it after a build.
import path from 'node:path';
import { heldMessage, launchBrowser, OPTIONS, QUEUE, servePage, SUMMARY } from './inspectorPage.mjs';

const out = process.argv[2] ?? path.resolve('media/inspector.png');
const server = await servePage();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 640 });
  await page.goto(server.url);
  await page.waitForFunction(() => window.__posted.some((m) => m.method === 'webview/ready'));
  const now = Date.now();
  const messages = [0, 1, 2, 3, 4].map((i) => heldMessage(i, now));
  messages[3] = { ...messages[3], state: 'expired', receiveCount: 3, disabled: { delete: 'The hold expired: the message is visible again and this receipt handle is stale.', extend: 'expired', release: 'expired' } };
  messages[4] = { ...messages[4], state: 'deleted', disabled: { delete: 'The message was deleted.', extend: 'deleted', release: 'deleted' } };
  messages[1] = { ...messages[1], idempotencyKey: 'order-101-create', idempotencyKeyPath: 'idempotency_key', flags: { duplicateKey: { key: 'order-101-create', others: [messages[2].messageId] } } };
  messages[2] = { ...messages[2], flags: { duplicateKey: { key: 'order-101-create', others: [messages[1].messageId] } } };
  messages[3] = { ...messages[3], flags: { redelivered: 3 } };
  await page.evaluate((m) => window.__deliver(m), { method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages, summary: { ...SUMMARY, redeliveries: 1, duplicateKeys: 2, keysShared: 1 }, now } });
  await page.evaluate(() => window.__deliver({ method: 'host/notice/show', params: { level: 'warning', text: '1 of the held messages has been received 3 times (maxReceiveCount): the next receive moves it to orders-dlq.' } }));
  await page.locator('tr.row').nth(1).click();
  await page.waitForTimeout(600);
  await page.screenshot({ path: out });
  console.log(`inspector screenshot: ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
