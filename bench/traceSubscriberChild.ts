/**
 * A trace subscriber in its own process, as the extension host is beside the server: on
 * `start` it follows `/_workbench/trace` (long poll, bodies included) from the newest event;
 * on `stop` it answers how many events it read.
 */
import type { TracePage, WorkbenchInfo } from '../src/shared/trace';

type Command = { kind: 'start'; endpoint: string } | { kind: 'stop' };

let running: { abort: AbortController; done: Promise<number> } | undefined;

async function follow(endpoint: string, signal: AbortSignal): Promise<number> {
  let after = ((await (await fetch(`${endpoint}/_workbench/info`)).json()) as WorkbenchInfo).lastSeq;
  let read = 0;
  while (!signal.aborted) {
    try {
      const res = await fetch(`${endpoint}/_workbench/trace?after=${after}&wait=20&limit=5000&bodies=true`, { signal });
      const page = (await res.json()) as TracePage;
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
    running = { abort, done: follow(command.endpoint, abort.signal) };
    process.send?.({ kind: 'started' });
  } else if (running) {
    const { abort, done } = running;
    running = undefined;
    abort.abort();
    void done.then((read) => process.send?.({ kind: 'stopped', read }));
  }
});
