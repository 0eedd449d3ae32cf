import { createHash } from 'node:crypto';

/** A message attribute as it travels in the JSON protocol, binary values decoded. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5 of message attributes as SQS computes it: sorted by name, each written as
 * length-prefixed name, length-prefixed type, a transport byte (1 string/number, 2 binary)
 * and the length-prefixed value; lengths are 4-byte big-endian counts of UTF-8 bytes.
 */
export function md5OfAttributes(attributes: Record<string, StoredAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const prefixed = (bytes: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length, 0);
    hash.update(len);
    hash.update(bytes);
  };
  for (const name of names) {
    const attr = attributes[name];
    prefixed(Buffer.from(name, 'utf8'));
    prefixed(Buffer.from(attr.DataType, 'utf8'));
    if (attr.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      prefixed(attr.BinaryValue);
    } else {
      hash.update(Buffer.from([1]));
      prefixed(Buffer.from(attr.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
