import type { TimelineEvent } from '../src/protocol';
import { isInFlight, type MessageState } from '../src/shared/kinds';

/** One row of the timeline: a message and what happened to it. */
export interface TimelineRow {
  readonly id: string;
  readonly label: string;
  readonly events: readonly TimelineEvent[];
  readonly state: MessageState;
  /** Deadline of the current hold, for an open window. */
  readonly deadline: number;
}

/** A visibility window: from a receive (or extension) to its end. */
export interface VisibilityWindow {
  readonly start: number;
  readonly end: number;
  readonly ending: 'extended' | 'released' | 'expired' | 'deleted' | 'movedToDlq' | 'open';
  /** Who held the message in this window (the receive's consumer, or the inspector). */
  readonly by?: string;
}

const ENDINGS = new Set(['extended', 'released', 'expired', 'deleted', 'movedToDlq']);

/**
 * The visibility windows of a message: each receive opens one, which ends at the next
 * extension (which opens the next), a release, an expiry, a delete, or the deadline; the
 * window of a message still held stays open and grows until `now`.
 */
export function windowsOf(row: TimelineRow, now: number): VisibilityWindow[] {
  const out: VisibilityWindow[] = [];
  let open: { start: number; deadline: number | undefined; by: string | undefined } | undefined;
  const held = (w: Omit<VisibilityWindow, 'by'>, by: string | undefined): VisibilityWindow => (by !== undefined ? { ...w, by } : w);
  for (const e of row.events) {
    if (open && ENDINGS.has(e.kind)) {
      out.push(held({ start: open.start, end: e.at, ending: e.kind as VisibilityWindow['ending'] }, open.by));
    } else if (open && e.kind === 'received') {
      // A new receive without a recorded end: the previous window ran out at its deadline.
      out.push(held({ start: open.start, end: Math.min(e.at, open.deadline ?? e.at), ending: 'expired' }, open.by));
    }
    // An extension opens the next window of the same holder.
    if (e.kind === 'received' || e.kind === 'extended') open = { start: e.at, deadline: e.deadline, by: e.kind === 'received' ? e.by : open?.by };
    else if (ENDINGS.has(e.kind)) open = undefined;
  }
  if (open) {
    if (isInFlight(row.state)) out.push(held({ start: open.start, end: Math.max(open.start, now), ending: 'open' }, open.by));
    else out.push(held({ start: open.start, end: open.deadline ?? open.start, ending: 'expired' }, open.by));
  }
  return out;
}

const SVG = 'http://www.w3.org/2000/svg';
/** One formatter for every time shown: making one per call is slow. */
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const ROW_HEIGHT = 24;
const AXIS_HEIGHT = 22;
const LABEL_WIDTH = 92;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, className?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (className) e.setAttribute('class', className);
  return e;
}

const STEPS = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];

function tickLabel(t: number, step: number): string {
  const d = new Date(t);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  const ss = String(d.getSeconds()).padStart(2, '0');
  if (step < 1000) return `${ss}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  return step < 60_000 ? `${hh}:${mm}:${ss}` : `${hh}:${mm}`;
}

/**
 * A time axis with one row per message: markers for sends, receives (with their count),
 * moves to the DLQ, copies (a dashed line joins an original to its copy when both have a
 * row), failures, faults injected by the local server's fault plan; bars for visibility windows coloured by how they ended.
 * Zoom with the buttons, Ctrl+wheel or +/-; pan by dragging, the wheel, or the arrow keys;
 * only the rows in view are drawn. Every marker and bar can take focus and says what it is.
 */
export class TimelineView {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly canvas: SVGSVGElement;
  private readonly info: HTMLElement;
  private rows: readonly TimelineRow[] = [];
  private from = 0;
  private to = 1;
  private fitted = false;
  private now = Date.now();
  private drag: { x: number; from: number; to: number } | undefined;

  constructor(private readonly options: { label: string; maxHeight?: number; onSelect?(id: string): void }) {
    this.element = document.createElement('div');
    this.element.className = 'timeline';
    const bar = document.createElement('div');
    bar.className = 'timeline-bar';
    const mk = (label: string, iconName: string, run: () => void): HTMLButtonElement => {
      const b = document.createElement('button');
      b.className = 'timeline-button';
      b.setAttribute('aria-label', label);
      b.title = label;
      const i = document.createElement('span');
      i.className = `codicon codicon-${iconName}`;
      i.setAttribute('aria-hidden', 'true');
      b.append(i);
      b.addEventListener('click', run);
      return b;
    };
    bar.append(
      mk('Zoom in (+)', 'zoom-in', () => this.zoom(0.5)),
      mk('Zoom out (-)', 'zoom-out', () => this.zoom(2)),
      mk('Fit (0)', 'screen-full', () => this.fit()),
    );
    this.info = document.createElement('div');
    this.info.className = 'timeline-info';
    this.info.setAttribute('aria-live', 'polite');
    bar.append(this.info);
    this.scroller = document.createElement('div');
    this.scroller.className = 'timeline-scroller';
    if (options.maxHeight) this.scroller.style.maxHeight = `${options.maxHeight}px`;
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'group');
    this.scroller.setAttribute('aria-label', `${options.label}: arrows pan, + and - zoom, 0 fits`);
    this.canvas = svg('svg', { role: 'presentation' });
    this.scroller.append(this.canvas);
    this.element.append(bar, this.scroller);
    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('[data-focusable]')) return;
      this.drag = { x: e.clientX, from: this.from, to: this.to };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      const dt = ((e.clientX - this.drag.x) / this.plotWidth) * (this.drag.to - this.drag.from);
      this.from = this.drag.from - dt;
      this.to = this.drag.to - dt;
      this.render();
    });
    this.canvas.addEventListener('pointerup', () => (this.drag = undefined));
  }

  /** The visible time range, for tests and for keeping the view while data grows. */
  get range(): { from: number; to: number } {
    return { from: this.from, to: this.to };
  }

  setRows(rows: readonly TimelineRow[], now: number): void {
    this.rows = rows;
    this.now = now;
    if (!this.fitted) this.fit();
    else this.render();
  }

  /** Moves `now` on: open windows grow. */
  tick(now: number): void {
    this.now = now;
    this.render();
  }

  fit(): void {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of this.rows) {
      for (const e of r.events) {
        min = Math.min(min, e.at);
        max = Math.max(max, e.at, e.deadline ?? e.at);
      }
      if (isInFlight(r.state)) max = Math.max(max, this.now, r.deadline);
    }
    if (!Number.isFinite(min)) {
      min = this.now - 60_000;
      max = this.now;
    }
    const pad = Math.max(1000, (max - min) * 0.05);
    this.from = min - pad;
    this.to = max + pad;
    this.fitted = this.rows.length > 0;
    this.render();
  }

  zoom(factor: number, at?: number): void {
    const center = at ?? (this.from + this.to) / 2;
    const span = Math.max(200, Math.min(30 * 86_400_000, (this.to - this.from) * factor));
    const ratio = (center - this.from) / (this.to - this.from);
    this.from = center - span * ratio;
    this.to = this.from + span;
    this.render();
  }

  pan(fraction: number): void {
    const dt = (this.to - this.from) * fraction;
    this.from += dt;
    this.to += dt;
    this.render();
  }

  /** Read once per render: reading the layout inside the drawing loop forces a layout per row. */
  private width = 600;

  private get plotWidth(): number {
    return Math.max(100, this.width - LABEL_WIDTH - 8);
  }

  private x(t: number): number {
    return LABEL_WIDTH + ((t - this.from) / (this.to - this.from)) * this.plotWidth;
  }

  private onWheel(e: WheelEvent): void {
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      const rect = this.canvas.getBoundingClientRect();
      const t = this.from + ((e.clientX - rect.left - LABEL_WIDTH) / this.plotWidth) * (this.to - this.from);
      this.zoom(e.deltaY > 0 ? 1.25 : 0.8, t);
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      this.pan((e.deltaX || e.deltaY) / 1000);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const keys: Record<string, () => void> = {
      ArrowLeft: () => this.pan(-0.1),
      ArrowRight: () => this.pan(0.1),
      '+': () => this.zoom(0.5),
      '=': () => this.zoom(0.5),
      '-': () => this.zoom(2),
      '0': () => this.fit(),
    };
    const run = keys[e.key];
    if (run) {
      e.preventDefault();
      run();
    }
  }

  private describe(text: string): void {
    this.info.textContent = text;
  }

  private focusable(node: SVGElement, text: string, id: string): void {
    node.setAttribute('tabindex', '0');
    node.setAttribute('data-focusable', '');
    node.setAttribute('role', 'img');
    node.setAttribute('aria-label', text);
    const title = svg('title', {});
    title.textContent = text;
    node.append(title);
    node.addEventListener('focus', () => this.describe(text));
    node.addEventListener('mouseenter', () => this.describe(text));
    node.addEventListener('click', () => this.options.onSelect?.(id));
  }

  render(): void {
    this.width = this.scroller.clientWidth || 600;
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 400;
    const width = this.plotWidth + LABEL_WIDTH + 8;
    const total = AXIS_HEIGHT + this.rows.length * ROW_HEIGHT + 4;
    this.canvas.setAttribute('width', String(width));
    this.canvas.setAttribute('height', String(total));
    this.canvas.replaceChildren();
    // Axis
    const span = this.to - this.from;
    const step = STEPS.find((s) => (s / span) * this.plotWidth >= 80) ?? STEPS[STEPS.length - 1];
    const axis = svg('g', {}, 'axis');
    for (let t = Math.ceil(this.from / step) * step; t <= this.to; t += step) {
      const x = this.x(t);
      axis.append(svg('line', { x1: x, x2: x, y1: AXIS_HEIGHT - 4, y2: total }, 'grid'));
      // A label that would run past the right edge is left out (its grid line stays).
      if (x + 56 <= width) {
        const label = svg('text', { x: x + 3, y: AXIS_HEIGHT - 8 }, 'tick');
        label.textContent = tickLabel(t, step);
        axis.append(label);
      }
    }
    if (this.now >= this.from && this.now <= this.to) axis.append(svg('line', { x1: this.x(this.now), x2: this.x(this.now), y1: 0, y2: total }, 'now'));
    this.canvas.append(axis);
    // Rows in view only, built apart and added at once
    const rows = document.createDocumentFragment();
    const first = Math.max(0, Math.floor((top - AXIS_HEIGHT) / ROW_HEIGHT) - 5);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW_HEIGHT) + 5);
    for (let i = first; i < last; i++) rows.append(this.renderRow(this.rows[i], AXIS_HEIGHT + i * ROW_HEIGHT));
    rows.append(this.renderLinks(first, last));
    this.canvas.append(rows);
  }

  /**
   * A dashed line from each `copied` mark in view to its copy's `sent` mark, when the copy
   * has a row here too (a copy to the same queue, or the all-messages timeline).
   */
  private renderLinks(first: number, last: number): SVGGElement {
    const g = svg('g', {}, 'links');
    let index: Map<string, number> | undefined;
    const mid = (i: number): number => AXIS_HEIGHT + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      for (const e of row.events) {
        if (e.kind !== 'copied' || e.link === undefined) continue;
        index ??= new Map(this.rows.map((r, n) => [r.id, n]));
        const j = index.get(e.link);
        if (j === undefined) continue;
        const sent = this.rows[j].events.find((x) => x.kind === 'sent' && x.link === row.id);
        const line = svg('line', { x1: this.x(e.at), y1: mid(i), x2: this.x(sent?.at ?? e.at), y2: mid(j) }, 'link');
        this.focusable(line, `${e.detail}: row ${j + 1}`, row.id);
        g.append(line);
      }
    }
    return g;
  }

  private renderRow(row: TimelineRow, y: number): SVGGElement {
    const g = svg('g', {}, 'row');
    const label = svg('text', { x: 4, y: y + 16 }, 'row-label');
    label.textContent = row.label;
    g.append(label);
    const mid = y + ROW_HEIGHT / 2;
    for (const w of windowsOf(row, this.now)) {
      const x1 = Math.max(LABEL_WIDTH, this.x(w.start));
      const x2 = Math.min(this.x(this.to), this.x(w.end));
      if (x2 < LABEL_WIDTH || x1 > this.x(this.to)) continue;
      const rect = svg('rect', { x: x1, y: mid - 5, width: Math.max(2, x2 - x1), height: 10, rx: 2 }, `window window-${w.ending}`);
      const seconds = ((w.end - w.start) / 1000).toFixed(1);
      const who = w.by !== undefined ? `, held by ${w.by}` : '';
      const text = w.ending === 'open' ? `visibility window${who}: open for ${seconds} s so far, until ${TIME.format(row.deadline)}` : `visibility window of ${seconds} s${who}, ended: ${w.ending === 'movedToDlq' ? 'moved to the DLQ' : w.ending}`;
      this.focusable(rect, text, row.id);
      g.append(rect);
    }
    for (const e of row.events) {
      const x = this.x(e.at);
      if (x < LABEL_WIDTH - 6 || x > this.x(this.to) + 6) continue;
      const mark = markOf(e, x, mid);
      if (!mark) continue;
      this.focusable(mark, `${TIME.format(e.at)}: ${e.detail}`, row.id);
      g.append(mark);
    }
    return g;
  }
}

/** The mark an event draws at `x` on a row whose middle is `mid`; none for events that only bound windows. */
function markOf(e: TimelineEvent, x: number, mid: number): SVGElement | undefined {
  switch (e.kind) {
    case 'sent':
      return svg('circle', { cx: x, cy: mid, r: 5 }, 'mark mark-sent');
    case 'received': {
      const mark = svg('g', {}, 'mark mark-received');
      mark.append(svg('path', { d: `M ${x - 5} ${mid - 6} L ${x + 5} ${mid - 6} L ${x} ${mid + 2} Z` }));
      const count = svg('text', { x: x + 4, y: mid - 5 }, 'count');
      count.textContent = String(e.receiveCount ?? '');
      mark.append(count);
      return mark;
    }
    case 'movedToDlq':
      return svg('path', { d: `M ${x} ${mid - 6} L ${x + 6} ${mid} L ${x} ${mid + 6} L ${x - 6} ${mid} Z` }, 'mark mark-dlq');
    case 'deleted':
      return svg('path', { d: `M ${x - 4} ${mid - 4} L ${x + 4} ${mid + 4} M ${x - 4} ${mid + 4} L ${x + 4} ${mid - 4}` }, 'mark mark-deleted');
    case 'copied':
      return svg('path', { d: `M ${x - 5} ${mid - 5} L ${x + 5} ${mid} L ${x - 5} ${mid + 5} Z` }, 'mark mark-copied');
    case 'failed':
      return svg('circle', { cx: x, cy: mid, r: 3 }, 'mark mark-failed');
    case 'extended':
      return svg('line', { x1: x, x2: x, y1: mid - 7, y2: mid + 7 }, 'mark mark-extended');
    case 'injected':
      // A lightning bolt above the line: the local server's fault plan did this, not the app.
      return svg('path', { d: `M ${x + 2} ${mid - 9} L ${x - 3} ${mid - 1} L ${x} ${mid - 1} L ${x - 2} ${mid + 7} L ${x + 4} ${mid - 3} L ${x + 1} ${mid - 3} Z` }, 'mark mark-injected');
    case 'delayEnded':
      // A short rising tick: from here on the message can be received.
      return svg('path', { d: `M ${x - 4} ${mid + 4} L ${x} ${mid - 4} L ${x + 4} ${mid + 4}` }, 'mark mark-delay-ended');
    case 'deduplicated':
      // A hollow ring: a send that SQS accepted and dropped.
      return svg('circle', { cx: x, cy: mid, r: 4 }, 'mark mark-deduplicated');
    case 'moved':
      // An arrow leaving the row: moved to another queue by a move task.
      return svg('path', { d: `M ${x - 6} ${mid} L ${x + 4} ${mid} M ${x} ${mid - 4} L ${x + 4} ${mid} L ${x} ${mid + 4}` }, 'mark mark-moved');
    case 'dropped':
      return svg('path', { d: `M ${x - 4} ${mid - 4} L ${x + 4} ${mid + 4} M ${x - 4} ${mid + 4} L ${x + 4} ${mid - 4}` }, 'mark mark-dropped');
    default:
      return undefined;
  }
}
