// `npm test` (after test/harness/bootstrap.mjs installed what was missing): type-check,
// lint, build and compile, then run the test tiers (unit and integration in plain Node,
// browser: the inspector's page in Chromium, vscode: mocha inside a real VS Code, e2e: the
// browser VS Code driven as a person drives it, clients: boto3 and the AWS CLI speaking the
// Query protocol to the local server) and end with the plain line
// `N passed, N failed` summed over everything. A failing step counts as one failure and
// the run goes on where it can, so that line is always printed.
//
// SQS_TEST_TIERS=unit,integration,vscode picks the tiers to run (default: all);
// SQS_TEST_GREP=text runs only the tests whose full title contains it, in every tier.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Mocha = require('mocha');

const HARNESS = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HARNESS, '../..');
const SUMMARY = /^(\d+) passed, (\d+) failed$/;
const ALL_TIERS = ['unit', 'integration', 'clients', 'browser', 'vscode', 'e2e'];
/** Tiers of plain JavaScript run from their folder under test/ (the others are compiled to out/). */
const SCRIPT_TIERS = { clients: 60_000, browser: 60_000, e2e: 120_000 };

const totals = { passed: 0, failed: 0 };
const results = [];

function record(name, passed, failed, note = '') {
  totals.passed += passed;
  totals.failed += failed;
  results.push({ name, passed, failed, note });
}

function banner(text) {
  console.log(`\n=== ${text}`);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

function selectedTiers() {
  const raw = process.env.SQS_TEST_TIERS;
  if (!raw) return ALL_TIERS;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ALL_TIERS.includes(n));
  if (unknown.length > 0) {
    console.error(`SQS_TEST_TIERS: unknown tier(s) ${unknown.join(', ')}; known: ${ALL_TIERS.join(', ')}`);
    record('SQS_TEST_TIERS', 0, 1, `unknown tier(s) ${unknown.join(', ')}`);
  }
  return ALL_TIERS.filter((t) => names.includes(t));
}

/** Runs a command with inherited output; resolves with its exit code. `onOutput` also receives the output. */
function run(command, args, onOutput) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: onOutput ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] });
    if (onOutput) {
      child.stdout.on('data', (chunk) => {
        process.stdout.write(chunk);
        onOutput(chunk);
      });
      child.stderr.on('data', (chunk) => {
        process.stderr.write(chunk);
        onOutput(chunk);
      });
    }
    child.once('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function step(name, command, args) {
  banner(name);
  const started = Date.now();
  const code = await run(command, args);
  const ok = code === 0;
  console.log(`--- ${name}: ${ok ? 'ok' : `failed (exit ${code})`} in ${seconds(started)}`);
  if (!ok) record(name, 0, 1, `exit ${code}`);
  return ok;
}

function findTestFiles(dir, suffix = '.test.js') {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return findTestFiles(full, suffix);
      return entry.isFile() && entry.name.endsWith(suffix) ? [full] : [];
    });
}

async function mochaTier(tier) {
  banner(`tier ${tier}`);
  const script = tier in SCRIPT_TIERS;
  const dir = script ? path.join(ROOT, 'test', tier) : path.join(ROOT, 'out/test', tier);
  const files = findTestFiles(dir, script ? '.test.mjs' : '.test.js');
  if (files.length === 0) {
    console.log(`--- tier ${tier}: skipped, no *.test.js under ${path.relative(ROOT, dir)}`);
    results.push({ name: `tier ${tier}`, passed: 0, failed: 0, note: 'skipped: no test files' });
    return;
  }
  const started = Date.now();
  const grep = process.env.SQS_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: SCRIPT_TIERS[tier] ?? 20_000, ...(grep ? { grep } : {}) });
  files.forEach((file) => mocha.addFile(file));
  try {
    await mocha.loadFilesAsync();
    const { passes, failures } = await new Promise((resolve) => {
      const runner = mocha.run((failed) => resolve({ passes: runner.stats?.passes ?? 0, failures: failed }));
    });
    console.log(`--- tier ${tier}: ${passes} passed, ${failures} failed in ${seconds(started)}`);
    record(`tier ${tier}`, passes, failures);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    console.log(`--- tier ${tier}: crashed in ${seconds(started)}`);
    record(`tier ${tier}`, 0, 1, 'crashed before reporting');
  } finally {
    mocha.dispose();
  }
}

async function vscodeTier() {
  banner('tier vscode');
  const started = Date.now();

  let pending = '';
  let summary;
  const scan = (chunk) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const match = SUMMARY.exec(line.replace(/\r$/, '').trim());
      if (match) summary = { passed: Number(match[1]), failed: Number(match[2]) };
    }
  };
  const code = await run(process.execPath, [path.join(HARNESS, 'run-vscode.mjs')], scan);
  scan('\n');

  if (!summary) {
    console.log(`--- tier vscode: no summary line (exit ${code}) in ${seconds(started)}`);
    record('tier vscode', 0, 1, `no summary line, exit ${code}`);
    return;
  }
  // Passing tests cannot hide a harness that failed around them.
  const harnessFailed = code !== 0 && summary.failed === 0;
  console.log(`--- tier vscode: ${summary.passed} passed, ${summary.failed} failed (exit ${code}) in ${seconds(started)}`);
  record('tier vscode', summary.passed, summary.failed + (harnessFailed ? 1 : 0), harnessFailed ? `exit ${code}` : '');
}

async function main() {
  const started = Date.now();
  const tiers = selectedTiers();

  await step('check', 'npm', ['run', '--silent', 'check']);
  await step('lint', 'npm', ['run', '--silent', 'lint']);
  const built = await step('build', 'npm', ['run', '--silent', 'build']);
  // A fresh out/ so tests deleted from test/ cannot run from stale output.
  fs.rmSync(path.join(ROOT, 'out'), { recursive: true, force: true });
  const compiled = await step('compile', 'npm', ['run', '--silent', 'compile']);

  for (const tier of tiers) {
    if (!compiled || (tier !== 'unit' && tier !== 'integration' && !built)) {
      banner(`tier ${tier}`);
      console.log(`--- tier ${tier}: skipped, ${compiled ? 'build' : 'compile'} failed`);
      results.push({ name: `tier ${tier}`, passed: 0, failed: 0, note: 'skipped' });
    } else if (tier === 'vscode') {
      await vscodeTier();
    } else {
      await mochaTier(tier);
    }
  }

  banner(`summary (${seconds(started)})`);
  for (const { name, passed, failed, note } of results) {
    console.log(`${name}: ${passed} passed, ${failed} failed${note ? ` (${note})` : ''}`);
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  totals.failed += 1;
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
}
const exitCode = totals.failed > 0 ? 1 : 0;
process.stdout.write('', () => process.exit(exitCode));
