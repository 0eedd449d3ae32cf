/** Line and column (1-based) of a character offset: `line 3, column 7`. */
export function positionText(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The character offset a `JSON.parse` error names, if it names one. */
export function jsonErrorOffset(message: string): number | undefined {
  const at = /position (\d+)/.exec(message);
  return at ? Number(at[1]) : undefined;
}

/**
 * Why a text that looks like JSON (it starts with `{` or `[`) does not parse, with the line
 * and column; undefined when it parses or does not look like JSON (SQS takes any text).
 */
export function jsonProblem(body: string): string | undefined {
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    JSON.parse(body);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = jsonErrorOffset(message);
    if (offset === undefined) return message;
    return `${message.replace(/ in JSON at position.*$/, '').replace(/ at position.*$/, '')} at ${positionText(body, offset)}`;
  }
}
