import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** One question the extension asked through `vscode.window`, as a test sees it. */
export interface Asked {
  readonly kind: 'quickPick' | 'inputBox' | 'openDialog' | 'information' | 'warning' | 'error' | 'statusBar';
  /** The picker's or box's title, or the message's text. */
  readonly text: string;
  /** The labels of a picker's items, or a message's buttons. */
  readonly choices: readonly string[];
  /** An input box's initial value. */
  readonly value?: string;
}

type Answer = string | undefined;
type Answerer = (asked: Asked) => Answer;

function labelOf(item: unknown): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'object' && item !== null && 'label' in item && typeof item.label === 'string') return item.label;
  if (typeof item === 'object' && item !== null && 'title' in item && typeof item.title === 'string') return item.title;
  return String(item);
}

function titleOf(options: unknown): string {
  if (typeof options !== 'object' || options === null) return '';
  const o = options as { title?: unknown; placeHolder?: unknown };
  return typeof o.title === 'string' ? o.title : typeof o.placeHolder === 'string' ? o.placeHolder : '';
}

type Window = typeof vscode.window;
type Replaced = Pick<Window, 'showQuickPick' | 'createQuickPick' | 'showInputBox' | 'showOpenDialog' | 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage' | 'setStatusBarMessage'>;

/**
 * Answers the questions the extension asks through `vscode.window` (pickers, input boxes,
 * dialogs, notifications) and records each, until `restore()`. The extension and the tests
 * share one `vscode` API object inside the extension host, so the commands under test are
 * run exactly as VS Code runs them, with only the user's answers scripted.
 *
 * `answer` gets every question: for a picker it returns the label of the item to choose
 * (undefined cancels); for an input box the text; for a message the button. A picker made
 * with `createQuickPick` also takes text that is no item's label: it is typed into the
 * picker, and Enter pressed on the first item still shown.
 */
export class Prompts {
  readonly asked: Asked[] = [];
  private readonly original: Replaced;

  constructor(private answer: Answerer = () => undefined) {
    const w = vscode.window as unknown as Record<keyof Replaced, unknown>;
    this.original = {
      showQuickPick: vscode.window.showQuickPick,
      createQuickPick: vscode.window.createQuickPick,
      showInputBox: vscode.window.showInputBox,
      showOpenDialog: vscode.window.showOpenDialog,
      showInformationMessage: vscode.window.showInformationMessage,
      showWarningMessage: vscode.window.showWarningMessage,
      showErrorMessage: vscode.window.showErrorMessage,
      setStatusBarMessage: vscode.window.setStatusBarMessage,
    };
    w.showQuickPick = async (items: unknown, options?: unknown): Promise<unknown> => {
      const list = (await Promise.resolve(items)) as unknown[];
      const asked: Asked = { kind: 'quickPick', text: titleOf(options), choices: list.map(labelOf) };
      const chosen = this.ask(asked);
      if (chosen === undefined) return undefined;
      const found = list.find((item) => labelOf(item) === chosen);
      assert.ok(found !== undefined, `"${chosen}" is not an item of the picker "${asked.text}": ${asked.choices.join(' | ')}`);
      return found;
    };
    w.createQuickPick = (): vscode.QuickPick<vscode.QuickPickItem> => this.quickPick();
    w.showInputBox = (options?: vscode.InputBoxOptions): Promise<string | undefined> =>
      Promise.resolve(this.ask({ kind: 'inputBox', text: titleOf(options), choices: [], ...(options?.value !== undefined ? { value: options.value } : {}) }));
    w.showOpenDialog = (options?: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined> => {
      const chosen = this.ask({ kind: 'openDialog', text: options?.title ?? '', choices: [] });
      return Promise.resolve(chosen === undefined ? undefined : [vscode.Uri.file(chosen)]);
    };
    const message =
      (kind: 'information' | 'warning' | 'error') =>
      (text: string, ...rest: unknown[]): Promise<unknown> => {
        const buttons = rest.filter((r) => typeof r === 'string' || (typeof r === 'object' && r !== null && 'title' in r));
        const chosen = this.ask({ kind, text, choices: buttons.map(labelOf) });
        return Promise.resolve(chosen === undefined ? undefined : buttons.find((b) => labelOf(b) === chosen));
      };
    w.showInformationMessage = message('information');
    w.showWarningMessage = message('warning');
    w.showErrorMessage = message('error');
    w.setStatusBarMessage = (text: string): vscode.Disposable => {
      this.ask({ kind: 'statusBar', text, choices: [] });
      return new vscode.Disposable(() => undefined);
    };
  }

  /** Changes how the next questions are answered. */
  answerWith(answer: Answerer): void {
    this.answer = answer;
  }

  /** The questions of one kind asked so far. */
  of(kind: Asked['kind']): Asked[] {
    return this.asked.filter((a) => a.kind === kind);
  }

  restore(): void {
    Object.assign(vscode.window as unknown as Record<string, unknown>, this.original);
  }

  /** A stand-in for `createQuickPick`: answered when shown, filtering typed text as VS Code does (by label). */
  private quickPick(): vscode.QuickPick<vscode.QuickPickItem> {
    const accepted = new vscode.EventEmitter<void>();
    const hidden = new vscode.EventEmitter<void>();
    const changed = new vscode.EventEmitter<string>();
    const picker = {
      title: undefined as string | undefined,
      placeholder: undefined as string | undefined,
      items: [] as readonly vscode.QuickPickItem[],
      value: '',
      selectedItems: [] as readonly vscode.QuickPickItem[],
      onDidAccept: accepted.event,
      onDidHide: hidden.event,
      onDidChangeValue: changed.event,
      show: (): void => {
        setTimeout(() => {
          const chosen = this.ask({ kind: 'quickPick', text: picker.title ?? '', choices: picker.items.map(labelOf) });
          if (chosen === undefined) return hidden.fire();
          let item = picker.items.find((i) => i.label === chosen);
          if (!item) {
            picker.value = chosen;
            changed.fire(chosen);
            item = picker.items.find((i) => i.alwaysShow === true || i.label.toLowerCase().includes(chosen.toLowerCase()));
          }
          picker.selectedItems = item ? [item] : [];
          accepted.fire();
        }, 0);
      },
      hide: (): void => hidden.fire(),
      dispose: (): void => {
        accepted.dispose();
        hidden.dispose();
        changed.dispose();
      },
    };
    return picker as unknown as vscode.QuickPick<vscode.QuickPickItem>;
  }

  private ask(asked: Asked): Answer {
    this.asked.push(asked);
    return this.answer(asked);
  }
}
