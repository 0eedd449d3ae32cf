/**
 * What the inspector's measurements (`inspector-hold`, `watch`) run on: the local server in
 * the runner's process, an SqsGateway to it built as the extension builds the local
 * connection's, and the built inspector page in headless Chromium.
 */
import type { Page } from 'playwright-core';
import { startLocalServer, type RunningLocalServer } from '../src/local/server';
import { createSqsClient, localConnection, type ResolvedConnection } from '../src/sqs/connections';
import { SqsGateway } from '../src/sqs/gateway';
import { loadInspectorPageHelpers, type InspectorPageHelpers } from './inspectorPage';

export interface InspectorBench {
  readonly server: RunningLocalServer;
  readonly connection: ResolvedConnection;
  readonly gateway: SqsGateway;
  readonly helpers: InspectorPageHelpers;
  /** The page, loaded. */
  readonly page: Page;
  /** Stops the page, the browser and the server. */
  close(): Promise<void>;
}

export async function openInspectorBench(): Promise<InspectorBench> {
  const server = await startLocalServer({ port: 0 });
  const helpers = loadInspectorPageHelpers();
  const pageServer = await helpers.servePage();
  const browser = await helpers.launchBrowser();
  const connection = localConnection(server.endpoint, 'us-east-1');
  const gateway = new SqsGateway(connection, createSqsClient(connection));
  const close = async (): Promise<void> => {
    gateway.dispose();
    await browser.close();
    await pageServer.stop();
    await server.close();
  };
  try {
    const page = await browser.context.newPage();
    // A background tab gets no animation frames: the page must be the active one to paint.
    await page.bringToFront();
    await page.goto(pageServer.url);
    return { server, connection, gateway, helpers, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
