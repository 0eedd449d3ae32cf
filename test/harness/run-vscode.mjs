// Runs the compiled tests in out/test/vscode inside a real VS Code, through
// @vscode/test-electron with the stand-in executable of vscode-shim.mjs, so nothing is
// downloaded. Needs `npm run build`, `npm run compile` and test/harness/install-vscode.sh.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { runTests } = require('@vscode/test-electron');

const HARNESS = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HARNESS, '../..');
const RUN_DIR = path.join(ROOT, '.vscode-test/run');
const TMP_DIR = path.join(ROOT, '.vscode-test/tmp');
const SHIM = path.join(HARNESS, 'vscode-shim.sh');
const TESTS = path.join(ROOT, 'out/test/vscode/index');

const required = [
  [path.join(ROOT, 'dist/extension.js'), 'npm run build'],
  [`${TESTS}.js`, 'npm run compile'],
  [path.join(ROOT, '.vscode-test/code-server/node_modules/code-server/out/node/entry.js'), 'bash test/harness/install-vscode.sh'],
];
for (const [file, fix] of required) {
  if (!fs.existsSync(file)) {
    console.error(`run-vscode: ${path.relative(ROOT, file)} is missing; run: ${fix}`);
    process.exit(1);
  }
}

// Every run starts from an empty profile, so settings a test changed cannot leak into the next run.
for (const dir of [RUN_DIR, TMP_DIR]) fs.rmSync(dir, { recursive: true, force: true });

try {
  await runTests({
    vscodeExecutablePath: SHIM,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: TESTS,
    launchArgs: [
      path.join(RUN_DIR, 'workspace'),
      `--user-data-dir=${path.join(RUN_DIR, 'user-data')}`,
      `--extensions-dir=${path.join(RUN_DIR, 'extensions')}`,
    ],
  });
} catch (error) {
  console.error(`run-vscode: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
