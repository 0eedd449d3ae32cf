/**
 * Machine-wide CPU use from /proc/stat (Linux), to tell how much of the machine other
 * processes took while a phase ran: figures from a busy machine are not comparable.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface CpuTicks {
  busy: number;
  total: number;
}

/** Aggregate CPU ticks, or undefined where /proc/stat is not available. */
export function cpuTicks(): CpuTicks | undefined {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  if (!line?.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy, total: busy + idle + iowait };
}

/**
 * Cores busy between two snapshots, minus `ownCpuMs` spent by our processes over `wallMs`:
 * what other processes (and the hypervisor, as steal time) took. In cores, 1 = one core.
 */
export function otherCores(before: CpuTicks | undefined, after: CpuTicks | undefined, ownCpuMs: number, wallMs: number): number | undefined {
  if (!before || !after || after.total <= before.total || wallMs <= 0) return undefined;
  const machine = ((after.busy - before.busy) / (after.total - before.total)) * os.cpus().length;
  return Math.max(0, Math.round((machine - ownCpuMs / wallMs) * 100) / 100);
}
