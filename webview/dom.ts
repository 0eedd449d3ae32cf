/** Small DOM and text helpers. Untrusted text only ever goes in as `textContent`. */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function icon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** A definition list of name/value pairs. */
export function dl(entries: readonly (readonly [string, string])[]): HTMLElement {
  const list = el('dl', 'attrs');
  for (const [k, v] of entries) list.append(el('dt', undefined, k), el('dd', undefined, v));
  return list;
}

/** One formatter for every time in the list: making one per call is slow. */
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function fmtTime(ms: number | undefined): string {
  return ms === undefined ? '' : TIME.format(ms);
}

/** `m:ss`, or `h:mm:ss` from an hour up. */
export function fmtRemaining(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** The start of a body on one line, for a list row. */
export function preview(body: string): string {
  const flat = body.length > 300 ? body.slice(0, 300) : body;
  return flat.replace(/\s+/g, ' ');
}
