import { el } from './dom';
import type { Store } from './store';

/** How far an arrow key moves the split. */
const KEY_STEP = 0.05;

/**
 * The list and the details side by side, or the list above the details in a narrow window
 * (the stylesheet decides), with a splitter between them that the mouse and the arrow keys move.
 */
export class SplitLayout {
  readonly element = el('main');
  private readonly splitter = el('div', 'splitter');

  /** `onResized`: after a drag, when the list's height may have changed. */
  constructor(
    private readonly store: Store,
    list: HTMLElement,
    detail: HTMLElement,
    onResized: () => void,
  ) {
    this.splitter.setAttribute('role', 'separator');
    this.splitter.setAttribute('aria-label', 'Resize the list and the details (arrow keys)');
    this.splitter.tabIndex = 0;
    this.element.append(list, this.splitter, detail);
    this.apply();
    this.splitter.addEventListener('pointerdown', (e) => this.drag(e, onResized));
    this.splitter.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -KEY_STEP : e.key === 'ArrowRight' || e.key === 'ArrowDown' ? KEY_STEP : 0;
      if (step === 0) return;
      e.preventDefault();
      store.setSplit(store.split + step);
      this.apply();
      store.persist();
    });
  }

  private apply(): void {
    this.element.style.setProperty('--list-share', `${this.store.split}fr`);
    this.element.style.setProperty('--detail-share', `${1 - this.store.split}fr`);
  }

  private stacked(): boolean {
    return getComputedStyle(this.element).gridTemplateRows.split(' ').length === 3;
  }

  private drag(e: PointerEvent, onResized: () => void): void {
    e.preventDefault();
    this.splitter.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent): void => {
      const r = this.element.getBoundingClientRect();
      this.store.setSplit(this.stacked() ? (ev.clientY - r.top) / r.height : (ev.clientX - r.left) / r.width);
      this.apply();
    };
    const up = (): void => {
      this.splitter.removeEventListener('pointermove', move);
      this.splitter.removeEventListener('pointerup', up);
      this.store.persist();
      onResized();
    };
    this.splitter.addEventListener('pointermove', move);
    this.splitter.addEventListener('pointerup', up);
  }
}
