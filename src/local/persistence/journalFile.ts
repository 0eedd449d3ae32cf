import * as fs from 'node:fs';

/** CRC-32 (IEEE), to tell a damaged journal line from a whole one. */
const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(text: string): string {
  return crc32Of(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text, 'utf8'));
}

/** The checksum of `bytes[start, end)`, as 8 hex digits. */
function crc32Of(bytes: Buffer, start: number, end: number): string {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ((c ^ -1) >>> 0).toString(16).padStart(8, '0');
}

/** One line of a data file: a checksum, a tab, the record's JSON. */
export function encodeLine(record: unknown): string {
  const json = JSON.stringify(record);
  return `${crc32(json)}\t${json}\n`;
}

/** Where a data file broke, for the log. */
export interface FileDamage {
  file: string;
  line: number;
  byteOffset: number;
  reason: string;
}

export interface ReadResult<T> {
  records: T[];
  /** Lines that failed their checksum or did not parse, skipped. */
  damaged: FileDamage[];
  /** An unfinished last line (a write cut short by a crash), dropped. */
  tornTail: { byteOffset: number; bytes: number } | undefined;
  bytes: number;
}

/** Reads every whole, intact record of a data file; damaged lines are skipped and reported, never thrown. */
export function readDataFile<T>(file: string): ReadResult<T> {
  const result: ReadResult<T> = { records: [], damaged: [], tornTail: undefined, bytes: 0 };
  if (!fs.existsSync(file)) return result;
  const data = fs.readFileSync(file);
  result.bytes = data.length;
  let start = 0;
  let line = 1;
  while (start < data.length) {
    const end = data.indexOf(0x0a, start);
    if (end < 0) {
      result.tornTail = { byteOffset: start, bytes: data.length - start };
      break;
    }
    let reason: string | undefined;
    if (end - start < 9 || data[start + 8] !== 0x09) reason = 'no checksum at the start of the line';
    else if (crc32Of(data, start + 9, end) !== data.toString('latin1', start, start + 8)) reason = 'checksum mismatch (the line was changed or partly overwritten)';
    else {
      try {
        result.records.push(JSON.parse(data.toString('utf8', start + 9, end)) as T);
      } catch (err) {
        reason = `not JSON (${err instanceof Error ? err.message : String(err)})`;
      }
    }
    if (reason) result.damaged.push({ file, line, byteOffset: start, reason });
    start = end + 1;
    line++;
  }
  return result;
}

/** Writes a whole file durably: to a temporary name, fsync, rename over the old one, fsync the directory. */
export function writeFileDurably(file: string, chunks: Iterable<string>): number {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  let bytes = 0;
  try {
    let pending: string[] = [];
    let pendingLength = 0;
    const flush = (): void => {
      if (pending.length === 0) return;
      const buffer = Buffer.from(pending.join(''), 'utf8');
      fs.writeSync(fd, buffer);
      bytes += buffer.length;
      pending = [];
      pendingLength = 0;
    };
    for (const chunk of chunks) {
      pending.push(chunk);
      pendingLength += chunk.length;
      if (pendingLength > 1 << 20) flush();
    }
    flush();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  syncDirectory(file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))));
  return bytes;
}

/** Makes a rename or a new file in `dir` survive a crash (a no-op where directories cannot be opened). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; its renames are durable without it.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
