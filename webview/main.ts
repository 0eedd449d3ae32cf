import type { HostToWebview, WebviewToHost } from '../src/protocol';
import { registerUiComponents } from './ui';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

registerUiComponents();
const vscode = acquireVsCodeApi();
const title = document.getElementById('title');

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message.type === 'host/state/set' && title) title.textContent = message.queueName;
});
vscode.postMessage({ type: 'webview/ready' });
