// The queue's activity in the inspector's header: a small chart of visible, in-flight and
// delayed messages over the last minutes, operations per second, the age of the oldest
// message, and a notice when a dead-letter queue starts filling. It only draws what the
// host computed; every figure is also in the chart's text alternative.
import type { ActivitySample, ActivityView, OldestAge } from '../src/shared/activity';
import { el, fmtTime } from './dom';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 44;
const SERIES = [
  { key: 'visible', label: 'visible' },
  { key: 'inflight', label: 'in flight' },
  { key: 'delayed', label: 'delayed' },
] as const;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  return e;
}

/** `42 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function fmtAge(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

const rate = (n: number): string => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

function oldestText(oldest: OldestAge | undefined): string {
  if (!oldest) return '';
  if ('unavailable' in oldest) return `Oldest message: unknown. ${oldest.unavailable}`;
  const from = oldest.source === 'server' ? 'exact, from the local server' : `CloudWatch${oldest.at !== undefined ? `, ${fmtTime(oldest.at)}` : ''}`;
  return `Oldest message: ${fmtAge(oldest.seconds)} old (${from})`;
}

/** The text alternative: every figure the chart and the line beside it show. */
export function activitySummary(view: ActivityView): string {
  const last = view.samples.at(-1);
  const first = view.samples[0];
  const parts: string[] = [];
  if (!last || !first) parts.push('Queue activity: no sample yet');
  else {
    const minutes = Math.max(1, Math.round((last.at - first.at) / 60_000));
    parts.push(`Queue activity over the last ${minutes} min: ${last.visible} visible, ${last.inflight} in flight, ${last.delayed} delayed`);
  }
  if (view.rates) parts.push(`${rate(view.rates.sends)} sends, ${rate(view.rates.receives)} receives, ${rate(view.rates.deletes)} deletes per second over ${view.rates.seconds} s`);
  const oldest = oldestText(view.oldest);
  if (oldest) parts.push(oldest);
  return parts.join('. ') + '.';
}

/** The activity section of the header. */
export class ActivitySection {
  readonly element = el('section', 'activity');
  private readonly chart = svg('svg', { class: 'activity-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: 'img' });
  private readonly legend = el('span', 'activity-legend');
  private readonly rates = el('span', 'activity-rates');
  private readonly oldest = el('span', 'activity-oldest');
  private readonly dlq = el('div', 'activity-dlq');
  private readonly error = el('div', 'activity-error');

  constructor() {
    this.element.setAttribute('aria-label', 'Queue activity');
    this.dlq.setAttribute('role', 'alert');
    this.dlq.hidden = true;
    this.error.hidden = true;
    const figures = el('div', 'activity-figures');
    figures.append(this.legend, this.rates, this.oldest);
    this.element.append(this.chart, figures, this.dlq, this.error);
    // Shown from the host's first figures on: a saved session has none.
    this.element.hidden = true;
  }

  render(view: ActivityView): void {
    this.element.hidden = false;
    const summary = activitySummary(view);
    this.chart.setAttribute('aria-label', summary);
    const title = svg('title');
    title.textContent = summary;
    this.chart.replaceChildren(title, ...this.drawSeries(view.samples));
    const last = view.samples.at(-1);
    this.legend.replaceChildren(
      ...SERIES.map((s) => el('span', `legend series-${s.key}`, `${last ? last[s.key] : '–'} ${s.label}`)),
    );
    this.rates.textContent = view.rates
      ? `${rate(view.rates.sends)} sends/s · ${rate(view.rates.receives)} receives/s · ${rate(view.rates.deletes)} deletes/s`
      : (view.ratesNote ?? '');
    this.rates.title = view.rates ? `Every client's operations on this queue, from the local server's trace, averaged over ${view.rates.seconds} s` : '';
    this.rates.classList.toggle('unavailable', !view.rates);
    this.rates.hidden = !view.rates && view.ratesNote === undefined;
    this.oldest.textContent = oldestText(view.oldest);
    this.oldest.classList.toggle('unavailable', view.oldest !== undefined && 'unavailable' in view.oldest);
    // An alert is read out when its text changes: set it only then, not with every sample.
    if (this.dlq.textContent !== (view.dlqNotice ?? '')) this.dlq.textContent = view.dlqNotice ?? '';
    this.dlq.hidden = view.dlqNotice === undefined;
    this.error.textContent = view.error ?? '';
    this.error.hidden = view.error === undefined;
  }

  private drawSeries(samples: readonly ActivitySample[]): SVGElement[] {
    const frame = svg('rect', { class: 'frame', x: 0.5, y: 0.5, width: WIDTH - 1, height: HEIGHT - 1, rx: 2 });
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) {
      const empty = svg('text', { class: 'empty', x: WIDTH / 2, y: HEIGHT / 2 + 4, 'text-anchor': 'middle' });
      empty.textContent = 'no sample yet';
      return [frame, empty];
    }
    const max = Math.max(1, ...samples.map((s) => Math.max(s.visible, s.inflight, s.delayed)));
    const span = Math.max(1, last.at - first.at);
    const x = (at: number): number => 2 + ((at - first.at) / span) * (WIDTH - 4);
    const y = (n: number): number => HEIGHT - 3 - (n / max) * (HEIGHT - 14);
    // One sample draws as a short level line at the right end.
    const points = (key: (typeof SERIES)[number]['key']): string =>
      samples.length === 1 ? `${WIDTH - 10},${y(last[key]).toFixed(1)} ${WIDTH - 2},${y(last[key]).toFixed(1)}` : samples.map((p) => `${x(p.at).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
    const lines = SERIES.map((s) => svg('polyline', { class: `series-${s.key}`, points: points(s.key) }));
    const top = svg('text', { class: 'scale', x: 4, y: 10 });
    top.textContent = String(max);
    return [frame, ...lines, top];
  }
}
