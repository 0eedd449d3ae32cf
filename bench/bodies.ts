/**
 * A distinct message body of exactly `bytes` ASCII characters, `<tag>-<index>-xxxx…`.
 * It is one flat string, as a body parsed from a request would be, rather than a
 * concatenation sharing its padding with every other body (which would understate memory).
 */
export function messageBody(tag: string, index: number, bytes: number): string {
  const head = `${tag}-${index}-`;
  if (head.length > bytes) throw new Error(`A body of ${bytes} bytes cannot hold "${head}".`);
  const buffer = Buffer.alloc(bytes, 'x');
  buffer.write(head, 0, 'latin1');
  return buffer.toString('latin1');
}
