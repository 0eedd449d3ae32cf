import * as assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { MAX_ENTRY_DEPTH, readMessageFile, type FileChunks, type FileEntry, type FileFormat } from '../../src/model/messageFile';
import { checkMessageFile } from '../../src/sqs/batchFile';

const MiB = 1024 * 1024;
const LIMITS = { fifo: false, contentBasedDeduplication: false, maximumMessageSize: 1_048_576 };

/** Writes `parts` to a new file in the system's temporary folder; a part that is a number is that many `x`. */
async function tempFile(dir: string, name: string, parts: (string | number)[]): Promise<string> {
  const file = path.join(dir, name);
  const out = createWriteStream(file);
  const block = 'x'.repeat(MiB);
  for (const part of parts) {
    const pieces = typeof part === 'string' ? [part] : Array.from({ length: Math.ceil(part / MiB) }, (_, i) => block.slice(0, Math.min(MiB, part - i * MiB)));
    for (const piece of pieces) if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return file;
}

/** Reads a file as Batch Send does (bytes), with the heap's growth over the run and the time it took. */
async function readFile(file: string): Promise<{ entries: FileEntry[]; heapGrowth: number; ms: number }> {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  async function* sampled(): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      yield chunk;
    }
  }
  const started = performance.now();
  const entries: FileEntry[] = [];
  for await (const e of readMessageFile(sampled())) entries.push(e);
  return { entries, heapGrowth: peak - before, ms: performance.now() - started };
}

async function readChunks(chunks: FileChunks): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for await (const e of readMessageFile(chunks)) entries.push(e);
  return entries;
}

async function read(text: string, chunkSize = 7): Promise<{ entries: FileEntry[]; format: FileFormat | undefined }> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  let format: FileFormat | undefined;
  const entries: FileEntry[] = [];
  for await (const e of readMessageFile(chunks, (f) => (format = f))) entries.push(e);
  return { entries, format };
}

describe('message file reader', () => {
  it('reads a JSON array across chunk boundaries, with positions', async () => {
    const text = '[\n  "plain",\n  {"body": {"a": [1, "x,]"]}, "id": "b"},\n  {"body": "esc \\" ]"}\n]\n';
    for (const size of [1, 3, 7, 1000]) {
      const { entries, format } = await read(text, size);
      assert.equal(format, 'array');
      assert.deepEqual(entries.map((e) => e.value), ['plain', { body: { a: [1, 'x,]'] }, id: 'b' }, { body: 'esc " ]' }]);
      assert.deepEqual(entries.map((e) => [e.index, e.line, e.column]), [[0, 2, 3], [1, 3, 3], [2, 4, 3]]);
    }
  });

  it('reads JSON Lines, skipping blank lines and keeping line numbers', async () => {
    const { entries, format } = await read('{"body":"a"}\n\n"b"\r\n{"body":"c"}');
    assert.equal(format, 'lines');
    assert.deepEqual(entries.map((e) => [e.line, e.value]), [[1, { body: 'a' }], [3, 'b'], [4, { body: 'c' }]]);
  });

  it('reports a bad line with its position and a hint, and goes on', async () => {
    const { entries } = await read('{"body":"a"}\nhello world\n{"body": "c",}\n"d"\n');
    assert.equal(entries.length, 4);
    assert.equal(entries[1].line, 2);
    assert.match(entries[1].error ?? '', /Not valid JSON.*write a text body as a JSON string/);
    assert.equal(entries[2].line, 3);
    assert.match(entries[2].error ?? '', /line 3, column \d+/);
    assert.equal(entries[3].value, 'd');
  });

  it('reports a bad array element and an unclosed array', async () => {
    const bad = await read('[{"body": "a"}, {"body": nope}, "c"]');
    assert.deepEqual(bad.entries.map((e) => (e.error ? 'error' : e.value)), [{ body: 'a' }, 'error', 'c']);
    const open = await read('["a", "b"');
    assert.equal(open.entries.length, 2);
    assert.match(open.entries[1].error ?? '', /not closed/);
    const empty = await read('["a",,"b"]');
    assert.match(empty.entries[1].error ?? '', /Empty entry/);
    const trailing = await read('["a"] x');
    assert.match(trailing.entries[1].error ?? '', /after the end/);
  });

  it('reads 100,000 lines with memory that does not grow with the file', async () => {
    function* lines(n: number): Generator<string> {
      for (let i = 0; i < n; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++) chunk += `{"body":"message ${j} ${'x'.repeat(200)}"}\n`;
        yield chunk;
      }
    }
    let count = 0;
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    for await (const e of readMessageFile(lines(100_000))) {
      if (e.value !== undefined) count++;
      if (count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    assert.equal(count, 100_000);
    // The file is about 21 MB; the reader holds one chunk and one entry at a time.
    assert.ok(peak - before < 64 * 1024 * 1024, `heap grew by ${((peak - before) / 1e6).toFixed(1)} MB`);
  }).timeout(30_000);

  describe('hostile input', () => {
    let dir = '';
    before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'sqs-batch-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const [format, parts] of [
      ['JSON Lines', ['{"body":"a"}\n{"body":"', 64 * MiB, '"}\n{"body":"c"}\n']],
      ['JSON array', ['[\n{"body":"a"},\n{"body":"', 64 * MiB, '"},\n{"body":"c"}\n]\n']],
    ] as const) {
      it(`refuses a 64 MiB entry in a ${format} file at its line, naming the limit, in bounded memory`, async () => {
        const file = await tempFile(dir, 'big', [...parts]);
        const { entries, heapGrowth, ms } = await readFile(file);
        rmSync(file);
        assert.deepEqual(entries.map((e) => [e.line, e.value ?? 'refused']), [[1 + (format === 'JSON array' ? 1 : 0), { body: 'a' }], [2 + (format === 'JSON array' ? 1 : 0), 'refused'], [3 + (format === 'JSON array' ? 1 : 0), { body: 'c' }]]);
        assert.match(entries[1].error ?? '', /longer than 4,194,304 characters .*at most 1,048,576 bytes/);
        assert.equal(entries[1].length, 64 * MiB + 11);
        assert.ok(heapGrowth < 64 * MiB, `heap grew by ${(heapGrowth / 1e6).toFixed(1)} MB`);
        assert.ok(ms < 20_000, `took ${ms.toFixed(0)} ms`);
      }).timeout(60_000);
    }

    it('reads an entry just under the bound and refuses one just past it', async () => {
      const body = (n: number): string => `{"body":"${'y'.repeat(n - 11)}"}`;
      const entries = await readChunks([`${body(4 * MiB)}\n${body(4 * MiB + 1)}\n`]);
      assert.deepEqual(entries.map((e) => [e.line, e.error === undefined]), [[1, true], [2, false]]);
    });

    it('skips a UTF-8 byte-order mark, in bytes and in text', async () => {
      const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
      const rest = new TextEncoder().encode('{"body":"a"}\n"b"\n');
      for (const chunks of [[bom, rest], [bom.subarray(0, 1), bom.subarray(1), rest], ['\ufeff[{"body":"a"},\n"b"]']]) {
        const entries = await readChunks(chunks);
        assert.deepEqual(entries.map((e) => [e.line, e.value]), [[1, { body: 'a' }], [2, 'b']]);
      }
    });

    it('takes a lone CR, LF and CRLF each as one line end', async () => {
      const text = '"a"\r"b"\n"c"\r\n"d"\r\r"f"\n\r"h" x\r';
      for (const size of [1, 2, 1000]) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        const entries = await readChunks(chunks);
        assert.deepEqual(entries.map((e) => [e.line, e.value ?? 'error']), [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [6, 'f'], [8, 'error']]);
      }
      const array = await readChunks(['[\r"a",\r\r"b",\r\n"c"]']);
      assert.deepEqual(array.map((e) => [e.line, e.value]), [[2, 'a'], [4, 'b'], [5, 'c']]);
    });

    it('names the line and byte offset of bytes that are not UTF-8, also across chunks', async () => {
      const good = new TextEncoder().encode('{"body":"é"}\n"b"\n"c');
      const bytes = new Uint8Array([...good, 0xff, ...new TextEncoder().encode('"\n"d"\n')]);
      for (const size of [1, 3, 64]) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
        const entries = await readChunks(chunks);
        assert.deepEqual(entries.map((e) => [e.line, e.value ?? 'error']), [[1, { body: 'é' }], [2, 'b'], [3, 'error']]);
        assert.match(entries[2].error ?? '', /not valid UTF-8: byte offset 20 \(line 3\)/);
      }
      const cut = await readChunks([Uint8Array.of(0x22, 0x61, 0xc3)]);
      assert.match(cut[0].error ?? '', /not valid UTF-8: byte offset 2 \(line 1\)/);
    });

    it('refuses one entry nested 10,000 deep and checks the rest of the file', async () => {
      const deep = `{"body":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const fine = `{"body":${'['.repeat(MAX_ENTRY_DEPTH - 1)}${']'.repeat(MAX_ENTRY_DEPTH - 1)}}`;
      for (const text of [`{"body":"a"}\n${deep}\n${fine}\n"d"\n`, `[{"body":"a"},\n${deep},\n${fine},\n"d"]`]) {
        const check = await checkMessageFile(() => [text], LIMITS);
        assert.deepEqual([check.entries, check.valid, check.invalid], [4, 3, 1]);
        assert.equal(check.problems[0].line, 2);
        assert.match(check.problems[0].message, /nested deeper than 1,000 levels/);
      }
    });

    it('keeps no cache between check and send for a file of many invalid entries', async () => {
      const line = `not json ${'z'.repeat(1000)}\n`;
      const check = await checkMessageFile(function* () {
        for (let i = 0; i < 20; i++) yield line.repeat(1000);
      }, LIMITS);
      assert.equal(check.invalid, 20_000);
      assert.equal(check.cached, undefined);
    });
  });
});
