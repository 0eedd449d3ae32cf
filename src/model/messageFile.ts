/**
 * Reads a batch-send file as a stream: a JSON array of entries, or NDJSON / JSON Lines with
 * one entry per line. Each entry comes with its position (array index or line, and the line
 * and column where it starts), so every problem can be reported where it is. Time is linear
 * in the file, and memory bounded by {@link MAX_ENTRY_CHARS}: an entry past it, or nested
 * deeper than {@link MAX_ENTRY_DEPTH}, is skipped to its end and refused at its line.
 */
import { MAX_MESSAGE_BYTES } from './sqsLimits';
import { invalidUtf8Offset } from './utf8';

/**
 * The longest entry text read, in characters: four times SQS's message limit, so that a
 * body at the limit still fits when JSON escaping doubles or triples it (`\"`, `\n`,
 * `\u00e9`) and its attributes are written beside it. Past it no entry can be sent.
 */
export const MAX_ENTRY_CHARS = 4 * MAX_MESSAGE_BYTES;

/** The deepest nesting of arrays and objects read in one entry. */
export const MAX_ENTRY_DEPTH = 1_000;

export interface FileEntry {
  /** 0-based position of the entry in the file. */
  readonly index: number;
  /** 1-based line and column where the entry starts. */
  readonly line: number;
  readonly column: number;
  /** The length of the entry's text, in characters (counted on when it was refused). */
  readonly length: number;
  /** The parsed JSON value, when it parsed. */
  readonly value?: unknown;
  /** Why the entry could not be read. */
  readonly error?: string;
  /** The entry's own text, when it is not valid JSON: kept so that it can be mended and sent again. */
  readonly text?: string;
}

export type FileFormat = 'array' | 'lines';

/** The file's chunks: text (an editor's), or bytes (a file's), which must be UTF-8. */
export type FileChunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Where the entry is, as a user reads it: `line 12` (JSON Lines) or `entry 4 (line 12)` (array). */
export function describePosition(entry: Pick<FileEntry, 'index' | 'line'>, format: FileFormat): string {
  return format === 'lines' ? `line ${entry.line}` : `entry ${entry.index} (line ${entry.line})`;
}

const TOO_LONG =
  `The entry is longer than ${MAX_ENTRY_CHARS.toLocaleString('en-US')} characters (4 MiB); ` +
  `SQS accepts at most ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes a message (body and attributes), so it was not read.`;
const TOO_DEEP = `The entry is nested deeper than ${MAX_ENTRY_DEPTH.toLocaleString('en-US')} levels of arrays and objects, so it was not read.`;

function jsonError(err: unknown, text: string, line: number, column: number): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const offset = Number(at[1]);
  const before = text.slice(0, offset);
  const lastBreak = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  const l = line + (before.match(/\r\n?|\n/g)?.length ?? 0);
  const c = lastBreak >= 0 ? offset - lastBreak : column + offset;
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '')} (line ${l}, column ${c})`;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_SQUARE = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

/** The entry being read: its text so far (dropped once it is refused). */
interface Pending {
  readonly line: number;
  readonly column: number;
  parts: string[];
  length: number;
  refused?: string;
}

/**
 * Splits text into entries, one character at a time and never looking back: line ends
 * (`\n`, `\r\n`, or a lone `\r`) are counted, strings and brackets are followed to find an
 * array element's end and its depth, and each entry's text is kept as the chunk slices it
 * spans, joined once at its end.
 */
class EntryScanner {
  format: FileFormat | undefined;
  line = 1;
  column = 0;
  private index = 0;
  private afterCr = false;
  private atStart = true;
  private started = false;
  private ended = false;
  private trailingReported = false;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private pending: Pending | undefined;
  private out: FileEntry[] = [];

  constructor(private readonly onFormat?: (format: FileFormat) => void) {}

  /** The entries that end in `text`. */
  feed(text: string): FileEntry[] {
    let from = 0;
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) from = 1;
    }
    if (this.format === undefined) {
      const first = /[^ \t\r\n]/.exec(from > 0 ? text.slice(from) : text);
      if (!first) {
        this.scan(text, from, text.length, true);
        return this.take();
      }
      const at = from + first.index;
      this.scan(text, from, at, true);
      this.format = text.charCodeAt(at) === OPEN_SQUARE ? 'array' : 'lines';
      this.onFormat?.(this.format);
      from = at;
    }
    this.scan(text, from, text.length, this.format === 'lines');
    return this.take();
  }

  /** The entries left when the text ends. */
  end(): FileEntry[] {
    if (this.format === 'array' && !this.ended) {
      const entry = this.finish('');
      this.out.push(entry ? { ...entry, error: entry.error ?? 'The JSON array is not closed with "]".' } : this.problem('The JSON array is not closed with "]".'));
    } else if (this.format === 'lines') {
      const entry = this.finish('');
      if (entry) this.out.push(entry);
    }
    return this.take();
  }

  /** Ends the file early with `message` at the current position, in place of the entry being read. */
  fail(message: string): FileEntry {
    this.pending = undefined;
    return this.problem(message, this.column + 1);
  }

  private take(): FileEntry[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private problem(error: string, column = this.column): FileEntry {
    return { index: this.index++, line: this.line, column, length: 0, error };
  }

  private scan(text: string, from: number, to: number, lines: boolean): void {
    let start = this.pending ? from : -1;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        if (!(c === LF && this.afterCr)) {
          this.line++;
          this.column = 0;
        }
        this.afterCr = c === CR;
        if (lines) {
          this.endLine(text, start, i);
          start = -1;
        }
        continue;
      }
      this.afterCr = false;
      this.column++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (!lines && !this.arrayStructure(c, text, start, i)) {
        if (!this.pending) start = -1;
        continue;
      }
      if (!this.pending) {
        if (c === SPACE || c === TAB) continue;
        this.pending = { line: this.line, column: this.column, parts: [], length: 0 };
        start = i;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_CURLY || c === OPEN_SQUARE) {
        if (++this.depth > MAX_ENTRY_DEPTH) this.refuse(TOO_DEEP);
      } else if (c === CLOSE_CURLY || c === CLOSE_SQUARE) this.depth--;
    }
    if (this.pending && start >= 0) this.keep(text.slice(start, to));
  }

  /**
   * What a character means around the array's entries; false when it was taken here (the
   * array's brackets, the commas between entries, text after the array).
   */
  private arrayStructure(c: number, text: string, start: number, i: number): boolean {
    if (this.ended) {
      if (!this.trailingReported && c !== SPACE && c !== TAB) {
        this.trailingReported = true;
        this.out.push(this.problem('Unexpected text after the end of the JSON array.'));
      }
      return false;
    }
    if (!this.started) {
      if (c === OPEN_SQUARE) this.started = true;
      return false;
    }
    if (this.depth !== 0 || (c !== COMMA && c !== CLOSE_SQUARE)) return true;
    const entry = this.finish(this.pending && start >= 0 ? text.slice(start, i) : '');
    if (entry) this.out.push(entry);
    else if (c === COMMA) this.out.push(this.problem('Empty entry: two commas in a row, or a comma right after "[".'));
    if (c === CLOSE_SQUARE) this.ended = true;
    return false;
  }

  private endLine(text: string, start: number, i: number): void {
    const entry = this.finish(this.pending && start >= 0 ? text.slice(start, i) : '');
    if (entry) this.out.push(entry);
    this.inString = false;
    this.escaped = false;
  }

  private keep(part: string): void {
    const pending = this.pending;
    if (!pending) return;
    pending.length += part.length;
    if (pending.refused !== undefined) return;
    if (pending.length > MAX_ENTRY_CHARS) this.refuse(TOO_LONG);
    else pending.parts.push(part);
  }

  private refuse(reason: string): void {
    if (!this.pending || this.pending.refused !== undefined) return;
    this.pending.refused = reason;
    this.pending.parts = [];
  }

  /** The entry read so far, ending with `last`; undefined when there was none. */
  private finish(last: string): FileEntry | undefined {
    this.keep(last);
    const pending = this.pending;
    this.pending = undefined;
    this.depth = 0;
    if (!pending) return undefined;
    const entry = { index: this.index++, line: pending.line, column: pending.column, length: pending.length };
    if (pending.refused !== undefined) return { ...entry, error: pending.refused };
    const text = pending.parts.join('');
    try {
      return { ...entry, value: JSON.parse(text) as unknown };
    } catch (err) {
      const trimmed = text.trim();
      const hint = this.format === 'lines' && /^[^"{[\d\-tfn]/.test(trimmed) ? ' (write a text body as a JSON string: "like this")' : '';
      return { ...entry, error: `Not valid JSON: ${jsonError(err, trimmed, pending.line, pending.column)}${hint}`, text: trimmed };
    }
  }
}

/** Bytes to text, checked: well-formed UTF-8 only, a sequence cut between chunks carried over. */
class Utf8Chunks {
  /** Bytes of the file before `carry`. */
  private offset = 0;
  private carry = new Uint8Array(0);
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  /** The text of the chunk, and the file offset of its first ill-formed byte, if any. */
  decode(chunk: Uint8Array): { text: string; invalidAt?: number } {
    let bytes = chunk;
    if (this.carry.length > 0) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
    }
    const bad = invalidUtf8Offset(bytes, false);
    if (bad >= 0) return { text: this.decoder.decode(bytes.subarray(0, bad)), invalidAt: this.offset + bad };
    const whole = bytes.length - cutSequenceLength(bytes);
    this.carry = bytes.slice(whole);
    this.offset += whole;
    return { text: this.decoder.decode(bytes.subarray(0, whole)) };
  }

  /** The file offset of a sequence cut by the end of the file, if any. */
  end(): number | undefined {
    return this.carry.length > 0 ? this.offset : undefined;
  }
}

/** How many bytes at the end of `bytes` start a sequence that the next chunk completes. */
function cutSequenceLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= Math.max(0, n - 3); i--) {
    const b = bytes[i];
    if (b < 0x80) return 0;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return n - i < length ? n - i : 0;
    }
  }
  return 0;
}

function notUtf8(offset: number, scanner: EntryScanner): string {
  return `The file is not valid UTF-8: byte offset ${offset.toLocaleString('en-US')} (line ${scanner.line}); nothing after it was read.`;
}

/**
 * Yields the file's entries in order. `format` is known after the first non-blank character:
 * `[` starts a JSON array, anything else is JSON Lines. `onFormat` is told which. A UTF-8
 * byte-order mark is skipped; bytes that are not UTF-8 end the file with an entry that says
 * where they are.
 */
export async function* readMessageFile(chunks: FileChunks, onFormat?: (format: FileFormat) => void): AsyncGenerator<FileEntry> {
  const scanner = new EntryScanner(onFormat);
  const utf8 = new Utf8Chunks();
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      yield* scanner.feed(chunk);
      continue;
    }
    const { text, invalidAt } = utf8.decode(chunk);
    yield* scanner.feed(text);
    if (invalidAt !== undefined) {
      yield scanner.fail(notUtf8(invalidAt, scanner));
      return;
    }
  }
  const cut = utf8.end();
  if (cut !== undefined) {
    yield scanner.fail(notUtf8(cut, scanner));
    return;
  }
  yield* scanner.end();
}
