import { el } from './dom';
import type { Store } from './store';
import { textField } from './ui';

const HELP =
  'Filter: words in the body or ID · order.status = "FAILED" (a JSON path; = != > >= < <= ~) · @attribute or @attribute = value · key:<idempotency key> · state:held · is:flagged, is:redelivered, is:duplicate · a leading - negates. Press / to come here, Escape to clear.';

/** The filter box over the list: what it matches is counted; a malformed filter says why. */
export class FilterBar {
  readonly element = el('div', 'toolbar filter-bar');
  readonly field = textField('Filter', '', { size: 40, icon: 'filter' });
  private readonly matches = el('span', 'meta filter-count', '');
  private readonly problem = el('span', 'filter-error', '');

  constructor(
    private readonly store: Store,
    /** Gives the list the focus (Enter, or Escape on an empty box). */
    private readonly toList: () => void,
  ) {
    this.element.setAttribute('role', 'search');
    this.field.setAttribute('placeholder', 'Filter: text, order.status = "FAILED", @attr, key:…, state:held, is:flagged   ( / )');
    this.field.title = HELP;
    this.field.classList.add('filter-field');
    this.problem.setAttribute('role', 'alert');
    this.matches.setAttribute('aria-live', 'polite');
    this.field.value = store.filterText;
    this.element.append(this.field, this.matches, this.problem);
    // Applied at once: a pass over 10,000 messages costs a few milliseconds once their bodies are read.
    this.field.addEventListener('input', () => this.apply());
    this.field.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        if (this.field.value !== '') {
          this.field.value = '';
          this.apply();
        } else this.toList();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        this.apply();
        this.toList();
      }
    });
  }

  focus(): void {
    this.field.focus();
  }

  render(): void {
    const { store } = this;
    const total = store.messages.size;
    this.matches.textContent = store.filtering && total > 0 ? `${store.shown.length.toLocaleString()} of ${total.toLocaleString()} match` : '';
    this.problem.textContent = store.filterError ?? '';
    this.problem.hidden = store.filterError === undefined;
    if (store.filterError) this.field.setAttribute('aria-invalid', 'true');
    else this.field.removeAttribute('aria-invalid');
    if (this.field.value !== store.filterText) this.field.value = store.filterText;
  }

  private apply(): void {
    if (this.field.value !== this.store.filterText) this.store.setFilterText(this.field.value);
  }
}
