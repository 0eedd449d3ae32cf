import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderInspectorPage } from './page';

/** The inspector page for a webview: a fresh nonce per load, files only from `dist/webview`. */
export function inspectorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return renderInspectorPage({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    title,
    asset: (name) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString(),
  });
}
