import * as assert from 'node:assert/strict';
import {
  attributeNameProblem,
  attributesSize,
  firstInvalidCharacter,
  isValidBatchEntryId,
  isValidDataType,
  isValidFifoId,
  numberValueProblem,
  queueNameProblem,
} from '../../src/model/sqsLimits';

describe('SQS limits', () => {
  it('checks queue names', () => {
    assert.equal(queueNameProblem('orders'), undefined);
    assert.equal(queueNameProblem('orders.fifo'), undefined);
    assert.equal(queueNameProblem('a'.repeat(80)), undefined);
    assert.match(queueNameProblem('a'.repeat(81)) ?? '', /at most 80/);
    assert.ok(queueNameProblem(''));
    assert.ok(queueNameProblem('with.dot'));
    assert.ok(queueNameProblem('.fifo'));
    assert.ok(queueNameProblem('ümlaut'));
  });

  it('finds the first character SQS refuses, allowing astral-plane characters', () => {
    assert.equal(firstInvalidCharacter('plain \t\r\n text 🚀 \uE000 \uFFFD'), undefined);
    assert.deepEqual(firstInvalidCharacter('ab\u0000'), { index: 2, codePoint: 0 });
    assert.deepEqual(firstInvalidCharacter('\u001f'), { index: 0, codePoint: 0x1f });
    assert.deepEqual(firstInvalidCharacter('x\uFFFE'), { index: 1, codePoint: 0xfffe });
    assert.equal(firstInvalidCharacter('lone \uD800 surrogate')?.index, 5);
    assert.equal(firstInvalidCharacter('lone \uDC00')?.index, 5);
  });

  it('checks attribute names', () => {
    assert.equal(attributeNameProblem('trace.id'), undefined);
    assert.equal(attributeNameProblem('a_b-c.d'), undefined);
    for (const bad of ['', 'AWS.x', 'aws.x', 'Amazon.y', '.a', 'a.', 'a..b', 'a b', 'ä', 'x'.repeat(257)]) {
      assert.ok(attributeNameProblem(bad), bad);
    }
  });

  it('checks data types, numbers, batch ids and FIFO ids', () => {
    assert.ok(isValidDataType('String'));
    assert.ok(isValidDataType('Number.float'));
    assert.ok(isValidDataType('Binary.png'));
    assert.ok(!isValidDataType('string'));
    assert.ok(!isValidDataType('Number.'));
    assert.equal(numberValueProblem('-12.5e3'), undefined);
    assert.equal(numberValueProblem('0.000000000000000000000000000000000000000000001'), undefined);
    assert.ok(numberValueProblem('12abc'));
    assert.ok(numberValueProblem('1'.repeat(39)));
    assert.ok(numberValueProblem('1e127'));
    assert.ok(isValidBatchEntryId('a'.repeat(80)));
    assert.ok(!isValidBatchEntryId('a'.repeat(81)));
    assert.ok(!isValidBatchEntryId('a.b'));
    assert.ok(isValidFifoId('order-1:step/2!'));
    assert.ok(!isValidFifoId('has space'));
    assert.ok(!isValidFifoId('x'.repeat(129)));
  });

  it('counts attribute sizes in UTF-8 bytes of name, type and value', () => {
    assert.equal(attributesSize(undefined), 0);
    assert.equal(attributesSize({ ab: { DataType: 'String', StringValue: 'é' } }), 2 + 6 + 2);
    assert.equal(attributesSize({ b: { DataType: 'Binary', BinaryValue: new Uint8Array(5) } }), 1 + 6 + 5);
  });
});
