import * as assert from 'node:assert/strict';
import { md5Hex, md5OfAttributes } from '../../src/local/md5';

describe('MD5 of message attributes', () => {
  it('is undefined without attributes and independent of insertion order', () => {
    assert.equal(md5OfAttributes({}), undefined);
    const a = md5OfAttributes({ x: { DataType: 'String', StringValue: '1' }, y: { DataType: 'Number', StringValue: '2' } });
    const b = md5OfAttributes({ y: { DataType: 'Number', StringValue: '2' }, x: { DataType: 'String', StringValue: '1' } });
    assert.equal(a, b);
  });

  it('matches the documented encoding byte for byte', () => {
    // name "a", type "String", transport 1, value "é" (2 UTF-8 bytes)
    const bytes = Buffer.from([0, 0, 0, 1, 0x61, 0, 0, 0, 6, ...Buffer.from('String'), 1, 0, 0, 0, 2, 0xc3, 0xa9]);
    assert.equal(md5OfAttributes({ a: { DataType: 'String', StringValue: 'é' } }), md5Hex(bytes));
    const binary = Buffer.from([0, 0, 0, 1, 0x62, 0, 0, 0, 6, ...Buffer.from('Binary'), 2, 0, 0, 0, 2, 7, 9]);
    assert.equal(md5OfAttributes({ b: { DataType: 'Binary', BinaryValue: Buffer.from([7, 9]) } }), md5Hex(binary));
  });
});
