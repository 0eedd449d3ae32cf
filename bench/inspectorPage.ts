/**
 * The message inspector webview in headless Chromium, for the `webview` section: the page
 * and browser come from test/browser/inspectorPage.mjs (the very page the extension makes,
 * with its CSP, and a stand-in for the webview API), so the benchmark measures what the
 * browser tests check. Adds timing and memory probes on top.
 *
 * The functions handed to `page.evaluate` run in the page: they use only the page's globals
 * (declared below for the type checker) and nothing of this module.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { MessageView, QueueView } from '../src/protocol';
import type { FlagSummary, ReceiveOptions } from '../src/shared/kinds';

/** What test/browser/inspectorPage.mjs exports. */
export interface InspectorPageHelpers {
  heldMessage(i: number, now: number, overrides?: Partial<MessageView>): MessageView;
  readonly QUEUE: QueueView;
  readonly OPTIONS: ReceiveOptions;
  readonly SUMMARY: FlagSummary;
  launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }>;
  servePage(): Promise<{ url: string; stop(): Promise<void> }>;
}

const HELPERS_FILE = path.join(__dirname, '..', '..', 'test', 'browser', 'inspectorPage.mjs');

/**
 * Loads the ES module from this CommonJS build. TypeScript turns `import()` into `require()`
 * here, so the module is required outright, which Node supports from 20.19 and 22.12 on.
 */
export function loadInspectorPageHelpers(): InspectorPageHelpers {
  try {
    return createRequire(__filename)(HELPERS_FILE) as InspectorPageHelpers;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_REQUIRE_ESM') throw new Error(`Loading ${HELPERS_FILE} needs Node 20.19 or 22.12 or later (require of an ES module); this is ${process.version}.`);
    throw err;
  }
}

// ---- the page's globals, as the in-page functions use them ----------------------------

type Listen = (type: string, listener: () => void, options: { capture?: boolean; once: boolean }) => void;

interface PageGlobals {
  addEventListener: Listen;
  __deliver(message: unknown): void;
  __posted: { method?: string }[];
  /** A host message parked as JSON before a measurement, so that its transfer is not timed. */
  __benchParked?: string;
  /** The parked message decoded, ready to be delivered. */
  __benchMessage?: unknown;
}
interface PageElement {
  addEventListener: Listen;
  scrollTop: number;
  click(): void;
  dispatchEvent(event: unknown): boolean;
}
declare const window: PageGlobals;
declare const document: {
  readonly body: { readonly offsetHeight: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { readonly length: number };
  getElementsByTagName(name: string): { readonly length: number };
};
declare function requestAnimationFrame(callback: () => void): number;
declare const KeyboardEvent: new (type: string, init: { key: string; bubbles: boolean }) => unknown;

// ---- pages --------------------------------------------------------------------------------

export interface InspectorPage {
  readonly page: Page;
  readonly cdp: CDPSession;
  close(): Promise<void>;
}

/** A fresh inspector page, loaded and ready (it has posted webview/ready). */
export async function openInspector(context: BrowserContext, url: string, timeoutMs: number): Promise<InspectorPage> {
  const page = await context.newPage();
  // A background tab gets no animation frames: the page must be the active one to paint.
  await page.bringToFront();
  try {
    page.setDefaultTimeout(timeoutMs);
    await page.goto(url);
    await page.waitForFunction(() => window.__posted.some((m) => m.method === 'webview/ready'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    return {
      page,
      cdp,
      close: async () => {
        await cdp.detach().catch(() => undefined);
        await page.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await page.close().catch(() => undefined);
    throw err;
  }
}

/** Where the time of one step went, in milliseconds from its start (for a scroll, from its scroll event). */
export interface StepTiming {
  /** The page's own script: the message handler or the click handler, synchronously. */
  scriptMs: number;
  /** Script, then style and layout forced at once (`offsetHeight`): the work itself. */
  layoutMs: number;
  /**
   * Until the next frame has been painted: a requestAnimationFrame callback, then a task
   * posted from it (which runs after that frame's paint). Includes waiting for the frame.
   */
  paintMs: number;
  /** Message rows of the list in the DOM, and rows of the all-messages timeline drawn. */
  listRows: number;
  timelineRows: number;
  /** Layouts Chromium ran from the start of the step until after the paint (`LayoutCount`). */
  layouts: number;
  /** Decoding the host message (JSON.parse in the page), done before the step and not part of it. */
  decodeMs?: number;
}

export type Step =
  | { kind: 'deliver'; message: unknown }
  | { kind: 'click'; selector: string }
  /**
   * Sets the element's scrollTop; the browser fires the scroll event with the next frame,
   * and the step is timed from the start of that event (a capturing listener on the window).
   */
  | { kind: 'scroll'; selector: string; top: number }
  /** A keydown on the element, as a key press dispatches it. */
  | { kind: 'key'; selector: string; key: string }
  /** Sets a text field's value and fires its input event, as typing or pasting does. */
  | { kind: 'type'; selector: string; value: string };

/**
 * Times one step in the page: delivering a host message, or a click. A message is parked as
 * JSON and decoded in the page beforehand (timed apart: in VS Code a message arrives
 * decoded); then garbage is collected, so that neither the decoding nor a pause left over
 * from setting up falls into the step.
 */
export async function timeStep(p: InspectorPage, step: Step): Promise<StepTiming> {
  let decodeMs: number | undefined;
  if (step.kind === 'deliver') {
    await p.page.evaluate((json) => (window.__benchParked = json), JSON.stringify(step.message));
    decodeMs = await p.page.evaluate(() => {
      const t0 = performance.now();
      window.__benchMessage = JSON.parse(window.__benchParked ?? 'null');
      const ms = performance.now() - t0;
      window.__benchParked = undefined;
      return ms;
    });
  }
  await collectGarbage(p);
  const before = await pageMetrics(p);
  const timing = await p.page.evaluate(async (s) => {
    const message = window.__benchMessage;
    window.__benchMessage = undefined;
    const target = s.kind === 'deliver' ? null : document.querySelector(s.selector);
    if (s.kind !== 'deliver' && !target) throw new Error(`No element ${s.selector} in the page.`);
    let t0 = performance.now();
    if (!target) window.__deliver(message);
    else if (s.kind === 'click') target.click();
    else if (s.kind === 'key') target.dispatchEvent(new KeyboardEvent('keydown', { key: s.key, bubbles: true }));
    else if (s.kind === 'type') {
      (target as unknown as { value: string }).value = s.value;
      target.dispatchEvent(new Event('input'));
    }
    else if (s.kind === 'scroll') {
      const began = new Promise<number>((resolve) => window.addEventListener('scroll', () => resolve(performance.now()), { capture: true, once: true }));
      // Registered after the page's own listener on the element, so it runs after it.
      const ended = new Promise<void>((resolve) => target.addEventListener('scroll', () => resolve(), { once: true }));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`No scroll event on ${s.selector} within 2 s.`)), 2000)));
      target.scrollTop = s.top;
      t0 = await Promise.race([began, late]);
      clearTimeout(timer);
      await ended;
    }
    const t1 = performance.now();
    void document.body.offsetHeight;
    const t2 = performance.now();
    await new Promise<void>((resolve) => requestAnimationFrame(() => void setTimeout(resolve, 0)));
    const t3 = performance.now();
    return {
      scriptMs: t1 - t0,
      layoutMs: t2 - t0,
      paintMs: t3 - t0,
      listRows: document.querySelectorAll('tr.row').length,
      timelineRows: document.querySelectorAll('.timeline.all g.row').length,
    };
  }, step.kind === 'deliver' ? { kind: 'deliver' as const } : step);
  const after = await pageMetrics(p);
  return { ...timing, layouts: (after.LayoutCount ?? 0) - (before.LayoutCount ?? 0), ...(decodeMs !== undefined ? { decodeMs } : {}) };
}

export async function collectGarbage(p: InspectorPage): Promise<void> {
  await p.cdp.send('HeapProfiler.collectGarbage');
}

/** Chromium's performance counters for the page (`Performance.getMetrics`), by name. */
export async function pageMetrics(p: InspectorPage): Promise<Record<string, number>> {
  const { metrics } = await p.cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

export interface PageMemory {
  /** JS heap in use after a full garbage collection. */
  jsHeapUsedBytes: number;
  /** DOM nodes alive in the renderer (the `Nodes` counter, text nodes included). */
  domNodes: number;
  /** Elements in the document (`getElementsByTagName('*')`). */
  elements: number;
  jsEventListeners: number;
}

export async function pageMemory(p: InspectorPage): Promise<PageMemory> {
  await collectGarbage(p);
  await collectGarbage(p);
  const m = await pageMetrics(p);
  const elements = await p.page.evaluate(() => document.getElementsByTagName('*').length);
  return { jsHeapUsedBytes: m.JSHeapUsedSize ?? NaN, domNodes: m.Nodes ?? NaN, elements, jsEventListeners: m.JSEventListeners ?? NaN };
}

export interface IdleCost {
  /** Main-thread task time per second. */
  taskMsPerS: number;
  scriptMsPerS: number;
  layoutsPerS: number;
}

/** What the page's main thread does per second while nobody touches it (timers, countdowns). */
export async function idleBusy(p: InspectorPage, forMs: number): Promise<IdleCost> {
  const before = await pageMetrics(p);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, forMs));
  const after = await pageMetrics(p);
  const seconds = (performance.now() - started) / 1000;
  const per = (name: string): number => (((after[name] ?? 0) - (before[name] ?? 0)) * 1000) / seconds;
  const count = (name: string): number => ((after[name] ?? 0) - (before[name] ?? 0)) / seconds;
  return { taskMsPerS: per('TaskDuration'), scriptMsPerS: per('ScriptDuration'), layoutsPerS: count('LayoutCount') };
}
