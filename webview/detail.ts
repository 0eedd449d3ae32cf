import type { MessageView } from '../src/protocol';
import { countsDown } from '../src/shared/kinds';
import type { HostChannel } from './channel';
import { dl, el } from './dom';
import { consumerFlagTexts, DUPLICATE_HELP, isFlagged, REDELIVERY_HELP, redeliveryText } from './flags';
import { timelineRow } from './list';
import type { Store } from './store';
import { TimelineView } from './timeline';
import { button } from './ui';

/** Bodies longer than this show their start; the whole body opens in an editor. */
const BODY_SHOWN_CHARS = 200_000;

/** A JSON body indented; any other body as it is. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function time(ms: number | undefined): string | undefined {
  return ms !== undefined ? `${new Date(ms).toISOString()} (${ms})` : undefined;
}

/** The system attributes: the ones the inspector reads first, by name, then the rest as SQS sent them. */
function systemAttributes(m: MessageView): [string, string][] {
  const named: [string, string | undefined][] = [
    ['SentTimestamp', time(m.sentAt)],
    ['ApproximateReceiveCount', String(m.receiveCount)],
    ['ApproximateFirstReceiveTimestamp', time(m.firstReceiveAt)],
    ['SenderId', m.senderId],
    ['MessageGroupId', m.groupId],
    ['MessageDeduplicationId', m.dedupId],
    ['SequenceNumber', m.sequenceNumber],
    ['DeadLetterQueueSourceArn', m.deadLetterSourceArn],
  ];
  const sys = named.filter((e): e is [string, string] => e[1] !== undefined);
  for (const [k, v] of Object.entries(m.systemAttributes)) {
    if (!sys.some(([name]) => name === k) && k !== 'SentTimestamp' && k !== 'ApproximateFirstReceiveTimestamp') sys.push([k, v]);
  }
  return sys;
}

/** Where a browsed message stands in the queue, and who holds it. */
function browsedState(m: MessageView): [string, string][] {
  const names: Partial<Record<MessageView['state'], string>> = { inflight: 'in flight', movedToDlq: 'moved to the dead-letter queue', removed: 'left the queue' };
  const rows: [string, string][] = [['State', names[m.state] ?? m.state]];
  if (m.state === 'inflight' || m.state === 'delayed') rows.push(['Visible again at', time(m.deadline) ?? '']);
  if (m.state === 'inflight') rows.push(['Received at', time(m.windowStart) ?? ''], ['Held by', m.holder ?? 'a client that did not name itself']);
  if (m.mode === 'watch') rows.push(['Watch', 'live: this row follows what your processes do to the message']);
  return rows;
}

/** The current message in full: actions on its body, its timeline, key, flags, body and attributes. */
export class DetailPane {
  readonly element = el('section', 'detail');
  private readonly timeline = new TimelineView({ label: 'Timeline of this message', maxHeight: 80 });
  private frame = 0;

  constructor(
    private readonly store: Store,
    private readonly channel: HostChannel,
  ) {
    this.element.setAttribute('aria-label', 'Message details');
  }

  /** Draws on the next frame, once however often it is asked: holding an arrow key stays smooth. */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    this.element.replaceChildren();
    const m = this.store.current ? this.store.messages.get(this.store.current) : undefined;
    if (!m) {
      this.element.append(el('div', 'empty', 'Select a message to see its body and attributes.'));
      return;
    }
    this.element.append(el('h2', undefined, `Message ${m.messageId}`), this.actions(m));
    if (m.mode === 'browse' || m.mode === 'watch') this.element.append(dl(browsedState(m)));
    this.element.append(el('h2', undefined, 'Timeline'), this.timeline.element);
    this.timeline.setRows([timelineRow(m)], this.store.hostNow());
    this.timeline.fit();
    if (m.idempotencyKey !== undefined) this.element.append(el('h2', undefined, 'Idempotency key'), dl([[m.idempotencyKeyPath ?? 'key', m.idempotencyKey]]));
    if (isFlagged(m)) this.element.append(this.flags(m));
    const shown = pretty(m.body);
    const body = el('pre', 'body', shown.length > BODY_SHOWN_CHARS ? `${shown.slice(0, BODY_SHOWN_CHARS)}\n… (${shown.length.toLocaleString()} characters; open it in an editor to see all)` : shown);
    body.tabIndex = 0;
    body.setAttribute('aria-label', 'Message body');
    this.element.append(el('h2', undefined, 'Body'), body);
    if (m.note) this.element.append(el('p', 'note', m.note));
    const attrs = Object.entries(m.messageAttributes);
    this.element.append(el('h2', undefined, `Message attributes (${attrs.length})`));
    this.element.append(attrs.length > 0 ? dl(attrs.map(([k, a]) => [`${k} (${a.type})`, a.value])) : el('div', 'meta', 'none'));
    this.element.append(el('h2', undefined, 'System attributes'), dl(systemAttributes(m)));
  }

  /** Moves the timeline's `now` on, while the current message is held. */
  tick(): void {
    const c = this.store.current ? this.store.messages.get(this.store.current) : undefined;
    if (c && countsDown(c.state)) this.timeline.tick(this.store.hostNow());
  }

  private actions(m: MessageView): HTMLElement {
    const acts = el('div', 'actions');
    const copy = button('Copy Body', { icon: 'copy' });
    copy.addEventListener('click', () => void this.channel.request('message/body/copy', { id: m.messageId }));
    const open = button('Open in Editor', { icon: 'go-to-file' });
    open.addEventListener('click', () => void this.channel.request('message/body/open', { id: m.messageId }));
    acts.append(copy, open);
    return acts;
  }

  /** Why the message is flagged; the messages sharing its key are links to them. */
  private flags(m: MessageView): HTMLElement {
    const flags = el('div', 'flag-detail');
    if (m.flags.redelivered !== undefined) flags.append(el('p', 'flag-note redelivery', `${redeliveryText(m)} ${REDELIVERY_HELP}`));
    for (const { kind, text } of consumerFlagTexts(m)) flags.append(el('p', `flag-note ${kind}`, text));
    const dup = m.flags.duplicateKey;
    if (dup) {
      const p = el('p', 'flag-note duplicate', `${DUPLICATE_HELP} Shared with: `);
      dup.others.forEach((other, i) => {
        const link = el('button', 'linkish', other.slice(0, 8));
        link.title = other;
        link.addEventListener('click', () => {
          if (this.store.messages.has(other)) this.store.setCurrent(other);
        });
        if (i > 0) p.append(document.createTextNode(', '));
        p.append(link);
      });
      const more = dup.count - dup.others.length;
      if (more > 0) p.append(document.createTextNode(` and ${more} more`));
      flags.append(p);
    }
    return flags;
  }
}
