/**
 * Benchmark runner: `npm run bench` (or `node out/bench/run.js [section…]` after building).
 * Runs each section in order, prints its tables, then the target summary, and writes every
 * figure to bench/results/latest.json. Exits 0 when every section ran (targets missed
 * included), 1 when a section crashed.
 */
import './env';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildPool } from './children';
import { cpuTicks, otherCores } from './machine';
import { Report } from './report';
import { activitySection } from './sections/activity';
import { batchSendSection } from './sections/batchSend';
import { explorerSection } from './sections/explorer';
import { hostileInputSection } from './sections/hostileInput';
import { inspectorHoldSection } from './sections/inspectorHold';
import { latencySection } from './sections/latency';
import { memorySection } from './sections/memory';
import { persistenceSection } from './sections/persistence';
import { protocolsSection } from './sections/protocols';
import type { Section } from './sections/section';
import { startupSection } from './sections/startup';
import { throughputSection } from './sections/throughput';
import { traceSection } from './sections/trace';
import { triageSection } from './sections/triage';
import { watchSection } from './sections/watch';
import { webviewSection } from './sections/webview';

const SECTIONS: Section[] = [startupSection, latencySection, throughputSection, protocolsSection, persistenceSection, traceSection, memorySection, explorerSection, batchSendSection, webviewSection, inspectorHoldSection, watchSection, triageSection, hostileInputSection, activitySection];

const RESULTS_FILE = path.join(__dirname, '..', '..', 'bench', 'results', 'latest.json');

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown section(s): ${unknown.join(', ')}. Sections: ${SECTIONS.map((s) => s.name).join(', ')}.`);
    return 2;
  }
  const sections = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s.name)) : SECTIONS;

  const report = new Report();
  const children = new ChildPool();
  const interrupt = (): void => {
    children.killAllNow();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const cpus = os.cpus();
  report.line(`SQS Workbench benchmark: node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  report.line(`Load average at start: ${loadAverage()}; other processes kept ${await backgroundCores()} cores busy over 1 s before the run.`);
  report.line('Ratios are ours / local-aws-sqs (explorer, batchsend: the extension / a plain SDK script, the floor): above 1 is better for msg/s; below 1 is better for times, CPU and memory.');
  const started = performance.now();
  try {
    for (const section of sections) {
      report.heading(section.title);
      const sectionStarted = performance.now();
      try {
        await section.run({ report, children });
      } catch (err) {
        report.error(section.name, err);
      } finally {
        await children.stopAll();
      }
      report.line(`  (${section.name}: ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await children.stopAll();
  }

  report.line(`\nLoad average at end: ${loadAverage()}`);
  report.printTargets();
  report.write(RESULTS_FILE);
  report.line(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s. Figures written to ${path.relative(process.cwd(), RESULTS_FILE)}.`);
  return report.failed ? 1 : 0;
}

/** Cores that other processes keep busy while the runner waits, as a sign of a noisy machine. */
async function backgroundCores(): Promise<string> {
  const before = cpuTicks();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return otherCores(before, cpuTicks(), 0, performance.now() - started)?.toFixed(2) ?? 'unknown';
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
