import type { DedupEntry, StoredMessage } from '../queue';
import type { StoredAttribute } from '../md5';
import type { LocalQueue } from '../localQueue';
import type { RestoredQueue } from '../queueRegistry';
import type { MoveTask } from '../moveTasks';
import type { TraceActor } from '../../shared/trace';

/** A message attribute as saved: binary values in base64. */
interface SavedAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** The parts of a message that change after it is sent. */
export interface SavedMessageState {
  id: string;
  enqueuedAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receiveSerial: number;
  receivedAt: number;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
  /** Who made the last receive (Browse and Watch name the holder of a message in flight). */
  heldBy?: TraceActor;
}

/** A whole message as saved. */
export interface SavedMessage extends SavedMessageState {
  body: string;
  md5OfBody: string;
  attributes: Record<string, SavedAttribute>;
  md5OfAttributes?: string;
  systemAttributes: Record<string, SavedAttribute>;
  md5OfSystemAttributes?: string;
  sentAt: number;
  senderId: string;
  groupId?: string;
  dedupId?: string;
  storedBytes: number;
}

/**
 * The records of the journal and the snapshot. Queues are named by their incarnation, so
 * a queue deleted and created again under the same name is never mixed up with the old one.
 */
export type DataRecord =
  | { k: 'queue'; queue: RestoredQueue }
  | { k: 'queueDeleted'; i: string; name?: string; at?: number }
  | { k: 'nameHeld'; name: string; at: number }
  | { k: 'purge'; i: string }
  | { k: 'dedup'; i: string; key: string; entry: DedupEntry }
  | { k: 'message'; i: string; m: SavedMessage }
  | { k: 'state'; i: string; m: SavedMessageState }
  | { k: 'gone'; i: string; id: string }
  | { k: 'task'; t: MoveTask };

export function savedQueue(queue: LocalQueue): RestoredQueue {
  return {
    name: queue.name,
    incarnation: queue.incarnation,
    createdAt: queue.createdAt,
    lastModified: queue.lastModified,
    settings: queue.settings,
    tags: Object.fromEntries(queue.tags),
    permissions: Object.fromEntries(queue.permissions),
    ...(queue.state.lastPurgeAt !== undefined ? { lastPurgeAt: queue.state.lastPurgeAt } : {}),
  };
}

export function savedState(m: StoredMessage): SavedMessageState {
  const saved: SavedMessageState = {
    id: m.id,
    enqueuedAt: m.enqueuedAt,
    visibleAt: m.visibleAt,
    receiveCount: m.receiveCount,
    receiveSerial: m.receiveSerial,
    receivedAt: m.receivedAt,
  };
  if (m.firstReceiveAt !== undefined) saved.firstReceiveAt = m.firstReceiveAt;
  if (m.sequenceNumber !== undefined) saved.sequenceNumber = m.sequenceNumber;
  if (m.deadLetterSourceArn !== undefined) saved.deadLetterSourceArn = m.deadLetterSourceArn;
  if (m.heldBy !== undefined) saved.heldBy = m.heldBy;
  return saved;
}

/** Applies a saved change of state to a saved message: a receive by nobody in particular names no holder. */
export function applySavedState(m: SavedMessage, state: SavedMessageState): void {
  Object.assign(m, state);
  if (state.heldBy === undefined) delete m.heldBy;
}

/** A holder as saved, kept only when it has the shape the server writes (the file may have been edited). */
function restoredActor(v: unknown): TraceActor | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const a = v as Record<string, unknown>;
  const text = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 128;
  const actor: { accessKeyId?: string; sdk?: string; workbench?: true } = {};
  if (text(a.accessKeyId)) actor.accessKeyId = a.accessKeyId;
  if (text(a.sdk)) actor.sdk = a.sdk;
  if (a.workbench === true) actor.workbench = true;
  return Object.keys(actor).length > 0 ? actor : undefined;
}

export function savedMessage(m: StoredMessage): SavedMessage {
  const saved: SavedMessage = {
    ...savedState(m),
    body: m.body,
    md5OfBody: m.md5OfBody,
    attributes: saveAttributes(m.attributes),
    systemAttributes: saveAttributes(m.systemAttributes),
    sentAt: m.sentAt,
    senderId: m.senderId,
    storedBytes: m.storedBytes,
  };
  if (m.md5OfAttributes !== undefined) saved.md5OfAttributes = m.md5OfAttributes;
  if (m.md5OfSystemAttributes !== undefined) saved.md5OfSystemAttributes = m.md5OfSystemAttributes;
  if (m.groupId !== undefined) saved.groupId = m.groupId;
  if (m.dedupId !== undefined) saved.dedupId = m.dedupId;
  return saved;
}

/** A saved message as the queue holds it, not yet inserted (its state follows from `visibleAt`). */
export function storedMessage(saved: SavedMessage): StoredMessage {
  return {
    id: saved.id,
    body: saved.body,
    md5OfBody: saved.md5OfBody,
    attributes: loadAttributes(saved.attributes),
    md5OfAttributes: saved.md5OfAttributes,
    systemAttributes: loadAttributes(saved.systemAttributes),
    md5OfSystemAttributes: saved.md5OfSystemAttributes,
    sentAt: saved.sentAt,
    senderId: saved.senderId,
    groupId: saved.groupId,
    dedupId: saved.dedupId,
    sequenceNumber: saved.sequenceNumber,
    deadLetterSourceArn: saved.deadLetterSourceArn,
    enqueuedAt: saved.enqueuedAt,
    state: 'gone',
    visibleAt: saved.visibleAt,
    receiveCount: saved.receiveCount,
    firstReceiveAt: saved.firstReceiveAt,
    receiveSerial: saved.receiveSerial,
    receivedAt: saved.receivedAt,
    heldBy: restoredActor(saved.heldBy),
    version: 0,
    storedBytes: saved.storedBytes,
  };
}

function saveAttributes(attributes: Record<string, StoredAttribute>): Record<string, SavedAttribute> {
  const out: Record<string, SavedAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { DataType: a.DataType, ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}), ...(a.BinaryValue ? { BinaryValue: a.BinaryValue.toString('base64') } : {}) };
  }
  return out;
}

function loadAttributes(attributes: Record<string, SavedAttribute>): Record<string, StoredAttribute> {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { DataType: a.DataType, ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}), ...(a.BinaryValue !== undefined ? { BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : {}) };
  }
  return out;
}
