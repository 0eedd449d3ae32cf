// The first step of `npm start` and `npm test`: installs what is missing, then runs the
// script named on the command line with the remaining arguments. Uses Node's built-ins
// only, since it runs before node_modules exists.
//
// - node_modules: `npm ci` when it is absent, or when what is installed does not match
//   package-lock.json (a package missing or at another version);
// - the test VS Code and its browser: test/harness/install-vscode.sh (Debian's chromium and
//   build tools, Node 24, code-server into .vscode-test/), which only checks when all is
//   there already;
// - for `npm test` with the clients tier: Debian's boto3 and AWS CLI
//   (test/harness/install-clients.sh), which only asks dpkg when both are there.
//
//   node test/harness/bootstrap.mjs [--tests] SCRIPT [ARGS...]
//
// With --tests, a failed setup still ends with the summary line `0 passed, 1 failed`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HARNESS = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HARNESS, '../..');

const say = (message) => console.log(`setup: ${message}`);

/**
 * The environment for installers run from inside an npm script. npm exports its own
 * configuration and identity (`npm_config_user_agent`, `npm_node_execpath`, …) to scripts;
 * an npm of another Node version started below would take them as its own (code-server's
 * install reads the user agent and refuses anything but Node 24). Variables the user set in
 * upper case (NPM_CONFIG_REGISTRY, …) are kept.
 */
export function installerEnv(env = process.env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('npm_')));
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Why node_modules does not match package-lock.json, or undefined when it does. npm keeps a
 * record of what it installed in node_modules/.package-lock.json; every package the lock
 * file requires on this platform must be there at the locked version.
 */
export function nodeModulesProblem(root = ROOT) {
  const lock = readJson(path.join(root, 'package-lock.json'));
  if (!lock?.packages) return 'package-lock.json is missing or unreadable';
  const installed = readJson(path.join(root, 'node_modules/.package-lock.json'));
  if (!installed?.packages) return 'node_modules is not installed';
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '' || entry.link) continue;
    const have = installed.packages[where];
    // Optional packages for other platforms (esbuild's binaries) are never installed here.
    if (!have) {
      if (entry.optional || entry.devOptional) continue;
      return `${where.replace(/^node_modules\//, '')} is not installed`;
    }
    if (have.version !== entry.version) return `${where.replace(/^node_modules\//, '')} is ${have.version}, the lock file wants ${entry.version}`;
  }
  return undefined;
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.once('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Whether SQS_TEST_TIERS (all tiers when unset) selects `tier`. */
function wantsTier(tier, env = process.env) {
  const raw = env.SQS_TEST_TIERS;
  return !raw || raw.split(',').map((s) => s.trim()).includes(tier);
}

async function main(script, args, tests) {
  if (!script) throw new Error('usage: node test/harness/bootstrap.mjs [--tests] SCRIPT [ARGS...]');

  const problem = nodeModulesProblem();
  if (problem) {
    say(`${problem}: npm ci`);
    const code = await run('npm', ['ci', '--no-fund', '--no-audit'], { env: installerEnv() });
    if (code !== 0) throw new Error(`npm ci failed (exit ${code})`);
  }

  const started = Date.now();
  const code = await run('bash', [path.join(HARNESS, 'install-vscode.sh')], { env: installerEnv() });
  if (code !== 0) throw new Error(`test/harness/install-vscode.sh failed (exit ${code}); its output is above`);
  const took = (Date.now() - started) / 1000;
  if (took > 5) say(`the test VS Code and Chromium are ready (${took.toFixed(0)}s)`);

  if (tests && wantsTier('clients')) {
    const clients = await run('bash', [path.join(HARNESS, 'install-clients.sh')], { env: installerEnv() });
    if (clients !== 0) throw new Error(`test/harness/install-clients.sh failed (exit ${clients}); its output is above`);
  }

  // The script runs as a child so that it sees the node_modules installed just now. Ctrl+C
  // reaches it with the whole process group; this process waits for it to stop.
  // A SIGTERM sent to this process alone is passed on.
  const child = spawn(process.execPath, [path.resolve(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const tests = argv[0] === '--tests';
  const [script, ...args] = tests ? argv.slice(1) : argv;
  let exitCode;
  try {
    exitCode = await main(script, args, tests);
  } catch (error) {
    console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
    if (tests) console.log('0 passed, 1 failed');
    exitCode = 1;
  }
  process.exit(exitCode);
}
