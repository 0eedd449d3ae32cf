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
  });

  it('reads Number values as the SQS grammar does: sign, digits, one point, exponent', () => {
    for (const ok of ['0', '+7', '-0.5', '.5', '5.', '1e5', '1E-5', '-1.25e+10', '  42  ', '00012.3400']) assert.equal(numberValueProblem(ok), undefined, ok);
    for (const bad of ['', '-', '.', 'e5', '1e', '1e+', '1.2.3', '1,5', '0x10', '١٢', 'NaN', 'Infinity', '1 2']) assert.ok(numberValueProblem(bad), `"${bad}" is refused`);
    assert.equal(numberValueProblem(`1${'0'.repeat(60)}`), undefined, 'trailing zeros are not significant');
    assert.equal(numberValueProblem(`0.${'0'.repeat(50)}${'9'.repeat(38)}`), undefined, 'leading zeros are not significant');
    assert.equal(numberValueProblem(`1.${'0'.repeat(36)}1`), undefined, '38 significant digits, the point between them not counted');
    assert.ok(numberValueProblem(`1.${'0'.repeat(37)}1`), '39 significant digits are too many');
  });

  it('answers at once for Number values of 80,000 digits (no backtracking), naming only their start', () => {
    const longBad = `${'1'.repeat(80_000)}x`;
    const problem = numberValueProblem(longBad);
    assert.ok(problem?.startsWith(`"${'1'.repeat(40)}…" is not a number.`), problem?.slice(0, 80));
    assert.equal(numberValueProblem(`1${'0'.repeat(80_000)}1`), 'Number values may have at most 38 significant digits.');
    assert.equal(numberValueProblem(`1${'0'.repeat(80_000)}`), 'Number values must lie between -10^128 and 10^126.');
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
