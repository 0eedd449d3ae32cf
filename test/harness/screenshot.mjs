// `npm run screenshot`: takes media/explorer.png, the queue explorer as a person sees it.
// Builds the extension, starts the local SQS server's command line with the demo queues,
// starts the browser VS Code from .vscode-test/ (code-server) with the extension installed
// from this repository and a connection to that server in the user settings, and drives
// headless Chromium at 1280x800: opens the SQS view, expands `orders` to its dead-letter
// queue and hovers it for its tooltip. Stops everything it started, by PID.
//
//   node test/harness/screenshot.mjs [--out media/explorer.png] [--no-build]
//
// Environment: CHROMIUM (default /usr/bin/chromium).
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
  writeUserSettings,
} from '../browser/workbench.mjs';

const STEP_TIMEOUT_MS = 60_000;

function parseArgs(argv) {
  const options = { out: path.join(ROOT, 'media/explorer.png'), build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--out') options.out = path.resolve(argv[++i] ?? '');
    else if (arg.startsWith('--out=')) options.out = path.resolve(arg.slice('--out='.length));
    else throw new Error(`unknown option ${arg}; usage: node test/harness/screenshot.mjs [--out FILE.png] [--no-build]`);
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
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  log(`saved ${path.relative(ROOT, out)}`);
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
    try {
      await capture(page, resources.codeServer.url, options.out);
    } catch (error) {
      const failure = options.out.replace(/\.png$/, '-failure.png');
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
