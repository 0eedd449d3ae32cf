// Stands in for the VS Code executable that @vscode/test-electron launches. It takes the
// same flags, runs the extension tests in a real VS Code (code-server's server and web
// workbench, with its remote Node extension host), drives the workbench with headless
// Chromium, and exits with the tests' exit code.
//
// Environment:
//   SQS_VSCODE_TIMEOUT_MS  whole test run, default 600000
//   SQS_VSCODE_VERBOSE=1   also print the workbench's routine log lines
//   CHROMIUM               browser executable, default /usr/bin/chromium
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';
import { codeServerFlags } from './codeServer.mjs';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = path.join(ROOT, '.vscode-test');
const NODE24 = path.join(CACHE, 'node24/bin/node');
const CODE_SERVER = path.join(CACHE, 'code-server/node_modules/code-server/out/node/entry.js');
const RUN_DIR = path.join(CACHE, 'run');
// A short folder: VS Code creates Unix sockets in os.tmpdir(), and socket paths are capped at 107 bytes.
const TMP_DIR = path.join(CACHE, 'tmp');
const BROWSER_HOME = path.join(RUN_DIR, 'home');

const STARTUP_TIMEOUT_MS = 60_000;
const SHUTDOWN_GRACE_MS = 5_000;
const RUN_TIMEOUT_MS = Number(process.env.SQS_VSCODE_TIMEOUT_MS || 600_000);
const VERBOSE = Boolean(process.env.SQS_VSCODE_VERBOSE);

// Routine workbench chatter that would bury the test output.
const NOISE =
  /ENOTFOUND|^\s+at |Resolving connection|Resolved connection|Creating a socket|grace time|builtin extensions cache|Service Worker|AgentHost|AccountPolicyGate/;

class HarnessError extends Error {}

function parseArgs(argv) {
  const options = { developmentPaths: [], testsPath: undefined, userDataDir: undefined, extensionsDir: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--extensionDevelopmentPath': options.developmentPaths.push(path.resolve(value())); break;
      case '--extensionTestsPath': options.testsPath = path.resolve(value()); break;
      case '--user-data-dir': options.userDataDir = path.resolve(value()); break;
      case '--extensions-dir': options.extensionsDir = path.resolve(value()); break;
      default:
        // Desktop-only flags (--no-sandbox, --disable-updates, --skip-welcome, ...) have no meaning here.
        if (!arg.startsWith('-')) options.folder = path.resolve(arg);
    }
  }
  if (!options.testsPath) throw new HarnessError('missing --extensionTestsPath');
  if (options.developmentPaths.length === 0) throw new HarnessError('missing --extensionDevelopmentPath');
  options.userDataDir ??= path.join(RUN_DIR, 'user-data');
  options.extensionsDir ??= path.join(RUN_DIR, 'extensions');
  options.folder ??= path.join(RUN_DIR, 'workspace');
  return options;
}

function prepareProfile({ userDataDir, extensionsDir, folder }) {
  for (const dir of [RUN_DIR, TMP_DIR, BROWSER_HOME, extensionsDir, folder, path.join(userDataDir, 'User')]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const settings = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settings)) {
    const quiet = {
      'telemetry.telemetryLevel': 'off',
      'workbench.startupEditor': 'none',
      'chat.disableAIFeatures': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'git.enabled': false,
    };
    fs.writeFileSync(settings, JSON.stringify(quiet, null, 2));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startCodeServer(port, { userDataDir, extensionsDir, folder }) {
  for (const file of [NODE24, CODE_SERVER]) {
    if (!fs.existsSync(file)) throw new HarnessError(`${file} is missing; run: bash test/harness/install-vscode.sh`);
  }
  const logFile = path.join(RUN_DIR, 'code-server.log');
  const log = fs.openSync(logFile, 'w');
  const args = [
    CODE_SERVER,
    ...codeServerFlags({ port, userDataDir, extensionsDir }),
    // The built workbench reads the ?payload= test parameters only with the smoke-test driver on.
    '--vscode-option', 'enable-smoke-test-driver',
    folder,
  ];
  // Its own process group, so that stopping it also stops the extension host and helpers it forks.
  const child = spawn(NODE24, args, { detached: true, stdio: ['ignore', log, log], env: process.env });
  fs.closeSync(log);
  return { child, logFile };
}

async function waitForHealthy(base, codeServer) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (codeServer.child.exitCode !== null || codeServer.child.signalCode !== null) {
      throw new HarnessError(`code-server exited during startup; see ${codeServer.logFile}`);
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  throw new HarnessError(`code-server did not answer within ${STARTUP_TIMEOUT_MS / 1000}s; see ${codeServer.logFile}`);
}

function workbenchUrl(base, authority, { developmentPaths, testsPath, folder }) {
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [
    ...developmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(testsPath)],
  ];
  return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function stopCodeServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  signalGroup('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), delay(SHUTDOWN_GRACE_MS).then(() => false)]);
  // Children of the group may outlive the leader's graceful exit.
  signalGroup('SIGKILL');
  if (!graceful) await exited;
}

async function runTests(options) {
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const base = `http://${authority}`;
  const resources = { codeServer: undefined, browser: undefined };

  const cleanup = async () => {
    await resources.browser?.close().catch(() => undefined);
    if (resources.codeServer) await stopCodeServer(resources.codeServer.child);
  };
  const onSignal = (signal) => {
    console.error(`vscode-shim: ${signal}, shutting down`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const started = Date.now();
    resources.codeServer = startCodeServer(port, options);
    await waitForHealthy(base, resources.codeServer);
    console.log(`vscode-shim: VS Code server on ${base} after ${Date.now() - started} ms`);

    resources.browser = await chromium.launchPersistentContext(path.join(RUN_DIR, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, HOME: BROWSER_HOME },
      args: [...CHROMIUM_ARGS],
    });
    const page = resources.browser.pages()[0] ?? (await resources.browser.newPage());

    let reportExit;
    const testsExited = new Promise((resolve) => (reportExit = resolve));
    // The workbench calls these two globals when the smoke-test driver is enabled.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...args);
      if (VERBOSE || !NOISE.test(line)) (type === 'error' ? console.error : console.log)(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
    page.on('pageerror', (error) => console.error(`vscode-shim: page error: ${String(error)}`));

    await page.goto(workbenchUrl(base, authority, options));
    const outcome = await Promise.race([testsExited, delay(RUN_TIMEOUT_MS).then(() => 'timeout')]);
    if (outcome === 'timeout') {
      const shot = path.join(RUN_DIR, 'timeout.png');
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new HarnessError(
        `the extension tests did not finish within ${RUN_TIMEOUT_MS / 1000}s (SQS_VSCODE_TIMEOUT_MS); ` +
          `see ${shot} and ${resources.codeServer.logFile}`,
      );
    }
    return typeof outcome === 'number' ? outcome : 1;
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

// Everything the server, its extension host and the browser write stays in the cache folder.
process.env.XDG_CONFIG_HOME = path.join(RUN_DIR, 'xdg/config');
process.env.XDG_DATA_HOME = path.join(RUN_DIR, 'xdg/data');
process.env.XDG_CACHE_HOME = path.join(RUN_DIR, 'xdg/cache');
process.env.TMPDIR = TMP_DIR;

let exitCode;
try {
  const options = parseArgs(process.argv.slice(2));
  prepareProfile(options);
  exitCode = await runTests(options);
} catch (error) {
  console.error(`vscode-shim: ${error instanceof HarnessError ? error.message : (error?.stack ?? String(error))}`);
  exitCode = 1;
}
process.stdout.write('', () => process.exit(exitCode));
