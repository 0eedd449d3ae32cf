/**
 * A trace subscriber in its own process, as the extension host is beside the server: on
 * `start` it follows `/_workbench/trace` from the newest event with the extension's own
 * reader (`TraceSubscription`: long poll, bodies included, decoded into events), in the
 * compact form the extension reads or in the full one; on `stop` it answers how many events
 * it read, and the CPU time it took meanwhile.
 */
import { TraceSubscription } from '../src/services/traceFeed';
import { silentLog } from '../src/sqs/gateway';
import type { WorkbenchInfo } from '../src/shared/trace';

type Command = { kind: 'start'; endpoint: string; format: 'compact' | 'full' } | { kind: 'stop' };

let running: { subscription: TraceSubscription; read: number; cpu: NodeJS.CpuUsage } | undefined;

async function start(endpoint: string, format: 'compact' | 'full'): Promise<void> {
  const info = (await (await fetch(`${endpoint}/_workbench/info`)).json()) as WorkbenchInfo;
  const subscription = new TraceSubscription('bench', endpoint, silentLog, { after: info.lastSeq, compact: format === 'compact' });
  const state = { subscription, read: 0, cpu: process.cpuUsage() };
  subscription.onEvents((batch) => {
    state.read += batch.events.length;
  });
  running = state;
}

process.on('message', (command: Command) => {
  if (command.kind === 'start') {
    void start(command.endpoint, command.format).then(() => process.send?.({ kind: 'started' }));
  } else if (running) {
    const { subscription, cpu } = running;
    const state = running;
    running = undefined;
    subscription.dispose();
    void subscription.done.then(() => {
      const used = process.cpuUsage(cpu);
      process.send?.({ kind: 'stopped', read: state.read, cpuMs: Math.round((used.user + used.system) / 1000) });
    });
  }
});
