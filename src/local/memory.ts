import { getHeapStatistics } from 'node:v8';
import { totalmem } from 'node:os';

/** What one stored message costs beside its body and attributes: its record, map and list entries. */
export const MESSAGE_OVERHEAD_BYTES = 512;

/**
 * How much message data a server holds, against its limit. Sends past the limit are
 * refused with SQS's OverLimit instead of growing until the process runs out of memory.
 */
export class MemoryMeter {
  used = 0;

  constructor(readonly limit: number) {}

  /** Whether `bytes` more fit. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.limit;
  }
}

/**
 * The default limit: a quarter of the machine's memory, and at most half of what V8 lets
 * this process's heap grow to (message bodies live on the heap).
 */
export function defaultMemoryLimit(): number {
  return Math.floor(Math.min(totalmem() / 4, getHeapStatistics().heap_size_limit / 2));
}
