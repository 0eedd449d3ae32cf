/**
 * Reads a batch-send file as a stream: a JSON array of entries, or NDJSON / JSON Lines with
 * one entry per line. Each entry comes with its position (array index or line, and the line
 * and column where it starts), so every problem can be reported where it is. Memory stays
 * bounded by the largest entry, not the file.
 */

export interface FileEntry {
  /** 0-based position of the entry in the file. */
  readonly index: number;
  /** 1-based line and column where the entry starts. */
  readonly line: number;
  readonly column: number;
  /** The parsed JSON value, when it parsed. */
  readonly value?: unknown;
  /** Why the entry could not be read. */
  readonly error?: string;
  /** The entry's own text, when it is not valid JSON: kept so that it can be mended and sent again. */
  readonly text?: string;
}

export type FileFormat = 'array' | 'lines';

/** Where the entry is, as a user reads it: `line 12` (JSON Lines) or `entry 4 (line 12)` (array). */
export function describePosition(entry: Pick<FileEntry, 'index' | 'line'>, format: FileFormat): string {
  return format === 'lines' ? `line ${entry.line}` : `entry ${entry.index} (line ${entry.line})`;
}

function jsonError(err: unknown, text: string, line: number, column: number): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const offset = Number(at[1]);
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const l = line + (before.match(/\n/g)?.length ?? 0);
  const c = nl >= 0 ? offset - nl : column + offset;
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '')} (line ${l}, column ${c})`;
}

/**
 * Yields the file's entries in order. `format` is known after the first non-blank character:
 * `[` starts a JSON array, anything else is JSON Lines. `onFormat` is told which.
 */
export async function* readMessageFile(chunks: AsyncIterable<string> | Iterable<string>, onFormat?: (format: FileFormat) => void): AsyncGenerator<FileEntry> {
  let format: FileFormat | undefined;
  let line = 1;
  let column = 0;
  let index = 0;
  // JSON Lines state
  let pending = '';
  let pendingLine = 1;
  // Array state
  let started = false;
  let ended = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element: string[] = [];
  let elementLine = 0;
  let elementColumn = 0;
  let elementHasContent = false;
  let trailingReported = false;

  const finishElement = (): FileEntry | undefined => {
    const text = element.join('');
    element = [];
    if (!elementHasContent) return undefined;
    elementHasContent = false;
    const entry = { index: index++, line: elementLine, column: elementColumn };
    try {
      return { ...entry, value: JSON.parse(text) as unknown };
    } catch (err) {
      return { ...entry, error: `Not valid JSON: ${jsonError(err, text.trimStart(), elementLine, elementColumn)}`, text: text.trim() };
    }
  };

  const lineEntry = (text: string, at: number): FileEntry | undefined => {
    const trimmed = text.replace(/\r$/, '');
    if (trimmed.trim() === '') return undefined;
    const entry = { index: index++, line: at, column: 1 };
    try {
      return { ...entry, value: JSON.parse(trimmed) as unknown };
    } catch (err) {
      const hint = /^\s*[^"{[\d\-tfn]/.test(trimmed) ? ' (write a text body as a JSON string: "like this")' : '';
      return { ...entry, error: `Not valid JSON: ${jsonError(err, trimmed, at, 1)}${hint}`, text: trimmed };
    }
  };

  for await (const piece of chunks) {
    let chunk = piece;
    if (format === undefined) {
      const first = /\S/.exec(chunk);
      if (!first) {
        pending += chunk;
        continue;
      }
      format = chunk[first.index] === '[' ? 'array' : 'lines';
      onFormat?.(format);
      if (format === 'array') {
        chunk = pending + chunk;
        pending = '';
      }
    }
    if (format === 'lines') {
      const text = pending + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const entry = lineEntry(text.slice(start, nl), pendingLine);
        if (entry) yield entry;
        pendingLine++;
        start = nl + 1;
      }
      pending = text.slice(start);
      continue;
    }
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (ch === '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
      if (ended) {
        if (!trailingReported && !/\s/.test(ch)) {
          trailingReported = true;
          yield { index: index++, line, column, error: 'Unexpected text after the end of the JSON array.' };
        }
        continue;
      }
      if (!started) {
        if (ch === '[') started = true;
        continue;
      }
      if (inString) {
        element.push(ch);
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (depth === 0 && (ch === ',' || ch === ']')) {
        if (ch === ',' && !elementHasContent) {
          yield { index: index++, line, column, error: 'Empty entry: two commas in a row, or a comma right after "[".' };
          continue;
        }
        const entry = finishElement();
        if (entry) yield entry;
        if (ch === ']') ended = true;
        continue;
      }
      if (!elementHasContent && /\s/.test(ch)) continue;
      if (!elementHasContent) {
        elementHasContent = true;
        elementLine = line;
        elementColumn = column;
      }
      element.push(ch);
      if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth--;
    }
  }
  if (format === 'lines' || format === undefined) {
    const entry = lineEntry(pending, pendingLine);
    if (entry) yield entry;
    return;
  }
  if (!ended) {
    const entry = finishElement();
    if (entry) yield { ...entry, error: entry.error ?? 'The JSON array is not closed with "]".' };
    else yield { index: index++, line, column, error: 'The JSON array is not closed with "]".' };
  }
}
