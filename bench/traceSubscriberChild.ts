/**
 * A trace subscriber in its own process, as the extension host is beside the server: on
 * `start` it follows `/_workbench/trace` (long poll, bodies included) from the newest event, in
 * the compact form the extension reads (decoded as the extension decodes it) or the full one;
 * on `stop` it answers how many events it read, and the CPU time it took meanwhile.
 */
import type { TracePage, WorkbenchInfo } from '../src/shared/trace';
import { decodeTracePage, type CompactTracePage } from '../src/shared/traceWire';

type Command = { kind: 'start'; endpoint: string; format: 'compact' | 'full' } | { kind: 'stop' };

let running: { abort: AbortController; done: Promise<number>; cpu: NodeJS.CpuUsage } | undefined;

async function follow(endpoint: string, format: 'compact' | 'full', signal: AbortSignal): Promise<number> {
  let after = ((await (await fetch(`${endpoint}/_workbench/info`)).json()) as WorkbenchInfo).lastSeq;
  let read = 0;
  while (!signal.aborted) {
    try {
      const res = await fetch(`${endpoint}/_workbench/trace?after=${after}&wait=20&limit=5000&bodies=true&format=${format}`, { signal });
      const answer: unknown = await res.json();
      const page = format === 'compact' ? decodeTracePage(answer as CompactTracePage) : (answer as TracePage);
      after = page.next;
      read += page.events.length;
    } catch {
      break;
    }
  }
  return read;
}

process.on('message', (command: Command) => {
  if (command.kind === 'start') {
    const abort = new AbortController();
    running = { abort, done: follow(command.endpoint, command.format, abort.signal), cpu: process.cpuUsage() };
    process.send?.({ kind: 'started' });
  } else if (running) {
    const { abort, done, cpu } = running;
    running = undefined;
    abort.abort();
    void done.then((read) => {
      const used = process.cpuUsage(cpu);
      process.send?.({ kind: 'stopped', read, cpuMs: Math.round((used.user + used.system) / 1000) });
    });
  }
});
