import * as vscode from 'vscode';
import { JSON_ATTRIBUTES, documentToAttributes, attributesToDocument, problemLine } from '../../model/queueAttributesDocument';
import { getQueueSnapshot, setQueueAttributes } from '../../sqs/queues';
import type { ConnectionManager } from '../../services/connections';

export const ATTRIBUTES_SCHEME = 'sqs-attributes';

/** The document URI that edits a queue's attributes. */
export function attributesUri(connectionId: string, queueUrl: string): vscode.Uri {
  const name = queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
  return vscode.Uri.from({
    scheme: ATTRIBUTES_SCHEME,
    path: `/${encodeURIComponent(connectionId)}/${name}.json`,
    query: new URLSearchParams({ url: queueUrl }).toString(),
  });
}

function parseUri(uri: vscode.Uri): { connectionId: string; url: string } {
  const connectionId = decodeURIComponent(uri.path.split('/')[1] ?? '');
  const url = new URLSearchParams(uri.query).get('url') ?? '';
  return { connectionId, url };
}

/**
 * A file system over queue attributes: opening `sqs-attributes:/<connection>/<queue>.json`
 * reads them; saving validates the document and applies the changed attributes with
 * SetQueueAttributes, so an edit is a normal editor save with normal error reporting.
 */
export class QueueAttributesFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly mtimes = new Map<string, number>();
  /** A refused save's problem, at the attribute's line. */
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('sqsWorkbench.queueAttributes');

  constructor(private readonly manager: ConnectionManager) {}

  dispose(): void {
    this.diagnostics.dispose();
    this.emitter.dispose();
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    return { type: vscode.FileType.File, ctime: 0, mtime: this.mtimes.get(uri.toString()) ?? 0, size: 0 };
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Queues are created with SQS: Create Queue.');
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { connection, url } = this.resolve(uri);
    const snapshot = await getQueueSnapshot(connection.gateway, url).catch((err: unknown) => {
      throw vscode.FileSystemError.Unavailable(err instanceof Error ? err.message : String(err));
    });
    return Buffer.from(attributesToDocument(snapshot.attributes), 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const { connection, url } = this.resolve(uri);
    const current = await getQueueSnapshot(connection.gateway, url);
    const text = Buffer.from(content).toString('utf8');
    let wanted: Record<string, string>;
    try {
      wanted = documentToAttributes(text, current.fifo);
    } catch (err) {
      throw this.refuse(uri, text, current.name, err);
    }
    const changed: Record<string, string> = {};
    for (const [name, value] of Object.entries(wanted)) {
      if ((current.attributes[name] ?? '') !== value) changed[name] = value;
    }
    // An attribute removed from the document is cleared, where SQS allows clearing it.
    for (const name of JSON_ATTRIBUTES) {
      if (current.attributes[name] !== undefined && !(name in wanted)) changed[name] = '';
    }
    if (Object.keys(changed).length > 0) {
      try {
        await setQueueAttributes(connection.gateway, url, changed);
      } catch (err) {
        throw this.refuse(uri, text, current.name, err);
      }
      await connection.catalog.refreshQueue(url).catch(() => undefined);
    }
    this.diagnostics.delete(uri);
    const count = Object.keys(changed).length;
    vscode.window.setStatusBarMessage(`$(check) ${count === 0 ? 'No attribute changed' : `Saved ${count} attribute${count === 1 ? '' : 's'}`} of ${current.name}`, 5000);
    this.mtimes.set(uri.toString(), Date.now());
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  /**
   * A refused save: the problem goes to the Problems panel at the attribute's line and to an
   * error message of its own, since VS Code's "Unable to write file" buries it.
   */
  private refuse(uri: vscode.Uri, text: string, queueName: string, err: unknown): vscode.FileSystemError {
    const message = err instanceof Error ? err.message : String(err);
    const line = problemLine(text, message);
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'SQS attributes';
    this.diagnostics.set(uri, [diagnostic]);
    void vscode.window.showErrorMessage(`Attributes of ${queueName} not saved (line ${line + 1}): ${message}`);
    return vscode.FileSystemError.NoPermissions(message);
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Delete a queue with SQS: Delete Queue.');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Queues cannot be renamed.');
  }

  private resolve(uri: vscode.Uri): { connection: NonNullable<ReturnType<ConnectionManager['get']>>; url: string } {
    const { connectionId, url } = parseUri(uri);
    const connection = this.manager.get(connectionId);
    if (!connection || !url) throw vscode.FileSystemError.FileNotFound(uri);
    return { connection, url };
  }
}
