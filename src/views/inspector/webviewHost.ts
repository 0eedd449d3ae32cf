import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  isWebviewToHost,
  type HostToWebview,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type WebviewNotificationMap,
  type WebviewRequest,
} from '../../protocol';
import { renderInspectorPage } from './page';

/** One handler per request of the protocol: the compiler holds the table complete. */
export type RequestHandlers = { readonly [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> };

export interface WebviewHostOptions {
  readonly title: string;
  readonly handlers: RequestHandlers;
  /** The page has loaded (again, after it was hidden and shown): send it the whole state. */
  onReady(): void;
  onOptionsChanged?(options: WebviewNotificationMap['webview/options/changed']): PromiseLike<void>;
  /** After a request's handler, before its reply: the page reads the reply against what it has. */
  beforeReply?(): void;
  /** A message from the page failed its checks and was dropped. */
  onMalformed?(): void;
}

/** Panel options for an inspector page: scripts on, files only from the built webview folder. */
export function inspectorPanelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

/**
 * The host's end of an inspector page, for the live inspector and the saved-session viewer
 * alike: the page's HTML (strict CSP, a fresh nonce per load), the `webview/ready`
 * handshake (nothing is posted before it: the page asks for the whole state then), every
 * message from the page checked against the protocol, and each request answered once.
 */
export class WebviewHost implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly options: WebviewHostOptions,
  ) {
    const { webview } = panel;
    webview.options = inspectorPanelOptions(extensionUri);
    webview.html = renderInspectorPage({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      title: options.title,
      asset: (name) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString(),
    });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'sqs.svg');
    this.subscription = webview.onDidReceiveMessage((m: unknown) => void this.receive(m));
  }

  /** Whether the page has said it is ready (and not been disposed since). */
  get isReady(): boolean {
    return this.ready && !this.disposed;
  }

  /** Sends a message to the page; dropped until it is ready (it gets the whole state then). */
  post(message: HostToWebview): void {
    if (this.isReady) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    if (!isWebviewToHost(raw)) {
      this.options.onMalformed?.();
      return;
    }
    if (raw.kind === 'request') {
      await this.answer(raw);
      return;
    }
    if (raw.method === 'webview/ready') {
      this.ready = true;
      this.options.onReady();
    } else await this.options.onOptionsChanged?.(raw.params);
  }

  private async answer(request: WebviewRequest): Promise<void> {
    try {
      const handler = this.options.handlers[request.method] as (p: unknown) => Promise<unknown>;
      const result = await handler(request.params);
      this.options.beforeReply?.();
      this.post({ method: 'host/reply', params: { id: request.id, ok: true, result } });
    } catch (err) {
      this.post({ method: 'host/reply', params: { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) } });
    }
  }
}
