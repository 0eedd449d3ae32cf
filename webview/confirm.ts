import { el } from './dom';
import { button } from './ui';

/** Asks in the page before an action that cannot be undone. */
export class ConfirmBar {
  readonly element = el('div', 'confirm');

  /** `onClose`: after the answer, where the focus goes back to. */
  constructor(private readonly onClose: () => void) {
    this.element.setAttribute('role', 'alertdialog');
    this.element.hidden = true;
  }

  /** Shows the question with a button for yes and one for Cancel (or Escape); resolves with the answer. */
  ask(text: string, yes: string): Promise<boolean> {
    return new Promise((resolve) => {
      const ok = button(yes, { appearance: 'primary' });
      const cancel = button('Cancel');
      const done = (answer: boolean): void => {
        this.element.hidden = true;
        this.element.replaceChildren();
        resolve(answer);
        this.onClose();
      };
      ok.addEventListener('click', () => done(true));
      cancel.addEventListener('click', () => done(false));
      this.element.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') done(false);
      }, { once: true });
      this.element.replaceChildren(el('span', undefined, text), ok, cancel);
      this.element.setAttribute('aria-label', text);
      this.element.hidden = false;
      ok.focus();
    });
  }
}
