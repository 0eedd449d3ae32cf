/**
 * Idempotency keys: where a message carries the key its consumer deduplicates on. Paths come
 * from the setting `sqsWorkbench.idempotencyKeyPaths`; the first path that yields a value
 * wins. A path is a dot path into a JSON body (`order.idempotencyKey`, `items[0].id`),
 * `attr:Name` for a message attribute, or `dedupId` for the FIFO deduplication id.
 */

export type KeyPath =
  | { readonly kind: 'json'; readonly source: string; readonly segments: readonly (string | number)[] }
  | { readonly kind: 'attribute'; readonly source: string; readonly name: string }
  | { readonly kind: 'dedupId'; readonly source: string };

export const DEFAULT_KEY_PATHS = ['idempotencyKey', 'idempotency_key', 'idempotency-key', 'metadata.idempotencyKey', 'attr:idempotencyKey', 'attr:idempotency_key', 'dedupId'];

/** Parses the setting; a path it cannot read is named in `problems` and left out. */
export function parseKeyPaths(paths: readonly string[]): { paths: KeyPath[]; problems: string[] } {
  const out: KeyPath[] = [];
  const problems: string[] = [];
  for (const source of paths) {
    const text = source.trim();
    if (text === 'dedupId') {
      out.push({ kind: 'dedupId', source: text });
    } else if (text.startsWith('attr:')) {
      const name = text.slice(5).trim();
      if (name) out.push({ kind: 'attribute', source: text, name });
      else problems.push(`"${source}": attr: needs an attribute name.`);
    } else {
      const segments: (string | number)[] = [];
      let ok = text.length > 0;
      for (const part of text.split('.')) {
        const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
        if (!m || (m[1] === '' && m[2] === '')) {
          ok = false;
          break;
        }
        if (m[1] !== '') segments.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
        for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
      }
      if (ok) out.push({ kind: 'json', source: text, segments });
      else problems.push(`"${source}" is not a dot path such as order.idempotencyKey or items[0].id.`);
    }
  }
  return { paths: out, problems };
}

export interface KeySource {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, { readonly StringValue?: string; readonly BinaryValue?: Uint8Array }>>;
  readonly dedupId?: string;
}

/** A key found in a message, and the path that found it. */
export interface FoundKey {
  readonly key: string;
  readonly path: string;
}

function scalarToKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * The message's idempotency key by the first path that yields a non-empty scalar, or
 * undefined. A body that is not JSON simply has no JSON paths; it never throws.
 */
export function extractIdempotencyKey(message: KeySource, paths: readonly KeyPath[]): FoundKey | undefined {
  let parsed: unknown;
  let parsedOnce = false;
  for (const path of paths) {
    if (path.kind === 'dedupId') {
      if (message.dedupId) return { key: message.dedupId, path: path.source };
    } else if (path.kind === 'attribute') {
      const value = message.attributes?.[path.name]?.StringValue;
      if (value) return { key: value, path: path.source };
    } else {
      if (!parsedOnce) {
        parsedOnce = true;
        const first = message.body.trimStart()[0];
        if (first === '{' || first === '[') {
          try {
            parsed = JSON.parse(message.body) as unknown;
          } catch {
            parsed = undefined;
          }
        }
      }
      if (parsed === undefined) continue;
      let node: unknown = parsed;
      for (const segment of path.segments) {
        if (node === null || typeof node !== 'object') {
          node = undefined;
          break;
        }
        node = Array.isArray(node) ? (typeof segment === 'number' ? node[segment] : undefined) : (node as Record<string, unknown>)[String(segment)];
      }
      const key = scalarToKey(node);
      if (key !== undefined) return { key, path: path.source };
    }
  }
  return undefined;
}
