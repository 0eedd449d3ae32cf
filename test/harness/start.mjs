// `npm start`: runs the extension against the local SQS server with the demo queues.
// Builds, starts `node dist/local-sqs.js --seed demo` on 127.0.0.1:9324 (a free port when
// 9324 is taken), then opens VS Code with the extension connected to it through the
// environment (AWS_ENDPOINT_URL_SQS, AWS_REGION), which the extension's environment
// connection reads:
//
// - with a desktop `code` command on PATH: a new window with the extension in development
//   mode (`code --extensionDevelopmentPath=<repo> --new-window`);
// - otherwise (or with --browser): the browser VS Code from .vscode-test/ (code-server,
//   installed by test/harness/install-vscode.sh when missing) on 127.0.0.1, with the
//   extension installed from this repository; open the printed URL.
//
// Runs until Ctrl+C, then stops what it started. The browser VS Code keeps its profile in
// .vscode-test/start/; after `npm run build` (or under `npm run watch`), "Developer: Reload
// Window" loads the new build.
//
//   node test/harness/start.mjs [--browser] [--no-build]
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

function parseArgs(argv) {
  const options = { browser: false, build: true };
  for (const arg of argv) {
    if (arg === '--browser') options.browser = true;
    else if (arg === '--no-build') options.build = false;
    else throw new Error(`unknown option ${arg}; usage: node test/harness/start.mjs [--browser] [--no-build]`);
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

async function openBrowser(env, resources) {
  if (!codeServerInstalled()) {
    say('installing the browser VS Code into .vscode-test/ (first time only, about three minutes)');
    await runCommand('bash', [path.join(ROOT, 'test/harness/install-vscode.sh')]);
  }
  const folders = runFolders('start');
  // The profile lives on between runs: the settings are written only the first time.
  if (!fs.existsSync(path.join(folders.userData, 'User', 'settings.json'))) {
    writeUserSettings(folders, { 'workbench.colorTheme': 'Default Dark Modern' });
  }
  linkExtension(folders);
  const port = await choosePort(VSCODE_PORT);
  resources.codeServer = await startCodeServer({ folders, port, env });
  return resources.codeServer.url;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const resources = { local: undefined, codeServer: undefined };
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
    if (options.build) {
      say('building');
      await runCommand('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const sqsPort = await choosePort(SQS_PORT);
    if (sqsPort !== SQS_PORT) say(`port ${SQS_PORT} is taken; the local SQS server uses ${sqsPort}`);
    resources.local = await startLocalSqs({
      port: sqsPort,
      seed: 'demo',
      log: (text) => process.stdout.write(text.replace(/^(?=.)/gm, '[local-sqs] ')),
    });
    const { endpoint } = resources.local;
    const env = { ...process.env, AWS_ENDPOINT_URL_SQS: endpoint, AWS_REGION: 'us-east-1' };

    const code = options.browser ? undefined : desktopCode();
    if (code && (await openDesktop(code, env))) {
      say(`VS Code opened a window with the extension; its SQS view shows the demo queues of ${endpoint}`);
      say('(from the environment connection; a connection in the setting sqsWorkbench.connections takes its place)');
    } else {
      if (code) say('the desktop VS Code did not start; using the browser VS Code');
      const url = await openBrowser(env, resources);
      say(`VS Code (browser) pid ${resources.codeServer.child.pid}, log ${path.relative(ROOT, resources.codeServer.logFile)}`);
      console.log(`\n  Open ${url} and click the SQS icon in the activity bar: the demo queues of ${endpoint}.\n`);
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
