// The Watch picture of `npm run screenshot` (media/watch-vscode.png): a queue of its own with
// a dead-letter queue, opened in Watch mode from the tree, while a producer and four
// consumers of the user's (each named by its access key id) run against the local server:
// one deletes at once, one slowly, one late, one crashes on its message until the message
// goes to the dead-letter queue. Used by screenshot.mjs, which owns the browser VS Code.
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { webviewFrame } from '../browser/workbench.mjs';

const STEP_TIMEOUT_MS = 60_000;
const VISIBILITY_SECONDS = 6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An SDK client named by its access key id, as the user's own processes are. */
const processClient = (endpoint, accessKeyId) => new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' } });

async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_TIMEOUT_MS });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: title }) }).first().click({ timeout: STEP_TIMEOUT_MS });
}

/** The consumers' run: returns when every message has been dealt with, and a new one is in flight for the picture. */
async function consumersRun(endpoint, url) {
  const [fast, slow, late, crasher] = ['billing-worker', 'slow-worker', 'late-worker', 'crasher'].map((id) => processClient(endpoint, id));
  const take = async (client, n = 1, visibility = VISIBILITY_SECONDS) => (await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: n, VisibilityTimeout: visibility }))).Messages ?? [];
  const remove = (client, m) => client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  try {
    for (const m of await take(fast, 2)) await remove(fast, m);
    const [poison] = await take(crasher);
    const [slowOne] = await take(slow);
    const [lateOne] = await take(late);
    await sleep(VISIBILITY_SECONDS * 850);
    await remove(slow, slowOne);
    await sleep(VISIBILITY_SECONDS * 300);
    await remove(late, lateOne);
    // The crasher handles the others at once, gets its message again and crashes again; the next receive moves it to the DLQ.
    for (let i = 0; i < 3; i++) {
      const again = await take(crasher, 10);
      for (const m of again) if (m.MessageId !== poison?.MessageId) await remove(crasher, m);
      if (again.some((m) => m.MessageId === poison?.MessageId) || again.length === 0) await sleep(VISIBILITY_SECONDS * 1000 + 300);
    }
    // A new order, held by a worker as the picture is taken.
    await fast.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ invoiceId: 'inv-1008', amount: 160, idempotencyKey: 'inv-1008' }) }));
    await take(fast, 1, 120);
  } finally {
    for (const c of [fast, slow, late, crasher]) c.destroy();
  }
}

/** Opens Watch on a fresh `billing` queue, runs the consumers, and saves the picture to `out`. */
export async function captureWatch(page, endpoint, out, { save, log }) {
  const sqs = processClient(endpoint, 'order-producer');
  try {
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'billing-dlq' }))).QueueUrl;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const url = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'billing', Attributes: { VisibilityTimeout: String(VISIBILITY_SECONDS), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) } }),
      )
    ).QueueUrl;
    await runCommand(page, 'View: Close All Editors');
    await page.getByRole('checkbox', { name: /^Toggle Primary Side Bar/ }).or(page.getByRole('button', { name: /^Toggle Primary Side Bar/ })).first().click();
    await runCommand(page, 'SQS: Refresh');
    const billing = page.locator('.part.sidebar').getByRole('treeitem', { name: /^Queue billing,/ }).first();
    await billing.waitFor({ timeout: STEP_TIMEOUT_MS });
    await billing.hover();
    await billing.locator('.actions [aria-label^="Receive Messages"]').click({ timeout: STEP_TIMEOUT_MS });
    const frame = await webviewFrame(page, '#app vscode-dropdown[aria-label="Mode"]', { timeoutMs: STEP_TIMEOUT_MS });
    await frame.locator('#app h1', { hasText: 'billing' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.getByRole('checkbox', { name: /^Toggle Primary Side Bar/ }).or(page.getByRole('button', { name: /^Toggle Primary Side Bar/ })).first().click();
    for (let i = 1; i <= 7; i++) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ invoiceId: `inv-${1000 + i}`, amount: 20 * i, idempotencyKey: `inv-${1000 + i}` }) }));
    await frame.locator('vscode-dropdown[aria-label="Mode"]').click();
    await frame.locator('vscode-option', { hasText: 'Watch (live, receive nothing)' }).click();
    await frame.locator('vscode-button[aria-label="Watch"]').click();
    await frame.locator('tr.row').nth(6).waitFor({ timeout: STEP_TIMEOUT_MS });
    log('watching billing');
    await consumersRun(endpoint, url);
    await frame.locator('tr.row .state-movedToDlq').waitFor({ timeout: STEP_TIMEOUT_MS });
    await frame.locator('tr.row .state-inflight').waitFor({ timeout: STEP_TIMEOUT_MS });
    // The header's activity is sampled every few seconds: the picture waits until it shows the message in flight.
    await frame.locator('.activity', { hasText: '1 in flight' }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await frame.locator('tr.row:has(.flag.poison)').first().click();
    await page.waitForTimeout(1_500);
    await save(page, out);
  } finally {
    sqs.destroy();
  }
}
