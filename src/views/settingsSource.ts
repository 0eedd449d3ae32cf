import * as vscode from 'vscode';
import { SETTINGS_SECTION, type SettingsSource } from '../services/settings';

/** The settings as VS Code's configuration holds them: the one place that reads it. */
export function vscodeSettingsSource(): SettingsSource {
  const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return {
    read: (key) => configuration().get<unknown>(key),
    write: (key, value) => configuration().update(key, value, vscode.ConfigurationTarget.Global),
    onDidChange: (listener) => vscode.workspace.onDidChangeConfiguration((e) => listener((key) => e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`))),
  };
}
