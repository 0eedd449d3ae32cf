/**
 * Start-up time (spawning the process until its endpoint reaches the runner) and idle memory
 * of each server, over a few fresh processes started alternately.
 */
import { median } from '../util';
import { megabytes, ratio, type Cell } from '../report';
import { SERVER_NAMES, type ServerName } from '../protocol';
import type { Section } from './section';

const RUNS = 5;

interface Sample {
  startupMs: number;
  inProcessReadyMs: number;
  serverStartMs: number;
  idleRssMB: number;
  idleHeapUsedMB: number;
}

interface Figures {
  samples: Sample[];
  medianStartupMs: number;
  minStartupMs: number;
  medianInProcessReadyMs: number;
  medianServerStartMs: number;
  medianIdleRssMB: number;
  medianIdleHeapUsedMB: number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

function summarize(samples: Sample[]): Figures {
  const med = (get: (s: Sample) => number): number => round1(median(samples.map(get)));
  return {
    samples,
    medianStartupMs: med((s) => s.startupMs),
    minStartupMs: round1(Math.min(...samples.map((s) => s.startupMs))),
    medianInProcessReadyMs: med((s) => s.inProcessReadyMs),
    medianServerStartMs: med((s) => s.serverStartMs),
    medianIdleRssMB: med((s) => s.idleRssMB),
    medianIdleHeapUsedMB: med((s) => s.idleHeapUsedMB),
  };
}

export const startupSection: Section = {
  name: 'startup',
  title: `Start-up and idle memory (${RUNS} fresh processes per server, started alternately)`,
  async run(context) {
    const samples: Record<ServerName, Sample[]> = { ours: [], 'local-aws-sqs': [] };
    for (let i = 0; i < RUNS; i++) {
      for (const server of SERVER_NAMES) {
        const child = await context.children.start(server);
        try {
          const stats = await child.stats(true);
          samples[server].push({
            startupMs: round1(child.startupMs),
            inProcessReadyMs: round1(child.inProcessReadyMs),
            serverStartMs: round1(child.serverStartMs),
            idleRssMB: megabytes(stats.rssBytes),
            idleHeapUsedMB: megabytes(stats.heapUsedBytes),
          });
        } finally {
          await context.children.stop(child);
        }
      }
    }
    const ours = summarize(samples.ours);
    const theirs = summarize(samples['local-aws-sqs']);
    const row = (label: string, get: (f: Figures) => number): Cell[] => [label, get(ours), get(theirs), ratio(get(ours), get(theirs))];
    context.report.table({
      columns: ['metric', 'ours', 'local-aws-sqs', 'ours/theirs'],
      rows: [
        row('start-up: spawn to endpoint, median (ms)', (f) => f.medianStartupMs),
        row('start-up: spawn to endpoint, best (ms)', (f) => f.minStartupMs),
        row('  process start to listening, median (ms)', (f) => f.medianInProcessReadyMs),
        row('  load server code + listen, median (ms)', (f) => f.medianServerStartMs),
        row('idle RSS after GC (MB)', (f) => f.medianIdleRssMB),
        row('idle heap used after GC (MB)', (f) => f.medianIdleHeapUsedMB),
      ],
    });
    context.report.data('startup', { ours, 'local-aws-sqs': theirs });
  },
};
