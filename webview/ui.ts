// The only module that names the webview UI toolkit: its components are registered here,
// so replacing the (deprecated upstream) toolkit touches one file.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow, vsCodeProgressRing } from '@vscode/webview-ui-toolkit';

export function registerUiComponents(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(), vsCodeProgressRing());
}
