/** A Query-protocol client for tests: form-encoded requests, and a small reader of SQS's XML answers. */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    const named = ENTITIES[ref];
    if (named === undefined) throw new Error(`unknown entity ${whole}`);
    return named;
  });
}

/**
 * Parses an XML document as an XML parser would: a literal CR or CR LF in text becomes LF
 * (XML 1.0 §2.11), so a server that does not escape CR loses it here as in a real client.
 */
export function parseXml(xml: string): XmlElement {
  const source = xml.replace(/\r\n?/g, '\n').replace(/^<\?xml[^?]*\?>/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = tag.exec(source)) !== null) {
    if (m.index !== consumed) throw new Error(`malformed XML at ${consumed}: ${source.slice(consumed, consumed + 40)}`);
    consumed = tag.lastIndex;
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.text += decodeEntities(m[5]);
    } else if (m[1] === '/') {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attributes: Record<string, string> = {};
      for (const a of m[3].matchAll(/([\w:.-]+)="([^"]*)"/g)) attributes[a[1]] = decodeEntities(a[2]);
      const el: XmlElement = { name: m[2], attributes, children: [], text: '' };
      top.children.push(el);
      if (m[4] !== '/') stack.push(el);
    }
  }
  if (consumed !== source.length || stack.length !== 1) throw new Error('XML document ended early');
  if (root.children.length !== 1) throw new Error('an XML document has one root element');
  return root.children[0];
}

/** The elements at a path of child names (`ReceiveMessageResult/Message`). */
export function all(el: XmlElement, path: string): XmlElement[] {
  let level = [el];
  for (const name of path.split('/')) level = level.flatMap((e) => e.children.filter((c) => c.name === name));
  return level;
}

/** The text of the one element at a path; throws when there is none. */
export function text(el: XmlElement, path: string): string {
  const found = all(el, path);
  if (found.length !== 1) throw new Error(`${path}: ${found.length} elements in <${el.name}>`);
  return found[0].text;
}

/** `Attribute`/`Tag` pairs of a result as an object. */
export function pairs(el: XmlElement, path: string, key = 'Name', value = 'Value'): Record<string, string> {
  return Object.fromEntries(all(el, path).map((e) => [text(e, key), text(e, value)]));
}

export interface QueryAnswer {
  status: number;
  headers: Headers;
  raw: string;
  xml: XmlElement;
}

/** Sends Query parameters as a form-encoded POST (or a GET query string) to the endpoint or a queue's path. */
export async function query(
  endpoint: string,
  params: Record<string, string | number>,
  options: { path?: string; method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
): Promise<QueryAnswer> {
  const form = new URLSearchParams({ Version: '2012-11-05', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) }).toString();
  const path = options.path ?? '/';
  const res =
    options.method === 'GET'
      ? await fetch(`${endpoint}${path}?${form}`, { headers: options.headers })
      : await fetch(endpoint + path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', ...options.headers }, body: form });
  const raw = await res.text();
  return { status: res.status, headers: res.headers, raw, xml: parseXml(raw) };
}

/** The Query error of an answer: its type, code and message. */
export function queryError(answer: QueryAnswer): { type: string; code: string; message: string } {
  if (answer.xml.name !== 'ErrorResponse') throw new Error(`not an error: <${answer.xml.name}>`);
  return { type: text(answer.xml, 'Error/Type'), code: text(answer.xml, 'Error/Code'), message: text(answer.xml, 'Error/Message') };
}
