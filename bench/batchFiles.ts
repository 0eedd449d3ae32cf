/**
 * NDJSON files for Batch Send: mostly entries `{"body": {…an order of ~200 bytes…},
 * "attributes": {"kind": "order"}}`, every tenth a plain string body. Written in chunks, so
 * that a file of 100,000 lines never sits in the runner's memory as one string.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

const LINES_PER_WRITE = 1000;

/** Entry `i` as one NDJSON line (without the newline). */
export function batchLine(i: number): string {
  if (i % 10 === 9) return JSON.stringify(`plain text message ${i}: restock the shelf in aisle ${i % 40} before the weekend`);
  const body = {
    orderId: `ord-${String(i).padStart(8, '0')}`,
    customer: { id: `c-${i % 997}`, name: `Customer ${i % 997}`, email: `customer${i % 997}@example.com` },
    items: [
      { sku: `SKU-${i % 101}`, qty: 1 + (i % 3), price: 19.99 },
      { sku: `SKU-${(i * 7) % 101}`, qty: 1, price: 5.5 },
    ],
    total: 45.48,
    currency: 'EUR',
    createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
  };
  return JSON.stringify({ body, attributes: { kind: 'order' } });
}

/** Writes `lines` entries to `file`; returns its size in bytes. */
export function writeBatchFile(file: string, lines: number): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (let first = 0; first < lines; first += LINES_PER_WRITE) {
      const chunk: string[] = [];
      for (let i = first; i < Math.min(lines, first + LINES_PER_WRITE); i++) chunk.push(batchLine(i));
      const text = `${chunk.join('\n')}\n`;
      bytes += writeSync(fd, text, null, 'utf8');
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** One message as a plain SDK script would send it. */
export interface PlainMessage {
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
}

/**
 * The file's entries parsed into messages, the way a plain script would do it for this
 * file's two shapes (a string is the body; an object's `body` is sent as its JSON text, its
 * `attributes` as String attributes).
 */
export function readPlainMessages(file: string): PlainMessage[] {
  const out: PlainMessage[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'string') {
      out.push({ body: value });
      continue;
    }
    const entry = value as { body: unknown; attributes?: Record<string, string> };
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, v] of Object.entries(entry.attributes ?? {})) attributes[name] = { DataType: 'String', StringValue: v };
    out.push({ body: typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body), attributes });
  }
  return out;
}

/**
 * A file of two entries with long bodies: `sizes[i]` bytes of entry text each (a body of
 * `x`s). Written a block at a time, so the file never sits in memory as one string.
 */
export function writeLargeEntryFile(file: string, sizes: readonly number[]): number {
  const fd = openSync(file, 'w');
  const block = 'x'.repeat(1 << 20);
  let bytes = 0;
  try {
    for (const size of sizes) {
      bytes += writeSync(fd, '{"body":"', null, 'utf8');
      for (let left = size - 12; left > 0; left -= block.length) bytes += writeSync(fd, block.slice(0, Math.min(left, block.length)), null, 'utf8');
      bytes += writeSync(fd, '"}\n', null, 'utf8');
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}
