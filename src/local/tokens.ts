import { createHmac, randomBytes } from 'node:crypto';
import { invalidParameter } from './errors';

/** What a receipt handle names: the queue (and which queue of that name), the message, and the receive. */
export interface HandleParts {
  queue: string;
  incarnation: string;
  messageId: string;
  serial: number;
}

/**
 * Receipt handles: they name the queue, the message and the receive that made them, and
 * carry an HMAC under a secret of this server, so that a handle that was never valid here
 * (made up, or tampered with) is told apart from a stale one.
 */
export class ReceiptHandles {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  make(parts: HandleParts): string {
    const payload = `${parts.queue}\u0001${parts.incarnation}\u0001${parts.messageId}\u0001${parts.serial}`;
    return `${Buffer.from(payload, 'utf8').toString('base64url')}.${this.mac(Buffer.from(payload, 'utf8'))}`;
  }

  /** The parts of a handle made here, or undefined for anything else. */
  parse(handle: unknown): HandleParts | undefined {
    if (typeof handle !== 'string') return undefined;
    const dot = handle.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = Buffer.from(handle.slice(0, dot), 'base64url');
    if (this.mac(payload) !== handle.slice(dot + 1)) return undefined;
    const [queue, incarnation, messageId, serial] = payload.toString('utf8').split('\u0001');
    return { queue, incarnation, messageId, serial: Number(serial) };
  }

  /** The receive a handle belongs to, or -1 for a handle not made here. */
  serialOf(handle: string): number {
    return this.parse(handle)?.serial ?? -1;
  }

  private mac(payload: Buffer): string {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, 16).toString('base64url');
  }
}

/** A paging token for the list actions: the last name of the page, bound to the action it pages. */
export function encodePageToken(last: string, scope: string): string {
  return Buffer.from(JSON.stringify({ scope, last })).toString('base64');
}

/** The last name of the previous page; throws SQS's error for a token not made for `scope`. */
export function decodePageToken(token: string, scope: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { scope?: unknown; last?: unknown };
    if (parsed.scope === scope && typeof parsed.last === 'string') return parsed.last;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid NextToken value.');
}
