// `npm run screenshot`: takes media/explorer.png, the queue explorer as a person sees it,
// then media/inspector-vscode.png and media/timeline-vscode.png, the message inspector
// inside VS Code. Builds the extension, starts the local SQS server's command line with the
// demo queues, starts the browser VS Code from .vscode-test/ (code-server) with the
// extension installed from this repository and a connection to that server in the user
// settings, and drives headless Chromium at 1280x800: opens the SQS view, expands `orders`
// to its dead-letter queue and hovers it for its tooltip; then opens the inspector of
// `orders` with its inline button, receives in Hold mode, opens a message's details while
// the countdowns run, turns on the timeline of all messages, then filters the list
// (media/filter-vscode.png); last, Watch on a queue of its own while consumers run
// (media/watch-vscode.png, see watchScreenshot.mjs). Stops everything it
// started, by PID. Console errors and warnings of the inspector's page are printed.
//
//   node test/harness/screenshot.mjs [--out media/explorer.png] [--inspector-out media/inspector-vscode.png]
//                                    [--timeline-out media/timeline-vscode.png] [--filter-out media/filter-vscode.png]
//                                    [--watch-out media/watch-vscode.png] [--only-explorer] [--no-build]
//
// Environment: CHROMIUM (default /usr/bin/chromium); SCREENSHOT_CONSOLE=all prints every
// console message of the page and its frames.
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  freePort,
  launchChromium,
  linkExtension,
  runCommand,
  runFolders,
  startCodeServer,
  startLocalSqs,
  webviewFrame,
  writeUserSettings,
} from '../browser/workbench.mjs';
import { captureWatch } from './watchScreenshot.mjs';

const STEP_TIMEOUT_MS = 60_000;

const USAGE =
  'usage: node test/harness/screenshot.mjs [--out FILE.png] [--inspector-out FILE.png] [--timeline-out FILE.png] [--filter-out FILE.png] [--watch-out FILE.png] [--only-explorer] [--no-build]';

function parseArgs(argv) {
  const options = {
    out: path.join(ROOT, 'media/explorer.png'),
    inspectorOut: path.join(ROOT, 'media/inspector-vscode.png'),
    timelineOut: path.join(ROOT, 'media/timeline-vscode.png'),
    filterOut: path.join(ROOT, 'media/filter-vscode.png'),
    watchOut: path.join(ROOT, 'media/watch-vscode.png'),
    inspector: true,
    build: true,
  };
  const files = { '--out': 'out', '--inspector-out': 'inspectorOut', '--timeline-out': 'timelineOut', '--filter-out': 'filterOut', '--watch-out': 'watchOut' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--only-explorer') options.inspector = false;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (name in files) {
      const value = inline ?? argv[++i];
      if (!value) throw new Error(`${name} needs a file name; ${USAGE}`);
      options[files[name]] = path.resolve(value);
    } else throw new Error(`unknown option ${arg}; ${USAGE}`);
  }
  return options;
}

const started = Date.now();
const log = (message) => console.log(`screenshot: ${message} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

/** The tree row of a queue, by the accessible label the extension gives it. */
const row = (page, accessibleName) => page.getByRole('treeitem', { name: accessibleName });

async function capture(page, url, out) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT_MS });
  log('workbench loaded');

  await page.locator('.activitybar [aria-label^="SQS"]').first().click({ timeout: STEP_TIMEOUT_MS });
  const orders = row(page, /^Queue orders,/);
  await orders.waitFor({ timeout: STEP_TIMEOUT_MS });
  await row(page, /^Dead-letter queue orders-dlq,/).waitFor({ timeout: STEP_TIMEOUT_MS });
  await row(page, /^FIFO queue payments\.fifo,/).waitFor({ timeout: STEP_TIMEOUT_MS });
  log('demo queues shown');

  // A wider side bar, so that each queue's counts fit beside its name: drag the sash at its right edge.
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, height: r.height };
    }),
  );
  const sash = sidebar && sashes.find((s) => Math.abs(s.x - (sidebar.x + sidebar.width)) < 6 && s.height > sidebar.height / 2);
  if (sash) {
    await page.mouse.move(sash.x, sash.y);
    await page.mouse.down();
    await page.mouse.move(sash.x + 250, sash.y, { steps: 10 });
    await page.mouse.up();
  } else {
    log(`no sash at the side bar's edge (sidebar ${JSON.stringify(sidebar)}, sashes ${JSON.stringify(sashes)})`);
  }

  if ((await orders.getAttribute('aria-expanded')) !== 'true') await orders.locator('.monaco-tl-twistie').click();
  await page.locator('.monaco-list-row', { hasText: 'Dead-letter queue: orders-dlq' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  log('orders expanded');

  // The tooltip of `orders`: its counts and attributes. The pointer rests on the row right of
  // its text, so that the tooltip opens over the editor area and hides no row of the tree.
  const rowBox = await orders.boundingBox();
  const textEnd = Math.max(
    ...(await page
      .locator('.part.sidebar .monaco-list-row .monaco-icon-label-container')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right))),
  );
  const actions = await orders.locator('.actions').boundingBox();
  if (rowBox && Number.isFinite(textEnd)) {
    const x = Math.min(textEnd + 20, (actions?.x ?? rowBox.x + rowBox.width) - 10);
    await page.mouse.move(x, rowBox.y + rowBox.height / 2, { steps: 5 });
  } else {
    await orders.hover();
  }
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'Standard queue' }).first();
  try {
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    log('tooltip shown');
  } catch {
    log('no tooltip appeared; taking the picture without it');
  }
  await page.waitForTimeout(500); // let the hover's fade-in finish
  await save(page, out);
}

async function save(page, out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  log(`saved ${path.relative(ROOT, out)}`);
}

const FIRST_HOLD_SECONDS = 6;
const HOLD_SECONDS = 60;

/**
 * Sets the inspector's visibility timeout, presses Receive, waits for `received` (a locator
 * in the page) and then for the receive loop to end: it goes on until a long poll (the
 * Wait field) comes back empty, with the Receive button disabled meanwhile.
 */
async function receive(frame, visibilitySeconds, received) {
  const visibility = frame.locator('vscode-text-field[aria-label="Visibility (s)"]');
  await visibility.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await visibility.locator('input').fill(String(visibilitySeconds));
  await frame.locator('vscode-button[aria-label="Receive"]').click();
  await received.waitFor({ timeout: STEP_TIMEOUT_MS });
  await frame.locator('vscode-button[aria-label="Receive"]:not([disabled])').waitFor({ timeout: STEP_TIMEOUT_MS });
}

/**
 * The message inspector of `orders`, opened from the tree as a person does, holding its
 * messages with their countdowns running: `out` with a message's details, then
 * `timelineOut` with the timeline of all messages.
 */
async function captureInspector(page, { out, timelineOut, filterOut }, step) {
  // Away from the tooltip of the explorer picture, then the inline "Receive Messages…" of `orders`.
  await page.keyboard.press('Escape');
  const orders = row(page, /^Queue orders,/);
  await orders.hover();
  await orders.locator('.actions [aria-label^="Receive Messages"]').click({ timeout: STEP_TIMEOUT_MS });
  const frame = await webviewFrame(page, '#app vscode-dropdown[aria-label="Mode"]', { timeoutMs: STEP_TIMEOUT_MS });
  await frame.locator('#app h1', { hasText: 'orders' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  log('inspector opened');

  // The whole window for the inspector: its table and its detail pane side by side.
  await page.locator('.part.sidebar').waitFor();
  await page.getByRole('checkbox', { name: /^Toggle Primary Side Bar/ }).or(page.getByRole('button', { name: /^Toggle Primary Side Bar/ })).first().click();
  await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });

  // A first short hold that a consumer lets run out, so that the second receive is a
  // redelivery: one message deleted, one released, three expired.
  const rows = frame.locator('tr.row');
  await frame.locator('vscode-dropdown[aria-label="Mode"]').click();
  await frame.locator('vscode-option', { hasText: 'Hold (keep hidden)' }).click();
  await receive(frame, FIRST_HOLD_SECONDS, frame.locator('tr.row .state-held').nth(4));
  log(`received ${await rows.count()} messages in Hold mode for ${FIRST_HOLD_SECONDS} s`);
  await rows.nth(0).click();
  await frame.locator('vscode-button[aria-label="Delete"]').click();
  await rows.nth(0).locator('.state-deleted').waitFor({ timeout: STEP_TIMEOUT_MS });
  await rows.nth(3).click();
  await frame.locator('vscode-button[aria-label="Release"]').click();
  await rows.nth(3).locator('.state-released').waitFor({ timeout: STEP_TIMEOUT_MS });
  await frame.locator('tr.row .state-expired').nth(2).waitFor({ timeout: STEP_TIMEOUT_MS });
  log('deleted one, released one, three holds expired');

  // The hold of the pictures: the released and the expired messages come back, held again.
  await receive(frame, HOLD_SECONDS, frame.locator('tr.row .state-held .countdown').nth(3));
  log(`holding ${await frame.locator('tr.row .state-held').count()} messages for ${HOLD_SECONDS} s`);

  await rows.nth(1).click();
  await frame.locator('section.detail h2', { hasText: /^Message [0-9a-f]{8}-/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.waitForTimeout(1_500); // the countdowns visibly run down
  await save(page, out);

  step.out = timelineOut;
  await frame.locator('vscode-button[aria-label="Timeline"]').click();
  await frame.locator('.timeline.all').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  // The timeline redraws once a second: a few seconds more, so that the held windows (growing
  // until now) are seen beside the expired ones.
  await page.waitForTimeout(4_000);
  await save(page, timelineOut);

  // Back to the list, narrowed by a filter typed after "/".
  step.out = filterOut;
  await frame.locator('vscode-button[aria-label="Timeline"]').click();
  await rows.nth(1).click();
  await page.keyboard.press('/');
  await page.keyboard.type('@eventType = OrderCreated quantity >= 2');
  await frame.locator('.filter-count', { hasText: / of \d+ match/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await save(page, filterOut);
}

/**
 * Prints the console errors and warnings of webviews (the inspector's page: a Content
 * Security Policy violation, a failed script) and uncaught errors; with SCREENSHOT_CONSOLE=all,
 * every console message of the workbench too.
 */
function watchWebviews(page) {
  // Messages of the workbench carry its script's address; a webview's have its own, or none.
  const fromWebview = (url) => !url || /webview|vscode-resource|vscode-cdn/.test(url);
  // Chromium says this of the workbench's own webview host frame, whatever the extension does.
  const hostNoise = /allow-scripts and allow-same-origin for its sandbox attribute/;
  page.on('console', (message) => {
    const url = message.location()?.url;
    const all = process.env.SCREENSHOT_CONSOLE === 'all';
    if (all || ((message.type() === 'error' || message.type() === 'warning') && fromWebview(url) && !hostNoise.test(message.text()))) {
      console.log(`screenshot: console ${message.type()}: ${message.text()} (${url ?? 'unknown'})`);
    }
  });
  page.on('pageerror', (error) => console.log(`screenshot: page error: ${error.message}`));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    await runCommand('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    log('built');
  }

  // A fresh profile each time, so the picture does not depend on an earlier run.
  fs.rmSync(path.join(ROOT, '.vscode-test/screenshot'), { recursive: true, force: true });
  const folders = runFolders('screenshot');
  const workspace = path.join(folders.base, 'sqs-demo');
  fs.mkdirSync(workspace, { recursive: true });

  const resources = { local: undefined, codeServer: undefined, browser: undefined };
  const cleanup = async () => {
    await resources.browser?.close().catch(() => undefined);
    await resources.codeServer?.stop();
    await resources.local?.stop();
  };
  const onSignal = (signal) => {
    console.error(`screenshot: ${signal}, stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    resources.local = await startLocalSqs({ port: await freePort(), seed: 'demo' });
    log(`local SQS server at ${resources.local.endpoint} (pid ${resources.local.child.pid})`);
    writeUserSettings(folders, {
      'sqsWorkbench.connections': [{ name: 'Local demo', endpoint: resources.local.endpoint, region: 'us-east-1' }],
      'sqsWorkbench.explorer.refreshIntervalSeconds': 0,
      'workbench.colorTheme': 'Default Dark Modern',
    });
    linkExtension(folders);
    resources.codeServer = await startCodeServer({ folders, port: await freePort(), folder: workspace });
    log(`VS Code at ${resources.codeServer.base} (pid ${resources.codeServer.child.pid})`);
    resources.browser = await launchChromium(folders);
    const page = resources.browser.pages()[0] ?? (await resources.browser.newPage());
    watchWebviews(page);
    const step = { out: options.out };
    try {
      await capture(page, resources.codeServer.url, options.out);
      if (options.inspector) {
        step.out = options.inspectorOut;
        await captureInspector(page, { out: options.inspectorOut, timelineOut: options.timelineOut, filterOut: options.filterOut }, step);
        step.out = options.watchOut;
        await captureWatch(page, resources.local.endpoint, options.watchOut, { save, log });
      }
    } catch (error) {
      const failure = step.out.replace(/\.png$/, '-failure.png');
      await page.screenshot({ path: failure }).catch(() => undefined);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nsee ${failure} and ${resources.codeServer.logFile}`);
    }
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

try {
  await main();
} catch (error) {
  console.error(`screenshot: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
