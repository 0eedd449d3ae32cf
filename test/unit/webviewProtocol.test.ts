import * as assert from 'node:assert/strict';
import { isHostToWebview, isSavedSession, isWebviewToHost, REQUESTS, type MessageView, type SavedSession } from '../../src/protocol';

const message: MessageView = {
  messageId: 'm-1',
  body: '{"orderId":1}',
  sentAt: 1_700_000_000_000,
  receiveCount: 2,
  state: 'held',
  mode: 'hold',
  deadline: 1_700_000_060_000,
  windowStart: 1_700_000_030_000,
  autoExtend: false,
  messageAttributes: { kind: { type: 'String', value: 'order' } },
  systemAttributes: { SentTimestamp: '1700000000000' },
  events: [
    { kind: 'sent', at: 1_700_000_000_000, detail: 'sent' },
    { kind: 'received', at: 1_700_000_030_000, receiveCount: 2, deadline: 1_700_000_060_000, detail: 'received (hold), receive count 2' },
  ],
  flags: { redelivered: 2, byInspector: { peek: 0, hold: 1 } },
  disabled: {},
};

const session: SavedSession = {
  format: 'sqs-workbench-session',
  version: 1,
  savedAt: '2024-01-01T00:00:00.000Z',
  queue: { name: 'orders', url: 'http://127.0.0.1:9324/000000000000/orders', connection: 'Local', connectionId: 'local', fifo: false, visibilityTimeout: 30 },
  summary: { redeliveries: 1, duplicateKeys: 0, keysShared: 0 },
  messages: [message],
};

/** A copy of `v` with `patch` applied at `path` (undefined deletes the property). */
function patched(v: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

describe('webview protocol checks', () => {
  it('takes the page\'s requests and notifications as declared, and nothing else', () => {
    assert.ok(isWebviewToHost({ kind: 'request', id: 1, method: 'messages/extend', params: { ids: ['a'], seconds: 30 } }));
    assert.ok(isWebviewToHost({ kind: 'request', id: 2, method: 'session/export', params: {} }));
    assert.ok(isWebviewToHost({ kind: 'notification', method: 'webview/ready', params: {} }));
    assert.ok(!isWebviewToHost({ kind: 'request', id: 3, method: 'messages/extend', params: { ids: 'a' } }), 'ids must be a list');
    assert.ok(!isWebviewToHost({ kind: 'request', id: 4, method: 'messages/purge', params: { ids: [] } }), 'no such method');
    assert.ok(!isWebviewToHost({ kind: 'request', id: 5, method: 'toString', params: {} }), 'not a method of the table\'s prototype either');
    assert.ok(!isWebviewToHost({ kind: 'notification', method: 'webview/options/changed', params: { count: 10, waitSeconds: 0, visibilityTimeout: 30, mode: 'grab' } }), 'no such mode');
  });

  it('checks a reply\'s result against the request it answers', () => {
    assert.ok(REQUESTS['messages/receive'].result({ received: 1, ids: ['a'], mode: 'hold' }));
    assert.ok(!REQUESTS['messages/receive'].result({ received: 1, mode: 'hold' }), 'no ids');
    assert.ok(REQUESTS['messages/release'].result({ failures: [{ messageId: 'a', code: 'NotHeld', message: 'released' }] }));
    assert.ok(!REQUESTS['messages/release'].result({ failures: [{ messageId: 'a' }] }), 'a failure without its code and message');
  });

  it('refuses a host update whose messages are not message views', () => {
    const upsert = { method: 'host/messages/upsert', params: { messages: [message], summary: session.summary, now: 1 } };
    assert.ok(isHostToWebview(upsert));
    assert.ok(!isHostToWebview(patched(upsert, ['params', 'messages', 0, 'state'], 'lost')), 'an unknown state');
    assert.ok(!isHostToWebview(patched(upsert, ['params', 'messages', 0, 'deadline'], undefined)), 'no deadline');
    assert.ok(!isHostToWebview({ method: 'host/unknown', params: {} }), 'an unknown method');
  });

  it('reads back an exported session, and refuses one with a malformed message or event', () => {
    assert.ok(isSavedSession(JSON.parse(JSON.stringify(session))));
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'events', 1, 'kind'], 'teleported')), 'an unknown event kind');
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'state'], undefined)), 'a message without its state');
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'flags', 'duplicateKey'], { key: 'k' })), 'a duplicate flag without its count');
    assert.ok(!isSavedSession(patched(session, ['queue', 'visibilityTimeout'], '30')), 'a queue with a text visibility timeout');
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'sentAt'], 1e20)), 'a time no Date can show');
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'events', 0, 'at'], -1e17)), 'an event at a time no Date can show');
    assert.ok(!isSavedSession(patched(session, ['messages', 0, 'body'], 42)), 'a numeric body');
    assert.ok(!isSavedSession(patched(session, ['messages'], [null])), 'a null message');
  });
});
