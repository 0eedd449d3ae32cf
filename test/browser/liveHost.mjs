// The host side of an inspector without VS Code, for a page served by inspectorPage.mjs:
// a local SQS server, the extension's own InspectorSession (leases, lifecycle record,
// duplicate flags, coalesced updates) posting to the page, and answers to the page's
// requests as the panel gives them. What the page draws then comes from the real host code.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const out = (p) => require(path.join(ROOT, 'out/src', p));
const { startLocalServer } = out('local/server.js');
const { seedDemo } = out('local/seed.js');
const { SqsGateway, silentLog } = out('sqs/gateway.js');
const { createSqsClient, localConnection } = out('sqs/connections.js');
const { getQueueSnapshot } = out('sqs/queues.js');
const { Settings, memorySettingsSource } = out('services/settings.js');
const { KeyPaths } = out('services/keyPaths.js');
const { LifecycleRecorder } = out('services/lifecycleRecorder.js');
const { InspectorSession } = out('views/inspector/inspectorSession.js');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * Starts a local server with the demo seed (plus `extra` messages on `orders`), opens an
 * inspector session on `queueName`, connects it to the page and sends the page its state.
 */
export async function startLiveHost(page, { queueName = 'orders', extra = 0, options = { count: 10, waitSeconds: 0, visibilityTimeout: 45, mode: 'peek' } } = {}) {
  const server = await startLocalServer({ port: 0 });
  seedDemo(server.engine);
  const gateway = new SqsGateway(localConnection(server.endpoint, 'us-east-1'), createSqsClient(localConnection(server.endpoint, 'us-east-1')));
  const url = server.engine.getQueueUrl(queueName);
  for (let i = 0; i < extra; i++) server.engine.sendMessage(url, { MessageBody: JSON.stringify({ n: i, idempotency_key: `extra-${i}` }) });
  const settings = new Settings(memorySettingsSource());
  const keyPaths = new KeyPaths(settings, silentLog);
  const recorder = new LifecycleRecorder(settings, keyPaths, silentLog);
  const { store: lifecycle, duplicates } = recorder;
  // Host messages go to the page in order, one evaluate at a time.
  let chain = Promise.resolve();
  const deliver = (m) => (chain = chain.then(() => page.evaluate((x) => window.__deliver(x), m)).catch(() => undefined));
  const session = new InspectorSession(gateway, await getQueueSnapshot(gateway, url), { id: 'local', name: 'Local' }, {
    lifecycle,
    duplicates,
    recorder,
    keyPaths: () => keyPaths.current,
    isDeadLetterQueue: () => false,
    options: () => options,
    post: deliver,
  });
  const answer = async (m) => {
    const p = m.params;
    const run = {
      'messages/receive': async () => {
        const got = await session.leases.receive({ count: p.count, waitSeconds: p.waitSeconds, visibilityTimeout: p.visibilityTimeout, mode: p.mode });
        return { received: got.length, ids: got.map((x) => x.messageId), mode: p.mode };
      },
      'messages/release': async () => ({ failures: await session.leases.release(p.ids) }),
      'messages/delete': async () => ({ failures: await session.leases.delete(p.ids) }),
      'messages/extend': async () => ({ failures: await session.leases.extend(p.ids, p.seconds) }),
      'messages/autoExtend/set': async () => {
        session.leases.setAutoExtend(p.ids, p.on);
        return { failures: [] };
      },
    }[m.method];
    if (!run) return;
    try {
      const result = await run();
      session.flush();
      deliver({ method: 'host/reply', params: { id: m.id, ok: true, result } });
    } catch (err) {
      deliver({ method: 'host/reply', params: { id: m.id, ok: false, error: String(err) } });
    }
  };
  await page.exposeFunction('__toHost', (m) => void answer(m));
  await page.evaluate(() => {
    const posted = window.__posted;
    posted.push = (...items) => {
      for (const m of items) if (m.kind === 'request') window.__toHost(m);
      return Array.prototype.push.apply(posted, items);
    };
  });
  deliver({ method: 'host/state/set', params: session.state() });
  await chain;
  return {
    server,
    session,
    lifecycle,
    url,
    /** Waits until every host message sent so far has reached the page. */
    settled: async () => {
      session.flush();
      await chain;
    },
    async close() {
      session.dispose();
      recorder.dispose();
      await session.leases.dispose('release');
      gateway.dispose();
      await server.close();
    },
  };
}
