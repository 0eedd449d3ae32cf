// The inspector's filter: a small query language over received messages, parsed once and
// matched against each message. Dependency-free, so the page bundles it and plain Node
// tests it.
//
//   refund "out of stock"      words and phrases in the body or the message ID (any case)
//   order.status = "FAILED"    a JSON path of the body compared with a value
//   items[0].qty >= 2          =  !=  >  >=  <  <=  and ~ (contains, any case)
//   @eventType = OrderCreated  a message attribute (@name alone: it is present)
//   key:order-17               the idempotency key (key:* : the message has one)
//   state:held                 held, peeked, released, expired, deleted
//   is:flagged                 is:redelivered, is:duplicate
//   -state:deleted             a leading "-" negates a term
//
// Terms are joined by AND. A bare value after an operator is text; a quoted one or a JSON
// literal (42, true, null) is that JSON value.
import { MESSAGE_STATES } from './kinds';

/** What the filter reads of a message (the page's MessageView has all of it). */
export interface FilterableMessage {
  readonly messageId: string;
  readonly body: string;
  readonly state: string;
  readonly messageAttributes: Readonly<Record<string, { readonly type: string; readonly value: string }>>;
  readonly idempotencyKey?: string;
  readonly flags: { readonly redelivered?: number; readonly duplicateKey?: unknown };
}

export type FilterResult = { readonly ok: true; readonly filter: MessageFilter } | { readonly ok: false; readonly error: string };

const OPERATORS = ['!=', '>=', '<=', '=', '>', '<', '~'] as const;
type Operator = (typeof OPERATORS)[number];
const FLAGS = ['flagged', 'redelivered', 'duplicate'] as const;

type Token = { readonly kind: 'word'; readonly text: string; readonly quoted: boolean } | { readonly kind: 'op'; readonly op: Operator };

type Segment = string | number;

type Term =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly path: readonly Segment[]; readonly source: string; readonly op: Operator; readonly value: Value }
  | { readonly kind: 'attribute'; readonly name: string; readonly op?: Operator; readonly value?: Value }
  | { readonly kind: 'key'; readonly key: string | undefined }
  | { readonly kind: 'state'; readonly state: string }
  | { readonly kind: 'flag'; readonly flag: (typeof FLAGS)[number] };

/** A value to compare with: its JSON value, and its text for `~` and for attributes. */
interface Value {
  readonly json: unknown;
  readonly text: string;
}

interface Clause {
  readonly term: Term;
  readonly negated: boolean;
}

/** Per message object, its body parsed (or `NOT_JSON`) and lower-cased: a filter typed key by key reuses them. */
const NOT_JSON = Symbol('not JSON');
const parsedBodies = new WeakMap<object, unknown>();
const lowerTexts = new WeakMap<object, string>();

function parsedBody(m: FilterableMessage): unknown {
  if (parsedBodies.has(m)) return parsedBodies.get(m);
  let value: unknown = NOT_JSON;
  const body = m.body;
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      value = JSON.parse(body);
    } catch {
      value = NOT_JSON;
    }
  }
  parsedBodies.set(m, value);
  return value;
}

function lowerText(m: FilterableMessage): string {
  let text = lowerTexts.get(m);
  if (text === undefined) {
    text = `${m.messageId}\n${m.body}`.toLowerCase();
    lowerTexts.set(m, text);
  }
  return text;
}

/** A compiled filter: `matches` is called once per message on every redraw of the list. */
export class MessageFilter {
  constructor(
    private readonly clauses: readonly Clause[],
    readonly source: string,
  ) {}

  get empty(): boolean {
    return this.clauses.length === 0;
  }

  matches(m: FilterableMessage): boolean {
    for (const c of this.clauses) if (matchTerm(c.term, m) === c.negated) return false;
    return true;
  }
}

/** Parses a filter; an error names the term and what is wrong with it. */
export function parseFilter(source: string): FilterResult {
  const tokens = tokenize(source);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const clauses: Clause[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'op') return { ok: false, error: `"${token.op}" needs a JSON path or @attribute before it, as in order.status ${token.op} "FAILED".` };
    let text = token.text;
    let negated = false;
    if (!token.quoted && text.startsWith('-') && text.length > 1) {
      negated = true;
      text = text.slice(1);
    }
    const next = tokens[i + 1];
    if (!token.quoted && next?.kind === 'op') {
      const valueToken = tokens[i + 2];
      if (valueToken === undefined || valueToken.kind === 'op') return { ok: false, error: `"${text} ${next.op}" needs a value after "${next.op}".` };
      const value = toValue(valueToken);
      if ((next.op === '>' || next.op === '<' || next.op === '>=' || next.op === '<=') && typeof value.json !== 'number') {
        return { ok: false, error: `"${next.op}" compares numbers: "${valueToken.text}" is not a number.` };
      }
      i += 2;
      if (text.startsWith('@')) {
        const name = text.slice(1);
        if (name === '') return { ok: false, error: 'An attribute term needs a name after "@", as in @eventType = OrderCreated.' };
        clauses.push({ term: { kind: 'attribute', name, op: next.op, value }, negated });
        continue;
      }
      const path = parsePath(text);
      if (typeof path === 'string') return { ok: false, error: path };
      clauses.push({ term: { kind: 'path', path, source: text, op: next.op, value }, negated });
      continue;
    }
    const term = token.quoted ? ({ kind: 'text', text: text.toLowerCase() } as const) : wordTerm(text);
    if (typeof term === 'string') return { ok: false, error: term };
    clauses.push({ term, negated });
  }
  return { ok: true, filter: new MessageFilter(clauses, source) };
}

function wordTerm(text: string): Term | string {
  if (text.startsWith('@') && text.length > 1) return { kind: 'attribute', name: text.slice(1) };
  const colon = text.indexOf(':');
  if (colon > 0) {
    const field = text.slice(0, colon).toLowerCase();
    const value = text.slice(colon + 1);
    if (field === 'state') {
      const state = value.toLowerCase();
      if (!(MESSAGE_STATES as readonly string[]).includes(state)) return `state:${value}: the states are ${MESSAGE_STATES.join(', ')}.`;
      return { kind: 'state', state };
    }
    if (field === 'is') {
      const flag = FLAGS.find((f) => f === value.toLowerCase());
      if (!flag) return `is:${value}: use is:${FLAGS.join(', is:')}.`;
      return { kind: 'flag', flag };
    }
    if (field === 'key') {
      if (value === '') return 'key: needs the idempotency key after the colon (key:* for any key).';
      return { kind: 'key', key: value === '*' ? undefined : value };
    }
  }
  return { kind: 'text', text: text.toLowerCase() };
}

function toValue(token: Token & { kind: 'word' }): Value {
  if (token.quoted) return { json: token.text, text: token.text };
  if (token.text === 'true' || token.text === 'false' || token.text === 'null' || /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(token.text)) {
    return { json: JSON.parse(token.text) as unknown, text: token.text };
  }
  return { json: token.text, text: token.text };
}

/** `a.b[0].c`, `$.a.b`, `a["odd key"]` → segments. */
function parsePath(text: string): Segment[] | string {
  let rest = text.startsWith('$') ? text.slice(1) : text;
  const segments: Segment[] = [];
  const bad = `"${text}" is not a JSON path: write it as order.status, items[0].sku or a["odd key"].`;
  if (rest.startsWith('.')) rest = rest.slice(1);
  while (rest.length > 0) {
    const name = /^[^.[\]"]+/.exec(rest);
    if (name) {
      segments.push(name[0]);
      rest = rest.slice(name[0].length);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (quoted) {
        segments.push(JSON.parse(`"${quoted[1]}"`) as string);
        rest = rest.slice(quoted[0].length);
      } else return bad;
    } else return bad;
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (rest.length === 0 || rest.startsWith('.') || rest.startsWith('[')) return bad;
    } else if (rest.length > 0 && !rest.startsWith('[')) return bad;
  }
  return segments.length > 0 ? segments : bad;
}

/** Words, "quoted phrases" (JSON escapes) and operators; an error for an unclosed quote. */
function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', op });
      i += op.length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) return `The quote opened at character ${i + 1} is not closed.`;
      try {
        tokens.push({ kind: 'word', text: JSON.parse(source.slice(i, j + 1)) as string, quoted: true });
      } catch {
        return `The quoted text at character ${i + 1} has a bad escape.`;
      }
      i = j + 1;
      continue;
    }
    // A word runs to a space, a quote or an operator; inside [..] anything but "]" belongs to it (a path's ["key"]).
    let j = i;
    while (j < source.length && !/\s/.test(source[j]) && !OPERATORS.some((o) => source.startsWith(o, j)) && !(source[j] === '"' && source[j - 1] !== '[')) {
      if (source[j] === '[') {
        const close = source.indexOf(']', j);
        j = close < 0 ? source.length : close + 1;
      } else j++;
    }
    tokens.push({ kind: 'word', text: source.slice(i, j), quoted: false });
    i = j;
  }
  return tokens;
}

function matchTerm(term: Term, m: FilterableMessage): boolean {
  switch (term.kind) {
    case 'text':
      return lowerText(m).includes(term.text);
    case 'state':
      return m.state === term.state;
    case 'flag':
      if (term.flag === 'redelivered') return m.flags.redelivered !== undefined;
      if (term.flag === 'duplicate') return m.flags.duplicateKey !== undefined;
      return m.flags.redelivered !== undefined || m.flags.duplicateKey !== undefined;
    case 'key':
      return term.key === undefined ? m.idempotencyKey !== undefined : m.idempotencyKey === term.key;
    case 'attribute': {
      const a = Object.prototype.hasOwnProperty.call(m.messageAttributes, term.name) ? m.messageAttributes[term.name] : undefined;
      if (a === undefined) return false;
      if (term.op === undefined || term.value === undefined) return true;
      const json: unknown = a.type.startsWith('Number') ? Number(a.value) : a.value;
      return compare(json, term.op, term.value);
    }
    case 'path': {
      let v = parsedBody(m);
      if (v === NOT_JSON) return false;
      for (const s of term.path) {
        if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, s)) return false;
        v = (v as Record<Segment, unknown>)[s];
      }
      return compare(v, term.op, term.value);
    }
  }
}

function compare(actual: unknown, op: Operator, value: Value): boolean {
  switch (op) {
    case '=':
      return same(actual, value);
    case '!=':
      return !same(actual, value);
    case '~':
      return (typeof actual === 'string' ? actual : JSON.stringify(actual) ?? '').toLowerCase().includes(value.text.toLowerCase());
    default: {
      if (typeof actual !== 'number' || typeof value.json !== 'number') return false;
      if (op === '>') return actual > value.json;
      if (op === '>=') return actual >= value.json;
      if (op === '<') return actual < value.json;
      return actual <= value.json;
    }
  }
}

/** Equal as JSON values; a bare word also equals a number or boolean written the same way. */
function same(actual: unknown, value: Value): boolean {
  if (actual === value.json) return true;
  if (actual !== null && typeof actual === 'object') return false;
  return typeof value.json === 'string' && typeof actual !== 'string' && String(actual) === value.json;
}
