// Serves the built inspector (dist/webview) on 127.0.0.1 in the very page the extension
// makes (same CSP, same nonce rule), with a stand-in for VS Code's webview API that
// records what the page posts and lets a test deliver host messages. A dark theme's
// colour variables make it look as it does in VS Code.
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../harness/chromium.mjs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { renderInspectorPage } = require(path.join(ROOT, 'out/src/views/inspector/page.js'));

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

const STUB = `
window.__posted = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(m),
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});
window.__deliver = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

const THEME = `:root {
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f;
  --vscode-panel-border: #2b2b2b; --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px;
  --vscode-editor-font-family: "DejaVu Sans Mono", monospace; --vscode-editor-font-size: 13px;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e; --vscode-list-activeSelectionForeground: #ffffff;
  --vscode-list-inactiveSelectionBackground: #37373d; --vscode-list-focusOutline: #0078d4; --vscode-charts-orange: #d18616;
  --vscode-charts-green: #89d185; --vscode-errorForeground: #f85149; --vscode-disabledForeground: #8c8c8c;
  --vscode-progressBar-background: #0078d4; --vscode-editorWidget-border: #454545; --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-textBlockQuote-background: #2b2b2b; --vscode-notificationsInfoIcon-foreground: #3794ff;
  --vscode-notificationsWarningIcon-foreground: #cca700; --vscode-notificationsErrorIcon-foreground: #f14c4c;
  --vscode-editorWarning-foreground: #cca700; --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-dropdown-background: #313131;
  --vscode-dropdown-foreground: #cccccc; --vscode-dropdown-border: #3c3c3c; --vscode-focusBorder: #0078d4;
}`;

/** Starts the page server; returns its URL and a stop function. */
export async function servePage() {
  const nonce = randomBytes(16).toString('base64');
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0].slice(1)) || 'index.html';
    let body;
    if (name === 'index.html') {
      body = renderInspectorPage({ cspSource: `http://${req.headers.host}`, nonce, title: 'Inspector test', asset: (n) => `/${n}`, scripts: ['stub.js', 'inspector.js'] })
        .replace('</head>', '<link rel="stylesheet" href="/theme.css">\n</head>');
    } else if (name === 'stub.js') body = STUB;
    else if (name === 'theme.css') body = THEME;
    else if (/^[\w.-]+$/.test(name) && fs.existsSync(path.join(ROOT, 'dist/webview', name))) body = fs.readFileSync(path.join(ROOT, 'dist/webview', name));
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'text/html' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/index.html`;
  return { url, stop: () => new Promise((r) => server.close(r)) };
}

/** Headless Chromium from the system, as the rest of the test tooling starts it. */
/**
 * For the tests of the calling `describe`: serves the built page and launches Chromium once,
 * and opens a new tab of the page for each test, resolved when the page said it is ready.
 * `fixture.page` is that tab, closed after the test; `fixture.deliver` sends it a host message.
 */
export function usePage() {
  const fixture = {
    page: undefined,
    /** Delivers a message from the host to the page, as VS Code's postMessage would. */
    deliver: (message) => fixture.page.evaluate((m) => window.__deliver(m), message),
  };
  let browser;
  let server;
  before(async () => {
    server = await servePage();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    fixture.page = await browser.context.newPage();
    // The active tab: a tab Chromium keeps in the background gets no animation frames, so
    // the page would not draw, and waits that poll on frames would never see a change.
    await fixture.page.bringToFront();
    await fixture.page.goto(server.url);
    await fixture.page.waitForFunction(() => window.__posted.some((m) => m.method === 'webview/ready'));
  });
  afterEach(async () => {
    // One tab at a time: an earlier test's tab left open keeps its timers running, and could
    // be the one Chromium brings forward.
    await fixture.page?.close().catch(() => {});
    fixture.page = undefined;
  });
  return fixture;
}

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [...CHROMIUM_ARGS],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A held message as the host would send it. */
export function heldMessage(i, now, overrides = {}) {
  const deadline = now + (20 + i * 9) * 1000;
  return {
    messageId: `6f1c${String(i).padStart(4, '0')}-9a2e-4f61-b7d3-3c8e1d0a${String(1000 + i)}`,
    body: JSON.stringify({ type: 'OrderCreated', orderId: `ord-10${i}`, sku: 'KB-42', quantity: i + 1, idempotency_key: `order-10${i}-create` }),
    sentAt: now - 60_000 + i * 1000,
    receiveCount: 1 + (i % 3),
    firstReceiveAt: now - 30_000,
    senderId: '000000000000',
    state: 'held',
    mode: 'hold',
    deadline,
    windowStart: deadline - 60_000,
    autoExtend: i === 1,
    messageAttributes: { eventType: { type: 'String', value: 'OrderCreated' }, schemaVersion: { type: 'Number', value: '2' } },
    systemAttributes: { SenderId: '000000000000', SentTimestamp: String(now - 60_000), ApproximateReceiveCount: String(1 + (i % 3)) },
    flags: {},
    events: [
      { kind: 'sent', at: now - 60_000 + i * 1000, detail: 'sent, key order-10' + i + '-create' },
      { kind: 'received', at: deadline - 60_000, receiveCount: 1 + (i % 3), deadline, detail: 'received (hold), receive count ' + (1 + (i % 3)) },
    ],
    disabled: {},
    ...overrides,
  };
}

export const QUEUE = { name: 'orders', url: 'http://127.0.0.1:9324/000000000000/orders', connection: 'Local', connectionId: 'local', fifo: false, visibilityTimeout: 30, maxReceiveCount: 3, deadLetterQueue: 'orders-dlq' };
export const SUMMARY = { redeliveries: 0, duplicateKeys: 0, keysShared: 0 };
export const OPTIONS = { count: 10, waitSeconds: 2, visibilityTimeout: 60, mode: 'hold' };
