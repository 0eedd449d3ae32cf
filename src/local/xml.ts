/**
 * A small XML writer for the Query protocol's answers: elements are built as strings,
 * text is always escaped. A carriage return is written as `&#xD;`: a parser turns a literal
 * CR (and CR LF) into LF, and SQS's bodies must come back byte for byte.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#xD;' };

/** Escapes text for an element's content or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"\r]/g, (c) => ESCAPES[c]);
}

/** An element with escaped text; nothing when the value is undefined (SQS leaves absent members out). */
export function textElement(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An element around children that are XML already. */
export function element(name: string, children: readonly string[] | string): string {
  const inner = typeof children === 'string' ? children : children.join('');
  return inner.length === 0 ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}
