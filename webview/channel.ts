import {
  isHostToWebview,
  REQUESTS,
  type HostToWebview,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type WebviewNotificationMap,
  type WebviewNotificationMethod,
  type WebviewToHost,
} from '../src/protocol';
import type { PersistedState } from './store';

/** VS Code's side of the webview, as the page uses it. */
export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

/** A host message other than a reply: what the page applies. */
export type HostUpdate = Exclude<HostToWebview, { method: 'host/reply' }>;

interface Pending {
  readonly method: RequestMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * The page's end of the protocol: requests answered by `host/reply` (each result checked
 * against its request's entry in the protocol table), notifications to the host, and the
 * host's updates, checked before anyone sees them.
 */
export class HostChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly api: VsCodeApi,
    private readonly onUpdate: (update: HostUpdate) => void,
  ) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const check = REQUESTS[method].result;
      this.pending.set(id, { method, resolve: (v) => (check(v) ? resolve(v) : reject(new Error(`The host's answer to ${method} is malformed.`))), reject });
      this.api.postMessage({ kind: 'request', id, method, params } as WebviewToHost);
    });
  }

  notify<M extends WebviewNotificationMethod>(method: M, params: WebviewNotificationMap[M]): void {
    this.api.postMessage({ kind: 'notification', method, params } as WebviewToHost);
  }

  private receive(raw: unknown): void {
    if (!isHostToWebview(raw)) return;
    if (raw.method !== 'host/reply') {
      this.onUpdate(raw);
      return;
    }
    const p = this.pending.get(raw.params.id);
    if (!p) return;
    this.pending.delete(raw.params.id);
    if (raw.params.ok) p.resolve(raw.params.result);
    else p.reject(new Error(raw.params.error ?? `${p.method} failed`));
  }
}
