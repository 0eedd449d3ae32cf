// The browser VS Code with this extension, for people and for pictures: the local SQS
// server's command line, code-server (VS Code's server and web workbench, installed into
// .vscode-test/ by test/harness/install-vscode.sh) with the extension installed from the
// repository, and headless Chromium. Used by test/harness/screenshot.mjs and
// test/harness/start.mjs. Everything binds to 127.0.0.1, writes only under .vscode-test/,
// and is stopped by the PID it was started with.
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../harness/chromium.mjs';
import { codeServerFlags } from '../harness/codeServer.mjs';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = path.join(ROOT, '.vscode-test');
const NODE24 = path.join(CACHE, 'node24/bin/node');
const CODE_SERVER = path.join(CACHE, 'code-server/node_modules/code-server/out/node/entry.js');
const HOST = '127.0.0.1';
const SHUTDOWN_GRACE_MS = 5_000;

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function codeServerInstalled() {
  return fs.existsSync(NODE24) && fs.existsSync(CODE_SERVER);
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when `port` on 127.0.0.1 can be listened on. */
export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * Folders for one kind of run (`name`), all under .vscode-test/: code-server and Chromium
 * write their config, data, caches and sockets there, never in the user's home. The socket
 * folder stays short: Unix socket paths are capped at 107 bytes.
 */
export function runFolders(name) {
  const base = path.join(CACHE, name);
  const folders = {
    base,
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    home: path.join(base, 'home'),
    tmp: path.join(base, 'tmp'),
    xdg: path.join(base, 'xdg'),
  };
  for (const dir of Object.values(folders)) fs.mkdirSync(dir, { recursive: true });
  return folders;
}

/** Environment for child processes that keeps their files inside `folders`. */
export function isolatedEnv(folders, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(folders.xdg, 'config'),
    XDG_DATA_HOME: path.join(folders.xdg, 'data'),
    XDG_CACHE_HOME: path.join(folders.xdg, 'cache'),
    TMPDIR: folders.tmp,
    ...extra,
  };
}

/** Writes VS Code's user settings: quiet defaults plus `settings`. */
export function writeUserSettings(folders, settings) {
  const dir = path.join(folders.userData, 'User');
  fs.mkdirSync(dir, { recursive: true });
  const quiet = {
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    // A server on a port of its own (the local SQS server) would otherwise raise a "port is available" toast.
    'remote.autoForwardPorts': false,
    'git.enabled': false,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), `${JSON.stringify({ ...quiet, ...settings }, null, 2)}\n`);
}

/**
 * Installs the extension as the repository folder itself: the extensions folder's manifest
 * points at the repository, so VS Code runs the current dist/ (after `npm run build`, or
 * under `npm run watch` and "Developer: Reload Window"), with nothing packaged or copied.
 */
export function linkExtension(folders) {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const entry = {
    identifier: { id: `${manifest.publisher}.${manifest.name}`.toLowerCase() },
    version: manifest.version,
    location: { $mid: 1, scheme: 'file', path: ROOT },
    metadata: { installedTimestamp: Date.now(), source: 'vsix' },
  };
  fs.writeFileSync(path.join(folders.extensions, 'extensions.json'), JSON.stringify([entry]));
}

/** Runs a command with inherited output; rejects when it fails. */
export function runCommand(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Stops a child and, when it leads a process group (started with `detached`), everything in
 * that group: SIGTERM, then SIGKILL after a grace period.
 */
export async function stopProcess(child, { group = false } = {}) {
  if (!child || exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name) => {
    try {
      if (group) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const graceful = await Promise.race([gone.then(() => true), delay(SHUTDOWN_GRACE_MS).then(() => false)]);
  // Members of the group (the extension host, file watchers) may outlive the leader.
  if (group) signal('SIGKILL');
  else if (!graceful) signal('SIGKILL');
  if (!graceful) await gone;
}

/**
 * Starts `node dist/local-sqs.js` on 127.0.0.1 and resolves once it prints its endpoint.
 * Its output is copied to `log` (a function) when given.
 */
export function startLocalSqs({ port, seed = 'demo', log } = {}) {
  const cli = path.join(ROOT, 'dist/local-sqs.js');
  if (!fs.existsSync(cli)) return Promise.reject(new Error('dist/local-sqs.js is missing; run: npm run build'));
  const args = [cli, '--port', String(port ?? 0), '--host', HOST, ...(seed ? ['--seed', seed] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      log?.(text);
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.on('data', (c) => log?.(c.toString()));
        resolve({ child, endpoint: match[1], stop: () => stopProcess(child) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      output += chunk.toString();
      log?.(chunk.toString());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`local SQS server exited (${code}) before listening:\n${output}`)));
  });
}

/**
 * Starts code-server on 127.0.0.1:`port` with the folders of `runFolders`, opening
 * `folder`, and resolves once it answers /healthz. Its own process group, so that stopping
 * it also stops the extension host and the helpers it forks.
 */
export async function startCodeServer({ folders, port, folder, env = {}, timeoutMs = 60_000 }) {
  if (!codeServerInstalled()) throw new Error('code-server is not installed; run: bash test/harness/install-vscode.sh');
  const logFile = path.join(folders.base, 'code-server.log');
  const log = fs.openSync(logFile, 'w');
  const args = [CODE_SERVER, ...codeServerFlags({ port, userDataDir: folders.userData, extensionsDir: folders.extensions }), ...(folder ? [folder] : [])];
  const child = spawn(NODE24, args, { cwd: ROOT, detached: true, stdio: ['ignore', log, log], env: isolatedEnv(folders, env) });
  fs.closeSync(log);
  const base = `http://${HOST}:${port}`;
  const stop = () => stopProcess(child, { group: true });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`code-server exited during startup; see ${logFile}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        const url = folder ? `${base}/?folder=${encodeURIComponent(folder)}` : `${base}/`;
        return { child, base, url, logFile, stop };
      }
    } catch {
      // not listening yet
    }
    await delay(200);
  }
  await stop();
  throw new Error(`code-server did not answer within ${timeoutMs / 1000}s; see ${logFile}`);
}

/** Headless Chromium with a profile under `folders`; `viewport` in CSS pixels. */
export function launchChromium(folders, { viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1 } = {}) {
  return chromium.launchPersistentContext(path.join(folders.base, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    deviceScaleFactor,
    colorScheme: 'dark',
    env: { ...isolatedEnv(folders), HOME: folders.home },
    args: [...CHROMIUM_ARGS],
  });
}

/**
 * The frame of a webview (an editor panel's page, inside the workbench's nested iframes)
 * that holds `selector`; waits up to `timeoutMs` for it to load.
 */
export async function webviewFrame(page, selector, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // detached or navigating meanwhile
      }
    }
    await delay(200);
  }
  throw new Error(`no webview with ${selector} within ${timeoutMs / 1000}s`);
}
