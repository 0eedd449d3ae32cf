/**
 * The typed protocol between the extension host and the inspector webview, imported by
 * both sides. Method names read `scope/noun/verb`; requests carry an id and get a reply.
 */

/** Webview to host: the page is loaded and listening. */
export interface ReadyNotification {
  readonly type: 'webview/ready';
}

/** Host to webview: the state to draw, sent after `webview/ready`. */
export interface StateNotification {
  readonly type: 'host/state/set';
  readonly queueName: string;
}

export type WebviewToHost = ReadyNotification;
export type HostToWebview = StateNotification;

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'webview/ready';
}
