import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChunkSource } from '../../sqs/batchFile';

/** A file of messages for Batch Send: where it is, its name, how to read it, where results go. */
export interface BatchFile {
  uri: vscode.Uri;
  label: string;
  chunks: ChunkSource;
  resultDir: string;
}

function editorChunks(document: vscode.TextDocument): ChunkSource {
  return function* () {
    const text = document.getText();
    const size = 1 << 16;
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  };
}

function fileChunks(file: string): ChunkSource {
  return () => createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
}

/**
 * The file Batch Send reads: the one a menu passed (an unsaved or open editor is read from
 * the editor, as shown), else the active editor's or one chosen in a dialog.
 */
export async function pickBatchFile(given: vscode.Uri | undefined): Promise<BatchFile | undefined> {
  const fromUri = (uri: vscode.Uri): BatchFile => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const dir = uri.scheme === 'file' ? path.dirname(uri.fsPath) : tmpdir();
    if (open && (open.isDirty || uri.scheme !== 'file')) return { uri, label: path.basename(uri.path) || 'Untitled', chunks: editorChunks(open), resultDir: dir };
    return { uri, label: path.basename(uri.fsPath), chunks: fileChunks(uri.fsPath), resultDir: dir };
  };
  if (given) return fromUri(given);
  const active = vscode.window.activeTextEditor?.document;
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [];
  if (active) items.push({ label: `$(file) ${path.basename(active.uri.path) || 'Untitled'}`, description: 'the active editor', uri: active.uri });
  items.push({ label: '$(folder-opened) Choose a file…' });
  const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Batch Send: which file?', placeHolder: 'A JSON array, or NDJSON / JSON Lines with one entry per line' });
  if (!pick) return undefined;
  if (pick.uri) return fromUri(pick.uri);
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Message files': ['json', 'jsonl', 'ndjson'], 'All files': ['*'] }, title: 'Batch Send: choose a file of messages' });
  return chosen?.[0] ? fromUri(chosen[0]) : undefined;
}
