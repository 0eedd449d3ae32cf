import { jsonDepth, jsonErrorOffset, positionText } from './jsonText';
import { MAX_POLICY_DEPTH, applyAttributes, defaultSettings } from './queueAttributes';
import { SETTABLE_QUEUE_ATTRIBUTES } from './sqsLimits';

/**
 * A queue's attributes as a JSON document to edit, and back: the rules of the editor that
 * `sqs-attributes:` documents open in, without VS Code.
 */

/** Attributes a user may change with SetQueueAttributes (the rest are read-only or fixed at creation). */
export const EDITABLE_ATTRIBUTES: readonly string[] = SETTABLE_QUEUE_ATTRIBUTES.filter((name) => name !== 'FifoQueue');

/** Attributes whose value is a JSON document (shown as an object; removed from the document, cleared). */
export const JSON_ATTRIBUTES = new Set(['RedrivePolicy', 'RedriveAllowPolicy', 'Policy']);
const NUMBER_ATTRIBUTES = new Set(['DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout', 'KmsDataKeyReusePeriodSeconds']);
const BOOLEAN_ATTRIBUTES = new Set(['SqsManagedSseEnabled', 'ContentBasedDeduplication']);

/** Editable attributes as a readable JSON object: numbers, booleans, and policies as objects. */
export function attributesToDocument(attributes: Record<string, string>): string {
  const doc: Record<string, unknown> = {};
  for (const name of EDITABLE_ATTRIBUTES) {
    const raw = attributes[name];
    if (raw === undefined) continue;
    if (NUMBER_ATTRIBUTES.has(name) && /^\d+$/.test(raw)) doc[name] = Number(raw);
    else if (BOOLEAN_ATTRIBUTES.has(name) && (raw === 'true' || raw === 'false')) doc[name] = raw === 'true';
    else if (JSON_ATTRIBUTES.has(name)) {
      // A document nested deeper than any policy is shown as its text: it could not be written back pretty.
      try {
        doc[name] = jsonDepth(raw) <= MAX_POLICY_DEPTH ? (JSON.parse(raw) as unknown) : raw;
      } catch {
        doc[name] = raw;
      }
    } else doc[name] = raw;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Reads the edited document back into SQS attribute strings, validating it: JSON syntax
 * (with the position of the error), known attribute names, and each value's type and range.
 */
export function documentToAttributes(text: string, fifo: boolean): Record<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = jsonErrorOffset(message);
    throw new Error(`The attributes are not valid JSON${offset !== undefined ? ` (${positionText(text, offset)})` : ''}: ${message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('The attributes must be one JSON object.');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!EDITABLE_ATTRIBUTES.includes(name)) {
      throw new Error(`"${name}" is not an attribute that can be changed. Editable: ${EDITABLE_ATTRIBUTES.join(', ')}.`);
    }
    if (value === null) out[name] = '';
    else if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else if (JSON_ATTRIBUTES.has(name) && typeof value === 'object') out[name] = JSON.stringify(value);
    else throw new Error(`"${name}" must be a ${NUMBER_ATTRIBUTES.has(name) ? 'number' : BOOLEAN_ATTRIBUTES.has(name) ? 'boolean' : 'string'}.`);
  }
  // The same rules the SQS API applies, checked before anything is sent.
  applyAttributes(defaultSettings(fifo), out, false);
  return out;
}

/** The 0-based line a save's problem is about: the attribute the message names, or the position it gives. */
export function problemLine(text: string, message: string): number {
  const named = [...EDITABLE_ATTRIBUTES].sort((a, b) => b.length - a.length).find((name) => new RegExp(`\\b${name}\\b`).test(message)) ?? /^"([^"]+)"/.exec(message)?.[1]?.replace(/[^\w]/g, '');
  const key = named ? new RegExp(`"${named}"\\s*:`).exec(text) : null;
  if (key) return text.slice(0, key.index).split('\n').length - 1;
  const at = /line (\d+), column \d+/.exec(message);
  return at ? Number(at[1]) - 1 : 0;
}

