/**
 * The message inspector webview with 10,000 messages beside 1,000, in headless Chromium
 * (the built dist/webview page served as the browser tests serve it, bench/inspectorPage.ts):
 * first render, a batch of 100 new lifecycle events in the list and in the Timeline, and the
 * page's memory; then the duplicate index of src/model over 100,000 messages beside 1,000.
 * Rendering should cost less than linearly more for ten times the messages; an incremental
 * batch should cost about the same whatever is loaded or indexed already.
 */
import type { BrowserContext } from 'playwright-core';
import type { MessageView, TimelineEvent } from '../../src/protocol';
import { hotKey, timeIncrementalBatches, type BuildTiming, type HotKeyTiming } from '../duplicateIndex';
import {
  idleBusy,
  loadInspectorPageHelpers,
  openInspector,
  pageMemory,
  timeStep,
  type InspectorPage,
  type IdleCost,
  type InspectorPageHelpers,
  type PageMemory,
  type Step,
  type StepTiming,
} from '../inspectorPage';
import { formatNumber, megabytes, ratio, type Cell, type Report } from '../report';
import { median, sleep } from '../util';
import type { Section } from './section';

const SMALL = 1_000;
const LARGE = 10_000;
const SIZES = [SMALL, LARGE] as const;
/** Events per message: as the browser tests' held messages (sent, received), and a longer history. */
const FEW_EVENTS = 2;
const MANY_EVENTS = 10;
const RENDER_RUNS = 5;
const BATCH = 100;
const UPSERT_WARMUP = 3;
const UPSERT_BATCHES = 15;
const ADD_BATCHES = 8;
const INTERACTION_STEPS = 10;
const IDLE_MS = 2_000;
const DUP_SMALL = 1_000;
const DUP_LARGE = 100_000;
const DUP_BUILDS = 9;
const DUP_BATCHES_PER_BUILD = 6;
const HOT_KEY_SIZES = [1_000, 10_000] as const;
/** Render time for 10x the messages: below 10x is less than linear. */
const RENDER_RATIO_TARGET = 10;
/**
 * A batch of 100 events with 10x the messages loaded: at most this many times slower. For
 * the index (100x the messages), at most this many times the floor's growth (plain Maps).
 */
const CONSTANT_RATIO_TARGET = 2;
const PAGE_TIMEOUT_MS = 60_000;
/** The browser part stops starting new measurements after this; the section's figures then say what is missing. */
const BROWSER_BUDGET_MS = 200_000;
const INDEX_BUDGET_MS = 40_000;
const TIMELINE_BUTTON = 'vscode-button[aria-label="Timeline"]';

type View = 'list' | 'timeline';

// ---- messages ---------------------------------------------------------------------------

/** The messages an inspector shows, as the host sends them, with a history that can grow. */
class Inbox {
  readonly messages: MessageView[];
  private added = 0;

  constructor(
    private readonly helpers: InspectorPageHelpers,
    count: number,
    eventsPerMessage: number,
    private readonly now = Date.now(),
  ) {
    this.messages = Array.from({ length: count }, (_, i) => withHistory(helpers.heldMessage(i, now), eventsPerMessage));
  }

  stateSet(): unknown {
    const { QUEUE, OPTIONS, SUMMARY } = this.helpers;
    return { method: 'host/state/set', params: { queue: QUEUE, options: OPTIONS, messages: this.messages, summary: SUMMARY, now: this.now } };
  }

  /** One new event (an extension of the hold) on each of 100 messages spread over the list. */
  eventsBatch(round: number): unknown {
    const step = Math.floor(this.messages.length / BATCH);
    const changed: MessageView[] = [];
    for (let k = 0; k < BATCH; k++) {
      const i = (k * step + round) % this.messages.length;
      const m = this.messages[i];
      const at = this.now + round * 1000;
      const deadline = m.deadline + 30_000;
      const event: TimelineEvent = { kind: 'extended', at, deadline, detail: `extended by 30 s (batch ${round})` };
      const next: MessageView = { ...m, events: [...m.events, event], deadline, windowStart: at };
      this.messages[i] = next;
      changed.push(next);
    }
    return this.upsert(changed);
  }

  /** 100 messages not shown before (a receive), appended to the list. */
  newMessagesBatch(): unknown {
    const base = this.messages.length + this.added;
    const fresh = Array.from({ length: BATCH }, (_, k) => {
      const i = base + k;
      return this.helpers.heldMessage(i, this.now, { messageId: `new-${String(i).padStart(6, '0')}-bench` });
    });
    this.added += BATCH;
    return this.upsert(fresh);
  }

  private upsert(messages: MessageView[]): unknown {
    return { method: 'host/messages/upsert', params: { messages, summary: this.helpers.SUMMARY, now: this.now } };
  }
}

/** The held message with `count` events: its send and receive, then extensions of the hold. */
function withHistory(m: MessageView, count: number): MessageView {
  if (m.events.length >= count) return m;
  const events = [...m.events];
  let deadline = m.deadline;
  let at = m.windowStart;
  while (events.length < count) {
    at += 5_000;
    deadline += 30_000;
    events.push({ kind: 'extended', at, deadline, detail: `extended to ${new Date(deadline).toISOString()}` });
  }
  return { ...m, events, deadline, windowStart: at };
}

// ---- measurements -----------------------------------------------------------------------

interface Browser {
  helpers: InspectorPageHelpers;
  context: BrowserContext;
  url: string;
  deadline: number;
}

async function withPage<T>(b: Browser, run: (p: InspectorPage) => Promise<T>): Promise<T> {
  const p = await openInspector(b.context, b.url, PAGE_TIMEOUT_MS);
  try {
    return await run(p);
  } finally {
    await p.close();
  }
}

interface RenderFigures {
  messages: number;
  eventsPerMessage: number;
  runs: StepTiming[];
  median: { scriptMs: number; layoutMs: number; paintMs: number; decodeMs: number; layouts: number };
  listRows: number;
}

/** First render on fresh pages, sizes alternating; medians over the runs. */
async function measureRender(b: Browser, eventsPerMessage: number): Promise<RenderFigures[]> {
  const runs = new Map<number, StepTiming[]>(SIZES.map((n) => [n, []]));
  const inboxes = new Map(SIZES.map((n) => [n, new Inbox(b.helpers, n, eventsPerMessage)]));
  for (let round = 0; round < RENDER_RUNS && performance.now() < b.deadline; round++) {
    const order = round % 2 === 0 ? SIZES : [...SIZES].reverse();
    for (const n of order) {
      const inbox = inboxes.get(n);
      if (!inbox) continue;
      runs.get(n)?.push(await withPage(b, (p) => timeStep(p, { kind: 'deliver', message: inbox.stateSet() })));
    }
  }
  return SIZES.map((n) => {
    const list = runs.get(n) ?? [];
    return {
      messages: n,
      eventsPerMessage,
      runs: list,
      median: {
        scriptMs: median(list.map((t) => t.scriptMs)),
        layoutMs: median(list.map((t) => t.layoutMs)),
        paintMs: median(list.map((t) => t.paintMs)),
        decodeMs: median(list.map((t) => t.decodeMs ?? NaN)),
        layouts: median(list.map((t) => t.layouts)),
      },
      listRows: median(list.map((t) => t.listRows)),
    };
  });
}

interface UpsertFigures {
  messages: number;
  view: View;
  /** Switching to the Timeline the first time (timeline view only). */
  toggle?: StepTiming;
  events: { samples: StepTiming[]; medianLayoutMs: number; medianPaintMs: number; p90LayoutMs: number; medianLayouts: number };
  added: { samples: StepTiming[]; medianLayoutMs: number; medianPaintMs: number };
  rowsDrawn: number;
  interactions: Interaction[];
}

/** A step the user makes (or a timer makes) on the loaded page, repeated. */
interface Interaction {
  label: string;
  samples: StepTiming[];
  medianLayoutMs: number;
  medianLayouts: number;
}

async function interaction(p: InspectorPage, label: string, step: (k: number) => Step): Promise<Interaction> {
  await timeStep(p, step(0));
  const samples: StepTiming[] = [];
  for (let k = 1; k <= INTERACTION_STEPS; k++) samples.push(await timeStep(p, step(k)));
  return { label, samples, medianLayoutMs: median(samples.map((t) => t.layoutMs)), medianLayouts: median(samples.map((t) => t.layouts)) };
}

const INTERACTIONS: Record<View, string[]> = {
  list: ['list: scroll by 4 rows (100 px), from its scroll event', 'list: ArrowDown to the next message'],
  timeline: ['timeline: redraw, nothing changed (as each 250 ms tick while a message is held)', 'timeline: scroll by 4 rows (96 px), from its scroll event'],
};

function p90(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? NaN;
}

/** 100 new events per batch on a loaded page; then batches of 100 new messages. */
async function measureUpsert(b: Browser, n: number, view: View): Promise<UpsertFigures> {
  const inbox = new Inbox(b.helpers, n, FEW_EVENTS);
  return withPage(b, async (p) => {
    await timeStep(p, { kind: 'deliver', message: inbox.stateSet() });
    const toggle = view === 'timeline' ? await timeStep(p, { kind: 'click', selector: TIMELINE_BUTTON }) : undefined;
    let round = 0;
    for (let k = 0; k < UPSERT_WARMUP; k++) await timeStep(p, { kind: 'deliver', message: inbox.eventsBatch(round++) });
    const events: StepTiming[] = [];
    for (let k = 0; k < UPSERT_BATCHES && performance.now() < b.deadline; k++) events.push(await timeStep(p, { kind: 'deliver', message: inbox.eventsBatch(round++) }));
    const added: StepTiming[] = [];
    for (let k = 0; k < ADD_BATCHES && performance.now() < b.deadline; k++) added.push(await timeStep(p, { kind: 'deliver', message: inbox.newMessagesBatch() }));
    const interactions: Interaction[] = [];
    if (performance.now() < b.deadline) {
      if (view === 'list') {
        interactions.push(await interaction(p, INTERACTIONS.list[0], (k) => ({ kind: 'scroll', selector: '.list', top: (k + 1) * 100 })));
        interactions.push(await interaction(p, INTERACTIONS.list[1], () => ({ kind: 'key', selector: 'table', key: 'ArrowDown' })));
      } else {
        const nothing = { method: 'host/messages/upsert', params: { messages: [], summary: b.helpers.SUMMARY, now: Date.now() } };
        interactions.push(await interaction(p, INTERACTIONS.timeline[0], () => ({ kind: 'deliver', message: nothing })));
        interactions.push(await interaction(p, INTERACTIONS.timeline[1], (k) => ({ kind: 'scroll', selector: '.timeline.all .timeline-scroller', top: (k + 1) * 96 })));
      }
    }
    const last = events[events.length - 1];
    return {
      messages: n,
      view,
      ...(toggle ? { toggle } : {}),
      events: {
        samples: events,
        medianLayoutMs: median(events.map((t) => t.layoutMs)),
        medianPaintMs: median(events.map((t) => t.paintMs)),
        p90LayoutMs: p90(events.map((t) => t.layoutMs)),
        medianLayouts: median(events.map((t) => t.layouts)),
      },
      added: { samples: added, medianLayoutMs: median(added.map((t) => t.layoutMs)), medianPaintMs: median(added.map((t) => t.paintMs)) },
      rowsDrawn: last ? (view === 'list' ? last.listRows : last.timelineRows) : NaN,
      interactions,
    };
  });
}

interface MemoryFigures {
  messages: number;
  eventsPerMessage: number;
  list: PageMemory & { idle: IdleCost };
  timeline: PageMemory & { idle: IdleCost };
}

async function measureMemory(b: Browser, n: number, eventsPerMessage: number): Promise<MemoryFigures> {
  const inbox = new Inbox(b.helpers, n, eventsPerMessage);
  return withPage(b, async (p) => {
    await timeStep(p, { kind: 'deliver', message: inbox.stateSet() });
    await sleep(300);
    const listMemory = await pageMemory(p);
    const listIdle = await idleBusy(p, IDLE_MS);
    await timeStep(p, { kind: 'click', selector: TIMELINE_BUTTON });
    await sleep(300);
    const timelineMemory = await pageMemory(p);
    const timelineIdle = await idleBusy(p, IDLE_MS);
    return {
      messages: n,
      eventsPerMessage,
      list: { ...listMemory, idle: listIdle },
      timeline: { ...timelineMemory, idle: timelineIdle },
    };
  });
}

/** Filters typed into the loaded page: the first pass reads every body; later ones reuse it. */
const FILTERS = ['quantity > 5000', 'quantity > 9000', 'KB-42 ord-10', '@eventType = OrderCreated', 'state:held -is:flagged', ''] as const;
const FILTER_ROUNDS = 5;
const FILTER_FIELD = 'vscode-text-field[aria-label="Filter"]';
const FILTER_TARGET_MS = 50;

interface FilterFigures {
  messages: number;
  /** By filter: the first time (cold caches), and the median of the later rounds, to paint. */
  byFilter: { filter: string; firstPaintMs: number; warmPaintMs: number; firstLayoutMs: number; warmLayoutMs: number; shownRows: number }[];
}

async function measureFilter(b: Browser, n: number): Promise<FilterFigures> {
  const inbox = new Inbox(b.helpers, n, FEW_EVENTS);
  return withPage(b, async (p) => {
    await timeStep(p, { kind: 'deliver', message: inbox.stateSet() });
    const samples = new Map<string, StepTiming[]>(FILTERS.map((f) => [f, []]));
    for (let round = 0; round < FILTER_ROUNDS && performance.now() < b.deadline; round++) {
      for (const filter of FILTERS) samples.get(filter)?.push(await timeStep(p, { kind: 'type', selector: FILTER_FIELD, value: filter }));
    }
    return {
      messages: n,
      byFilter: FILTERS.map((filter) => {
        const list = samples.get(filter) ?? [];
        const later = list.slice(1);
        return {
          filter,
          firstPaintMs: list[0]?.paintMs ?? NaN,
          warmPaintMs: median(later.map((t) => t.paintMs)),
          firstLayoutMs: list[0]?.layoutMs ?? NaN,
          warmLayoutMs: median(later.map((t) => t.layoutMs)),
          shownRows: list[0]?.listRows ?? NaN,
        };
      }),
    };
  });
}

// ---- reporting ----------------------------------------------------------------------------

const r1 = (n: number | undefined): number | undefined => (n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 10) / 10);
const r2 = (n: number | undefined): number | undefined => (n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 100) / 100);
const ratioText = (a: number | undefined, b: number | undefined): string | undefined => (a === undefined || b === undefined ? undefined : ratio(a, b)?.toFixed(2));

function sideBySide(label: string, small: number | undefined, large: number | undefined, round: (n: number | undefined) => number | undefined = r1): Cell[] {
  return [label, round(small), round(large), ratioText(large, small)];
}

function bySize<T extends { messages: number }>(list: T[], n: number): T | undefined {
  return list.find((x) => x.messages === n);
}

function renderTarget(report: Report, figures: RenderFigures[], eventsPerMessage: number): void {
  const small = bySize(figures, SMALL);
  const large = bySize(figures, LARGE);
  const complete = !!small && !!large && small.runs.length > 0 && large.runs.length > 0;
  const paint = complete ? ratio(large.median.paintMs, small.median.paintMs) : undefined;
  const layout = complete ? ratio(large.median.layoutMs, small.median.layoutMs) : undefined;
  const worst = paint === undefined || layout === undefined ? undefined : Math.max(paint, layout);
  report.target(
    'webview',
    `inspector first render, ${formatNumber(LARGE)} / ${formatNumber(SMALL)} messages (${eventsPerMessage} events each) < ${RENDER_RATIO_TARGET} (less than linear)`,
    worst !== undefined && worst < RENDER_RATIO_TARGET,
    complete
      ? `to paint ${r1(large.median.paintMs)} vs ${r1(small.median.paintMs)} ms: ${paint?.toFixed(2)}x; script+layout ${r1(large.median.layoutMs)} vs ${r1(small.median.layoutMs)} ms: ${layout?.toFixed(2)}x (medians of ${large.runs.length} and ${small.runs.length} fresh pages)`
      : 'not measured (time budget or error)',
  );
}

// ---- the section ----------------------------------------------------------------------------

export const webviewSection: Section = {
  name: 'webview',
  title: `Inspector webview in headless Chromium (${formatNumber(LARGE)} vs ${formatNumber(SMALL)} messages) and the duplicate index (${formatNumber(DUP_LARGE)} vs ${formatNumber(DUP_SMALL)} messages)`,
  async run({ report }) {
    const data: Record<string, unknown> = {
      parameters: {
        sizes: SIZES,
        eventsPerMessage: [FEW_EVENTS, MANY_EVENTS],
        renderRuns: RENDER_RUNS,
        batch: BATCH,
        upsertWarmup: UPSERT_WARMUP,
        upsertBatches: UPSERT_BATCHES,
        addBatches: ADD_BATCHES,
        idleMs: IDLE_MS,
        duplicateIndex: { small: DUP_SMALL, large: DUP_LARGE, builds: DUP_BUILDS, batchesPerBuild: DUP_BATCHES_PER_BUILD, hotKeySizes: HOT_KEY_SIZES },
        renderRatioTarget: RENDER_RATIO_TARGET,
        constantRatioTarget: CONSTANT_RATIO_TARGET,
      },
    };
    report.data('webview', data);
    // The index part runs in this process: it runs even when the browser part fails, whose
    // error is then passed on to the runner.
    let browserError: Error | undefined;
    try {
      await browserPart(report, data);
    } catch (err) {
      browserError = err instanceof Error ? err : new Error(String(err));
    }
    try {
      indexPart(report, data);
    } finally {
      report.data('webview', data);
    }
    if (browserError !== undefined) throw browserError;
  },
};

async function browserPart(report: Report, data: Record<string, unknown>): Promise<void> {
  const helpers = loadInspectorPageHelpers();
  const server = await helpers.servePage();
  let browser: Awaited<ReturnType<InspectorPageHelpers['launchBrowser']>> | undefined;
  try {
    browser = await helpers.launchBrowser();
    const b: Browser = { helpers, context: browser.context, url: server.url, deadline: performance.now() + BROWSER_BUDGET_MS };
    const version = await withPage(b, async (p) => (await p.cdp.send('Browser.getVersion')).product);
    report.line(
      `  ${version}, headless, 1280x720; the built page of dist/webview as test/browser/inspectorPage.mjs serves it (the extension's CSP), messages as its heldMessage() makes them. ` +
        'Times are taken in the page with performance.now(): "script" is the message handler, "script+layout" adds the style and layout it causes (forced), ' +
        '"to paint" runs until the next frame has been painted (a requestAnimationFrame callback, then a task posted from it), waiting for that frame included. ' +
        'Host messages are parsed in the page before the clock starts (timed apart); a scroll step is timed from the scroll event the browser fires; each timing follows a forced garbage collection.',
    );

    // 1. First render.
    const render: Record<string, RenderFigures[]> = {};
    for (const events of [FEW_EVENTS, MANY_EVENTS]) render[`events${events}`] = await measureRender(b, events);
    data.firstRender = render;

    // 2. Batches of 100 events, list and Timeline.
    const upserts: UpsertFigures[] = [];
    for (const view of ['list', 'timeline'] as const) for (const n of SIZES) if (performance.now() < b.deadline) upserts.push(await measureUpsert(b, n, view));
    data.upsert = upserts;

    // 3. Memory and idle cost.
    const memory: MemoryFigures[] = [];
    const baseline = await withPage(b, async (p) => ({ ...(await pageMemory(p)), idle: await idleBusy(p, IDLE_MS) }));
    for (const events of [FEW_EVENTS, MANY_EVENTS]) for (const n of SIZES) if (performance.now() < b.deadline) memory.push(await measureMemory(b, n, events));
    data.memory = { emptyPage: baseline, loaded: memory };

    // 4. The filter box.
    const filters: FilterFigures[] = [];
    for (const n of SIZES) if (performance.now() < b.deadline) filters.push(await measureFilter(b, n));
    data.filter = filters;

    // ---- tables
    const renderRows: Cell[][] = [];
    for (const events of [FEW_EVENTS, MANY_EVENTS]) {
      const figs = render[`events${events}`] ?? [];
      const s = bySize(figs, SMALL);
      const l = bySize(figs, LARGE);
      const tag = `${events} events/message`;
      renderRows.push(
        sideBySide(`${tag}: to paint, median ms`, s?.median.paintMs, l?.median.paintMs),
        sideBySide(`${tag}: script+layout, median ms`, s?.median.layoutMs, l?.median.layoutMs),
        sideBySide(`${tag}: script, median ms`, s?.median.scriptMs, l?.median.scriptMs),
        [`${tag}: to paint, min-max ms`, paintRange(s), paintRange(l), undefined],
        sideBySide(`${tag}: layouts, median`, s?.median.layouts, l?.median.layouts),
        sideBySide(`${tag}: message rows in the DOM`, s?.listRows, l?.listRows),
        sideBySide(`${tag}: decoding the message (JSON.parse, before), ms`, s?.median.decodeMs, l?.median.decodeMs),
      );
    }
    report.table({
      title: `First render: host/state/set delivered until the rows are painted, fresh page each time (median of ${RENDER_RUNS}, sizes alternating)`,
      columns: ['measurement', `${formatNumber(SMALL)} messages`, `${formatNumber(LARGE)} messages`, '10k / 1k'],
      rows: renderRows,
    });

    const upsertRows: Cell[][] = [];
    for (const view of ['list', 'timeline'] as const) {
      const s = upserts.find((u) => u.view === view && u.messages === SMALL);
      const l = upserts.find((u) => u.view === view && u.messages === LARGE);
      upsertRows.push(
        sideBySide(`${view}: 100 events, script+layout, median ms`, s?.events.medianLayoutMs, l?.events.medianLayoutMs, r2),
        sideBySide(`${view}: 100 events, script+layout, p90 ms`, s?.events.p90LayoutMs, l?.events.p90LayoutMs, r2),
        sideBySide(`${view}: 100 events, to paint, median ms`, s?.events.medianPaintMs, l?.events.medianPaintMs, r2),
        sideBySide(`${view}: 100 events, layouts, median`, s?.events.medianLayouts, l?.events.medianLayouts),
        sideBySide(`${view}: 100 new messages, script+layout, median ms`, s?.added.medianLayoutMs, l?.added.medianLayoutMs, r2),
        sideBySide(`${view}: rows drawn`, s?.rowsDrawn, l?.rowsDrawn),
      );
      if (view === 'timeline') upsertRows.push(sideBySide('switch to the Timeline (first time), to paint ms', s?.toggle?.paintMs, l?.toggle?.paintMs));
    }
    report.table({
      title: `A batch of ${BATCH} new events (host/messages/upsert of ${BATCH} messages spread over the list, one more event each; ${UPSERT_WARMUP} warm-up, then ${UPSERT_BATCHES} measured), and of ${BATCH} new messages (${ADD_BATCHES} measured), ${FEW_EVENTS} events/message loaded`,
      columns: ['measurement', `${formatNumber(SMALL)} messages`, `${formatNumber(LARGE)} messages`, '10k / 1k'],
      rows: upsertRows,
    });

    const interactionRows: Cell[][] = [];
    for (const view of ['list', 'timeline'] as const) {
      for (const label of INTERACTIONS[view]) {
        const find = (n: number): Interaction | undefined => upserts.find((u) => u.view === view && u.messages === n)?.interactions.find((i) => i.label === label);
        const s = find(SMALL);
        const l = find(LARGE);
        interactionRows.push(sideBySide(`${label}: script+layout, median ms`, s?.medianLayoutMs, l?.medianLayoutMs, r2), sideBySide(`${label}: layouts, median`, s?.medianLayouts, l?.medianLayouts));
      }
    }
    report.table({
      title: `Browsing the loaded page (${FEW_EVENTS} events/message; 1 warm-up, then ${INTERACTION_STEPS} measured; from the key press, or from the scroll event the browser fires, until its layout is done)`,
      columns: ['measurement', `${formatNumber(SMALL)} messages`, `${formatNumber(LARGE)} messages`, '10k / 1k'],
      rows: interactionRows,
    });

    const memoryRows: Cell[][] = [];
    for (const events of [FEW_EVENTS, MANY_EVENTS]) {
      const s = memory.find((m) => m.messages === SMALL && m.eventsPerMessage === events);
      const l = memory.find((m) => m.messages === LARGE && m.eventsPerMessage === events);
      for (const view of ['list', 'timeline'] as const) {
        const tag = `${events} events/message, ${view}`;
        memoryRows.push(
          sideBySide(`${tag}: JS heap used, MB`, mb(s?.[view].jsHeapUsedBytes), mb(l?.[view].jsHeapUsedBytes)),
          sideBySide(`${tag}: DOM nodes`, s?.[view].domNodes, l?.[view].domNodes),
          sideBySide(`${tag}: elements in the document`, s?.[view].elements, l?.[view].elements),
          sideBySide(`${tag}: idle main thread, ms busy per s`, s?.[view].idle.taskMsPerS, l?.[view].idle.taskMsPerS),
          sideBySide(`${tag}: idle, layouts per s`, s?.[view].idle.layoutsPerS, l?.[view].idle.layoutsPerS),
        );
      }
      const perMessage = s && l ? (l.list.jsHeapUsedBytes - s.list.jsHeapUsedBytes) / (LARGE - SMALL) : undefined;
      memoryRows.push([`${events} events/message: JS heap per further message, bytes`, undefined, r1(perMessage), undefined]);
    }
    report.table({
      title: `Memory of the page after a full garbage collection (CDP Performance.getMetrics: JSHeapUsedSize, Nodes), and its idle cost over ${IDLE_MS / 1000} s (TaskDuration); empty page: ${mb(baseline.jsHeapUsedBytes)} MB heap, ${baseline.domNodes} DOM nodes, idle ${r1(baseline.idle.taskMsPerS)} ms busy per s`,
      columns: ['measurement', `${formatNumber(SMALL)} messages`, `${formatNumber(LARGE)} messages`, '10k / 1k'],
      rows: memoryRows,
    });

    const filterRows: Cell[][] = [];
    const fs = bySize(filters, SMALL);
    const fl = bySize(filters, LARGE);
    for (const [i, filter] of FILTERS.entries()) {
      const label = filter === '' ? '(cleared)' : filter;
      filterRows.push(
        sideBySide(`${label}: first time, to paint ms`, fs?.byFilter[i]?.firstPaintMs, fl?.byFilter[i]?.firstPaintMs),
        sideBySide(`${label}: again, to paint, median ms`, fs?.byFilter[i]?.warmPaintMs, fl?.byFilter[i]?.warmPaintMs),
        sideBySide(`${label}: first time, script+layout ms`, fs?.byFilter[i]?.firstLayoutMs, fl?.byFilter[i]?.firstLayoutMs),
        sideBySide(`${label}: again, script+layout, median ms`, fs?.byFilter[i]?.warmLayoutMs, fl?.byFilter[i]?.warmLayoutMs),
      );
    }
    report.table({
      title: `The filter box: a filter set in the field (its input event) until the list is painted; the first round reads every body, ${FILTER_ROUNDS - 1} more rounds reuse what it read (${FEW_EVENTS} events/message)`,
      columns: ['measurement', `${formatNumber(SMALL)} messages`, `${formatNumber(LARGE)} messages`, '10k / 1k'],
      rows: filterRows,
    });

    // ---- targets
    const slowest = fl ? Math.max(...fl.byFilter.map((f) => Math.max(f.firstPaintMs, f.warmPaintMs))) : undefined;
    report.target(
      'webview',
      `a filter over ${formatNumber(LARGE)} messages, to paint < ${FILTER_TARGET_MS} ms (each filter, first time and again)`,
      slowest !== undefined && slowest < FILTER_TARGET_MS,
      slowest !== undefined ? `slowest ${r1(slowest)} ms (${FILTERS.length} filters, ${FILTER_ROUNDS} rounds)` : 'not measured (time budget or error)',
    );
    renderTarget(report, render[`events${FEW_EVENTS}`] ?? [], FEW_EVENTS);
    renderTarget(report, render[`events${MANY_EVENTS}`] ?? [], MANY_EVENTS);
    for (const view of ['list', 'timeline'] as const) {
      const s = upserts.find((u) => u.view === view && u.messages === SMALL);
      const l = upserts.find((u) => u.view === view && u.messages === LARGE);
      const q = s && l ? ratio(l.events.medianLayoutMs, s.events.medianLayoutMs) : undefined;
      report.target(
        'webview',
        `inspector ${view}: a batch of ${BATCH} new events with ${formatNumber(LARGE)} / ${formatNumber(SMALL)} messages loaded <= ${CONSTANT_RATIO_TARGET} (about constant)`,
        q !== undefined && q <= CONSTANT_RATIO_TARGET,
        s && l
          ? `script+layout ${r2(l.events.medianLayoutMs)} vs ${r2(s.events.medianLayoutMs)} ms: ${q?.toFixed(2)}x (to paint ${r1(l.events.medianPaintMs)} vs ${r1(s.events.medianPaintMs)} ms)`
          : 'not measured (time budget or error)',
      );
    }
  } finally {
    await browser?.close();
    await Promise.race([server.stop(), sleep(5_000)]);
  }
}

function paintRange(f: RenderFigures | undefined): string | undefined {
  if (!f || f.runs.length === 0) return undefined;
  const paint = f.runs.map((t) => t.paintMs);
  return `${r1(Math.min(...paint))}-${r1(Math.max(...paint))}`;
}

function mb(bytes: number | undefined): number | undefined {
  return bytes === undefined || !Number.isFinite(bytes) ? undefined : megabytes(bytes);
}

function indexPart(report: Report, data: Record<string, unknown>): void {
  const deadline = performance.now() + INDEX_BUDGET_MS;
  // Warm-up, so that the first size measured does not pay for the JIT.
  timeIncrementalBatches(DUP_SMALL, 2, DUP_BATCHES_PER_BUILD, deadline);
  const small = timeIncrementalBatches(DUP_SMALL, DUP_BUILDS, DUP_BATCHES_PER_BUILD, deadline);
  const large = timeIncrementalBatches(DUP_LARGE, DUP_BUILDS, DUP_BATCHES_PER_BUILD, deadline);
  const medBuild = (builds: BuildTiming[], get: (t: BuildTiming) => number): number => median(builds.map(get));
  const hot: HotKeyTiming[] = [];
  for (const n of HOT_KEY_SIZES) if (performance.now() < deadline) hot.push(hotKey(n));

  const s = small.builds;
  const l = large.builds;
  const rows: Cell[][] = [
    sideBySide('index sends (batches of 1,000), median ms', medBuild(s, (t) => t.sentMs), medBuild(l, (t) => t.sentMs), r2),
    sideBySide('index receives (batches of 1,000), median ms', medBuild(s, (t) => t.receivedMs), medBuild(l, (t) => t.receivedMs), r2),
    sideBySide('index sends + receives, median ms', medBuild(s, (t) => t.totalMs), medBuild(l, (t) => t.totalMs), r2),
    sideBySide('events/s', medBuild(s, (t) => t.eventsPerSecond), medBuild(l, (t) => t.eventsPerSecond), (n) => (n === undefined ? undefined : Math.round(n))),
    sideBySide('incremental batch of 100 events, median µs', small.timing.medianUs, large.timing.medianUs),
    sideBySide('incremental batch of 100 events, p90 µs', small.timing.p90Us, large.timing.p90Us),
    sideBySide('incremental batch of 100 events, min µs', small.timing.minUs, large.timing.minUs),
    sideBySide('floor: the same batch in plain Maps filled like the index, median µs', small.timing.floorMedianUs, large.timing.floorMedianUs),
  ];
  report.table({
    title:
      `Duplicate index (DuplicateIndex.observe): one send per message (every 10th with the key of an earlier message), then one receive each (every 20th with receive count 2); ` +
      `${s.length} and ${l.length} builds; then ${DUP_BATCHES_PER_BUILD} batches of 100 per build (50 sends of new messages, 50 redeliveries), ${small.timing.samples} and ${large.timing.samples} batches`,
    columns: ['measurement', `${formatNumber(DUP_SMALL)} messages`, `${formatNumber(DUP_LARGE)} messages`, '100k / 1k'],
    rows,
  });
  const summary = l[0]?.summary;
  if (summary) report.line(`  ${formatNumber(DUP_LARGE)} messages indexed: ${summary.redeliveries} redelivered, ${summary.duplicateKeys} with a shared key, ${summary.keysShared} keys shared.`);
  if (hot.length > 0) {
    report.table({
      title: 'One idempotency key carried by every message (sends in batches of 1,000), and flagsOf for each of them',
      columns: ['measurement', ...hot.map((h) => `${formatNumber(h.messages)} messages`), hot.length === 2 ? '10k / 1k' : ''],
      rows: [
        ['observe, ms', ...hot.map((h) => r1(h.observeMs)), hot.length === 2 ? ratioText(hot[1].observeMs, hot[0].observeMs) : undefined],
        ['flagsOf of every message, ms', ...hot.map((h) => r1(h.flagsOfAllMs)), hot.length === 2 ? ratioText(hot[1].flagsOfAllMs, hot[0].flagsOfAllMs) : undefined],
      ],
    });
  }

  // Maps of 100,000 entries no longer fit the caches that maps of 1,000 fit in: the floor's
  // growth is what the size alone costs, so the index's growth is judged against it.
  const q = ratio(large.timing.medianUs, small.timing.medianUs);
  const floorQ = ratio(large.timing.floorMedianUs, small.timing.floorMedianUs);
  const allowed = floorQ === undefined ? undefined : CONSTANT_RATIO_TARGET * Math.max(1, floorQ);
  report.target(
    'webview',
    `duplicate index: a batch of 100 events on ${formatNumber(DUP_LARGE)} / on ${formatNumber(DUP_SMALL)} indexed messages <= ${CONSTANT_RATIO_TARGET} x the floor's growth (about constant)`,
    q !== undefined && allowed !== undefined && q <= allowed,
    `median ${r1(large.timing.medianUs)} vs ${r1(small.timing.medianUs)} µs: ${q?.toFixed(2) ?? '?'}x; floor (plain Maps) ${r1(large.timing.floorMedianUs)} vs ${r1(small.timing.floorMedianUs)} µs: ${floorQ?.toFixed(2) ?? '?'}x, so at most ${allowed?.toFixed(2) ?? '?'}x; ` +
      `indexing ${formatNumber(2 * DUP_LARGE)} events took ${r1(medBuild(l, (t) => t.totalMs))} ms (${formatNumber(Math.round(medBuild(l, (t) => t.eventsPerSecond)))} events/s)`,
  );
  data.duplicateIndex = { small, large, summary, hotKey: hot };
}
