import * as assert from 'node:assert/strict';
import { readMessageFile, type FileEntry, type FileFormat } from '../../src/model/messageFile';

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
});
