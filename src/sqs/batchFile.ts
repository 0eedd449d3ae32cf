import { readMessageFile, type FileChunks, type FileEntry, type FileFormat } from '../model/messageFile';
import { sendBatches, type BatchItem, type BatchSendOptions, type BatchSendSummary, type UnsentItem } from './batchSender';
import type { SqsGateway } from './gateway';
import { messageFromEntry, validateMessage, type FieldProblem, type QueueLimits } from './sending';

/** A problem with one entry of a batch file, where it is. */
export interface EntryProblem {
  readonly index: number;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly message: string;
}

/** The entries of a file read by the check, kept so that a small file is not read twice. */
export interface CheckedEntries {
  readonly valid: BatchItem[];
  readonly invalid: UnsentItem[];
}

/**
 * Files whose entries fit in this many bytes (the bodies of valid entries, the text of
 * invalid ones) are kept in memory between the check and the send.
 */
export const CACHE_LIMIT_BYTES = 16 * 1024 * 1024;

/** What an entry kept in the cache costs besides its text: the item and its problem. */
const CACHED_ENTRY_BYTES = 256;

export interface FileCheck {
  format: FileFormat;
  /** The checked entries, when the file was small enough to keep (see {@link CACHE_LIMIT_BYTES}). */
  cached?: CheckedEntries;
  entries: number;
  valid: number;
  /** Entries with at least one problem. */
  invalid: number;
  /** Problems, in file order, at most `maxProblems` of them. */
  problems: EntryProblem[];
  /** Problems past `maxProblems`, counted but not kept. */
  moreProblems: number;
}

/** Opens the file again from the start, as chunks of text or of UTF-8 bytes. */
export type ChunkSource = () => FileChunks;

function toItem(entry: FileEntry, limits: QueueLimits): { item?: BatchItem; problems: FieldProblem[] } {
  if (entry.error !== undefined) return { problems: [{ field: 'entry', message: entry.error }] };
  const { message, problems } = messageFromEntry(entry.value);
  if (!message) return { problems };
  problems.push(...validateMessage(message, limits));
  return problems.length > 0 ? { problems } : { item: { position: entry.index, message, source: entry.value }, problems };
}

function invalidItem(entry: FileEntry, problems: FieldProblem[]): UnsentItem {
  return {
    item: { position: entry.index, message: { body: '' }, source: entry.value ?? null, ...(entry.text !== undefined ? { text: entry.text } : {}) },
    code: 'Invalid',
    message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
  };
}

/**
 * Reads the whole file once and checks every entry against the limits; nothing is sent.
 * A file whose bodies fit in {@link CACHE_LIMIT_BYTES} is kept, checked, for the send.
 */
export async function checkMessageFile(source: ChunkSource, limits: QueueLimits, maxProblems = 1000, cacheLimitBytes = CACHE_LIMIT_BYTES): Promise<FileCheck> {
  const check: FileCheck = { format: 'lines', entries: 0, valid: 0, invalid: 0, problems: [], moreProblems: 0 };
  let cache: CheckedEntries | undefined = { valid: [], invalid: [] };
  let cachedBytes = 0;
  for await (const entry of readMessageFile(source(), (f) => (check.format = f))) {
    check.entries++;
    const { item, problems } = toItem(entry, limits);
    cachedBytes += CACHED_ENTRY_BYTES + (item ? item.message.body.length : entry.length) * 2;
    if (cachedBytes > cacheLimitBytes) cache = undefined;
    if (item) {
      check.valid++;
      cache?.valid.push(item);
      continue;
    }
    cache?.invalid.push(invalidItem(entry, problems));
    check.invalid++;
    for (const p of problems) {
      if (check.problems.length < maxProblems) check.problems.push({ index: entry.index, line: entry.line, column: entry.column, ...p });
      else check.moreProblems++;
    }
  }
  if (cache) check.cached = cache;
  return check;
}

export interface FileSendOptions extends BatchSendOptions {
  /** Invalid entries are reported as not sent (and written to the result); the rest go. */
  onInvalid?(items: readonly UnsentItem[]): void;
}

export interface FileSendSummary extends BatchSendSummary {
  entries: number;
  invalid: number;
  /** Where the entries that were not sent were written, if any. */
  resultFile?: string;
}

/**
 * Reads the file again and sends its valid entries with {@link sendBatches}; invalid
 * entries count as not sent. sent + failed + notSent always equals the entries in the file.
 */
export async function sendMessageFile(
  gateway: SqsGateway,
  queueUrl: string,
  source: ChunkSource,
  limits: QueueLimits,
  options: FileSendOptions,
  cached?: CheckedEntries,
): Promise<FileSendSummary> {
  if (cached) {
    // The check kept the file: send what it found valid, report the rest, read nothing again.
    if (cached.invalid.length > 0) options.onInvalid?.(cached.invalid);
    const summary = await sendBatches(gateway, queueUrl, cached.valid, options);
    return { ...summary, notSent: summary.notSent + cached.invalid.length, entries: cached.valid.length + cached.invalid.length, invalid: cached.invalid.length };
  }
  let entries = 0;
  let invalid = 0;
  async function* items(): AsyncGenerator<BatchItem> {
    for await (const entry of readMessageFile(source())) {
      entries++;
      const { item, problems } = toItem(entry, limits);
      if (item) {
        yield item;
        continue;
      }
      invalid++;
      options.onInvalid?.([invalidItem(entry, problems)]);
    }
  }
  const summary = await sendBatches(gateway, queueUrl, items(), options);
  return { ...summary, notSent: summary.notSent + invalid, entries, invalid };
}

/**
 * One line of a result file: the entry as it was (in object form) with the reason it was
 * not sent. Batch Send reads such a file as it is (it passes over the `error` field).
 * An entry that is not valid JSON is written as its own text (on one line), since no JSON
 * can hold it unchanged: mended in place, the file sends as it is, and until then Batch
 * Send reports it at its line.
 */
export function resultLine(unsent: UnsentItem): string {
  if (unsent.item.text !== undefined) return unsent.item.text.replace(/\s*\r?\n\s*/g, ' ');
  const source = unsent.item.source;
  const entry: Record<string, unknown> =
    typeof source === 'object' && source !== null && !Array.isArray(source) ? { ...(source as Record<string, unknown>) } : { body: source };
  entry.error = `${unsent.code}: ${unsent.message}`;
  return JSON.stringify(entry);
}
