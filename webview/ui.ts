// The only module that names the webview UI toolkit (deprecated upstream in 2025): its
// components are registered and created here, so replacing it touches this file alone.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

export function registerUiComponents(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(), vsCodeTextField());
}

/** Elements the app uses, with the properties it reads and writes. */
export interface UiButton extends HTMLElement {
  disabled: boolean;
}
export interface UiField extends HTMLElement {
  value: string;
}

export function button(label: string, options: { icon?: string; appearance?: 'primary' | 'secondary' | 'icon'; title?: string } = {}): UiButton {
  const b = document.createElement('vscode-button') as UiButton;
  b.setAttribute('appearance', options.appearance ?? 'secondary');
  if (options.icon) {
    const icon = document.createElement('span');
    icon.className = `codicon codicon-${options.icon}`;
    icon.slot = options.appearance === 'icon' ? '' : 'start';
    b.appendChild(icon);
  }
  if (options.appearance !== 'icon') b.appendChild(document.createTextNode(label));
  b.setAttribute('aria-label', label);
  b.title = options.title ?? label;
  return b;
}

/** A text field with its label above it, or (with `icon`) a compact one: the icon inside, the label only for screen readers. */
export function textField(label: string, value: string, options: { size?: number; type?: string; icon?: string } = {}): UiField {
  const f = document.createElement('vscode-text-field') as UiField;
  f.setAttribute('size', String(options.size ?? 4));
  if (options.type) f.setAttribute('type', options.type);
  f.setAttribute('aria-label', label);
  f.value = value;
  if (options.icon) {
    const icon = document.createElement('span');
    icon.className = `codicon codicon-${options.icon}`;
    icon.slot = 'start';
    f.appendChild(icon);
  } else {
    const text = document.createElement('span');
    text.textContent = label;
    f.appendChild(text);
  }
  return f;
}

export function dropdown(label: string, choices: readonly { value: string; label: string }[], value: string): UiField {
  const d = document.createElement('vscode-dropdown') as UiField;
  d.setAttribute('aria-label', label);
  for (const c of choices) d.appendChild(option(c.value, c.label));
  d.value = value;
  return d;
}

/** One choice of a {@link dropdown}, to add or remove later. */
export function option(value: string, label: string): HTMLElement {
  const o = document.createElement('vscode-option');
  o.setAttribute('value', value);
  o.textContent = label;
  return o;
}

/** Changes a {@link button}'s label, keeping its icon. */
export function setButtonLabel(b: UiButton, label: string): void {
  for (const n of [...b.childNodes]) if (n.nodeType === Node.TEXT_NODE) n.textContent = label;
  b.setAttribute('aria-label', label);
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}
