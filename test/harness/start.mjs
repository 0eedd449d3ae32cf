// `npm start`: runs the extension against the local SQS server with the demo queues.
// Builds, starts `node dist/local-sqs.js --seed demo` on 127.0.0.1:9324 (a free port when
// 9324 is taken), then opens VS Code with the extension connected to it through the
// environment (AWS_ENDPOINT_URL_SQS, AWS_REGION), which the extension's environment
// connection reads:
//
// - with a desktop `code` command on PATH: a new window with the extension in development
//   mode (`code --extensionDevelopmentPath=<repo> --new-window`);
// - otherwise (or with --browser): the browser VS Code from .vscode-test/ (code-server,
//   installed by `npm start`'s setup step) on 127.0.0.1, with the extension installed from
//   this repository, opened on a folder with a sample batch file and on the SQS view; open
//   the printed URL.
//
// Runs until Ctrl+C, then stops what it started. The browser VS Code keeps its profile in
// .vscode-test/start/; after `npm run build` (or under `npm run watch`), "Developer: Reload
// Window" loads the new build.
//
// --check starts the same things on free ports with a new profile, opens the printed page in
// headless Chromium, waits until the SQS view lists the demo queues by itself (nothing is
// clicked), prints how long that took, stops everything and exits 0; or exits 1 naming what
// did not come up (with a screenshot of the page when the browser got that far).
//
//   node test/harness/start.mjs [--browser] [--no-build] [--check]
//
// Environment: SQS_START_VSCODE_PORT (browser VS Code port, default 8080 or a free one).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  codeServerInstalled,
  delay,
  freePort,
  launchChromium,
  linkExtension,
  portIsFree,
  runCommand,
  runFolders,
  startCodeServer,
  startLocalSqs,
  writeUserSettings,
} from '../browser/workbench.mjs';

const SQS_PORT = 9324;
const VSCODE_PORT = Number(process.env.SQS_START_VSCODE_PORT || 8080);

const CHECK_TIMEOUT_MS = 120_000;
const DEMO_QUEUES = ['orders', 'orders-dlq', 'payments.fifo', 'notifications-email'];

function parseArgs(argv) {
  const options = { browser: false, build: true, check: false };
  for (const arg of argv) {
    if (arg === '--browser') options.browser = true;
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--check') options.check = true;
    else throw new Error(`unknown option ${arg}; usage: npm start -- [--browser] [--no-build] [--check]`);
  }
  return options;
}

const say = (message) => console.log(`start: ${message}`);

/** The desktop `code` command, when one is on PATH. */
function desktopCode() {
  const found = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
  const command = found.status === 0 ? found.stdout.trim() : '';
  return command || undefined;
}

async function choosePort(preferred) {
  return (await portIsFree(preferred)) ? preferred : freePort();
}

async function openDesktop(code, env) {
  const args = [`--extensionDevelopmentPath=${ROOT}`, '--new-window'];
  say(`opening VS Code: ${code} ${args.join(' ')}`);
  // The `code` command hands the window to the VS Code application and returns.
  const result = spawnSync(code, args, { cwd: ROOT, stdio: 'inherit', env });
  return result.status === 0;
}

/**
 * The folder the browser VS Code opens: a sample batch file to try Batch Send on (right-click
 * it in the Explorer), written the first time only so that the user's edits stay.
 */
function sampleWorkspace(folders) {
  const dir = path.join(folders.base, 'workspace');
  fs.mkdirSync(dir, { recursive: true });
  const sample = path.join(dir, 'orders.jsonl');
  if (!fs.existsSync(sample)) {
    const lines = [];
    for (let i = 1; i <= 20; i++) {
      const id = `ord-${String(i).padStart(4, '0')}`;
      lines.push(JSON.stringify({ body: { orderId: id, idempotency_key: `${id}-create`, amount: i * 7 }, attributes: { eventType: 'OrderCreated' } }));
    }
    // The same key twice: the inspector flags it as a duplicate send.
    lines.push(JSON.stringify({ body: { orderId: 'ord-0001', idempotency_key: 'ord-0001-create', amount: 7 }, attributes: { eventType: 'OrderCreated' } }));
    fs.writeFileSync(sample, `${lines.join('\n')}\n`);
  }
  return dir;
}

/** Starts the browser VS Code; `fresh` gives it a new profile and free port (for --check). */
async function openBrowser(env, resources, { fresh = false } = {}) {
  if (!codeServerInstalled()) throw new Error('the browser VS Code is not installed; run npm start (its setup installs it)');
  const name = fresh ? 'start-check' : 'start';
  if (fresh) fs.rmSync(path.join(ROOT, '.vscode-test', name), { recursive: true, force: true });
  const folders = runFolders(name);
  // The profile lives on between runs: the settings are written only the first time.
  if (!fs.existsSync(path.join(folders.userData, 'User', 'settings.json'))) {
    writeUserSettings(folders, { 'workbench.colorTheme': 'Default Dark Modern' });
  }
  linkExtension(folders);
  const port = fresh ? await freePort() : await choosePort(VSCODE_PORT);
  resources.codeServer = await startCodeServer({ folders, port, env, folder: sampleWorkspace(folders) });
  resources.folders = folders;
  return resources.codeServer.url;
}

/**
 * Opens `url` in headless Chromium and waits, without clicking anything, until the SQS view
 * lists every demo queue. Resolves with the seconds since `since`; rejects naming the step
 * that did not come.
 */
async function checkView(url, resources, since) {
  let browser;
  const shot = path.join(resources.folders.base, 'failure.png');
  let stepName = 'the browser';
  try {
    browser = await launchChromium(resources.folders);
    const page = browser.pages()[0] ?? (await browser.newPage());
    stepName = 'the VS Code workbench';
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: CHECK_TIMEOUT_MS });
    for (const queue of DEMO_QUEUES) {
      stepName = `the SQS view's row for the demo queue ${queue}`;
      await page.locator('.part.sidebar').getByRole('treeitem', { name: new RegExp(`queue ${queue.replace('.', '\\.')},`, 'i') }).first().waitFor({ timeout: CHECK_TIMEOUT_MS });
    }
    return (Date.now() - since) / 1000;
  } catch (error) {
    const page = browser?.pages()[0];
    if (page) await page.screenshot({ path: shot }).catch(() => undefined);
    throw new Error(`${stepName} did not come up: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}${page ? `; the page as it was: ${path.relative(ROOT, shot)}` : ''}`);
  } finally {
    await browser?.close();
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const resources = { local: undefined, codeServer: undefined, folders: undefined };
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      await resources.codeServer?.stop();
      await resources.local?.stop();
    })();
    return stopping;
  };
  let interrupted = false;
  let onInterrupt;
  const untilInterrupted = new Promise((resolve) => (onInterrupt = resolve));
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping`);
    onInterrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const since = Date.now();
    if (options.build) {
      say('building');
      await runCommand('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    // The check must not disturb a server the user already runs: it takes a free port.
    const sqsPort = options.check ? await freePort() : await choosePort(SQS_PORT);
    if (!options.check && sqsPort !== SQS_PORT) say(`port ${SQS_PORT} is taken; the local SQS server uses ${sqsPort}`);
    resources.local = await startLocalSqs({
      port: sqsPort,
      seed: 'demo',
      log: options.check ? undefined : (text) => process.stdout.write(text.replace(/^(?=.)/gm, '[local-sqs] ')),
    }).catch((error) => {
      throw new Error(`the local SQS server did not come up: ${error instanceof Error ? error.message : String(error)}`);
    });
    const { endpoint } = resources.local;
    say(`local SQS server with the demo queues at ${endpoint}`);
    const env = { ...process.env, AWS_ENDPOINT_URL_SQS: endpoint, AWS_REGION: 'us-east-1' };

    if (options.check) {
      const url = await openBrowser(env, resources, { fresh: true }).catch((error) => {
        throw new Error(`the browser VS Code did not come up: ${error instanceof Error ? error.message : String(error)}`);
      });
      const seconds = await checkView(url, resources, since);
      say(`check passed: the SQS view listed the demo queues ${seconds.toFixed(1)}s after npm start began (${DEMO_QUEUES.join(', ')})`);
      return;
    }

    const code = options.browser ? undefined : desktopCode();
    if (code && (await openDesktop(code, env))) {
      say(`VS Code opened a window with the extension; its SQS view shows the demo queues of ${endpoint}`);
    } else {
      if (code) say('the desktop VS Code did not start; using the browser VS Code');
      const url = await openBrowser(env, resources);
      say(`VS Code (browser) pid ${resources.codeServer.child.pid}, log ${path.relative(ROOT, resources.codeServer.logFile)}`);
      console.log(`\n  Open ${url} : VS Code with the SQS view on the demo queues of ${endpoint}.\n`);
    }
    say('running; press Ctrl+C to stop');

    // Ends on Ctrl+C, or when a process this script started exits by itself.
    const died = (child, what) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(what);
        else child.once('exit', () => resolve(what));
      });
    const watched = [died(resources.local.child, 'the local SQS server')];
    if (resources.codeServer) watched.push(died(resources.codeServer.child, 'the browser VS Code'));
    const ended = await Promise.race([untilInterrupted.then(() => undefined), ...watched]);
    if (ended && !interrupted) {
      say(`${ended} exited; stopping`);
      process.exitCode = 1;
    }
  } finally {
    await stop();
    // Give the output of the stopped processes a moment to flush before exiting.
    await delay(50);
    say('stopped');
  }
}

try {
  await main();
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
