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

/**
 * How deeply a JSON text nests its arrays and objects, read in one pass without recursion
 * (a text nested 10,000 deep makes `JSON.stringify` of its parsed value overflow the stack).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
