import type { NoticeLevel } from '../src/shared/kinds';
import { el } from './dom';

/** One line that says what happened: an info, a warning or an error. */
export class Notice {
  readonly element = el('div', 'notice');

  constructor() {
    this.element.setAttribute('role', 'status');
    this.element.setAttribute('aria-live', 'polite');
    this.element.hidden = true;
  }

  show(level: NoticeLevel, text: string): void {
    this.element.className = `notice ${level}`;
    this.element.textContent = text;
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
