import type { MessageView } from '../src/protocol';
import type { FlagSummary } from '../src/shared/kinds';
import { el, fmtTime, icon } from './dom';

export const REDELIVERY_HELP =
  "Redelivery: SQS delivered this same message (same MessageId) more than once, and not only to this inspector: a consumer received it and it came back, after its visibility timeout ran out or because the consumer did not delete it. An idempotent consumer must handle it once. The inspector's own peeks and holds are receives too, but they alone never make a redelivery.";
export const DUPLICATE_HELP = 'Duplicate key: other messages (different MessageIds) carry the same idempotency key: the producer sent the same thing more than once.';

export const LATE_DELETE_HELP =
  'Late delete: the consumer deleted the message after its visibility window had ended: processing outlived the visibility timeout, so the message was, or may be, processed twice. Raise VisibilityTimeout, or extend while working.';
export const SLOW_CONSUMER_HELP =
  'Slow consumer: a consumer deleted the message after more than 80% of its visibility timeout: a little slower and another consumer gets it too. Raise VisibilityTimeout, or extend while working (ChangeMessageVisibility).';
export const POISON_HELP = 'Poison message: received maxReceiveCount times without a delete, then moved to the dead-letter queue: the consumers failed on it each time.';

export function isFlagged(m: MessageView): boolean {
  const f = m.flags;
  return f.redelivered !== undefined || f.duplicateKey !== undefined || f.lateDelete !== undefined || f.slowConsumer !== undefined || f.poison !== undefined;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** What the consumer flags of a message say, one sentence each (for the detail pane and the row's titles). */
export function consumerFlagTexts(m: MessageView): { kind: 'late' | 'slow' | 'poison'; text: string }[] {
  const out: { kind: 'late' | 'slow' | 'poison'; text: string }[] = [];
  const f = m.flags;
  if (f.lateDelete) out.push({ kind: 'late', text: `${LATE_DELETE_HELP} Deleted late${f.lateDelete.by !== undefined ? ` by ${f.lateDelete.by}` : ''} at ${fmtTime(f.lateDelete.at)}.` });
  if (f.slowConsumer) out.push({ kind: 'slow', text: `${SLOW_CONSUMER_HELP} ${f.slowConsumer.by ?? 'A consumer'} took ${seconds(f.slowConsumer.usedMs)} of ${seconds(f.slowConsumer.timeoutMs)}.` });
  if (f.poison) {
    const receives = f.poison.receives.map((r) => `#${r.receiveCount} by ${r.by} at ${fmtTime(r.at)}`).join('; ');
    out.push({ kind: 'poison', text: `${POISON_HELP} Moved from ${f.poison.from} at ${fmtTime(f.poison.at)}. Receives: ${receives || 'none recorded'}.` });
  }
  return out;
}

/** "Received 3 times, 1 by your peek: 2 by consumers." */
export function redeliveryText(m: MessageView): string {
  const n = m.flags.redelivered ?? 0;
  const own = m.flags.byInspector;
  if (!own || own.peek + own.hold === 0) return `Received ${n} times.`;
  const parts: string[] = [];
  if (own.peek > 0) parts.push(`${own.peek} by your ${own.peek === 1 ? 'peek' : 'peeks'}`);
  if (own.hold > 0) parts.push(`${own.hold} by your ${own.hold === 1 ? 'hold' : 'holds'}`);
  const others = n - own.peek - own.hold;
  return `Received ${n} times, ${parts.join(' and ')}: ${others} by ${others === 1 ? 'a consumer' : 'consumers'}.`;
}

const CONSUMER_ICONS = { late: 'warning', slow: 'watch', poison: 'bug' } as const;
const CONSUMER_LABELS = { late: 'deleted late', slow: 'slow consumer', poison: 'poison message, moved to the dead-letter queue' } as const;

/** The flags of a list row. */
export function flagCell(m: MessageView, target: HTMLElement): void {
  target.replaceChildren();
  if (m.flags.redelivered !== undefined) {
    const f = el('span', 'flag redelivery');
    f.append(icon('sync'), el('span', undefined, `×${m.flags.redelivered}`));
    f.title = `${REDELIVERY_HELP} ${redeliveryText(m)}`;
    f.setAttribute('aria-label', `redelivered ${m.flags.redelivered} times`);
    target.append(f);
  }
  for (const { kind, text } of consumerFlagTexts(m)) {
    const f = el('span', `flag ${kind}`);
    f.append(icon(CONSUMER_ICONS[kind]));
    f.title = text;
    f.setAttribute('aria-label', CONSUMER_LABELS[kind]);
    target.append(f);
  }
  if (m.flags.duplicateKey) {
    const f = el('span', 'flag duplicate');
    f.append(icon('copy'), el('span', undefined, `+${m.flags.duplicateKey.count}`));
    f.title = `${DUPLICATE_HELP} Key ${m.flags.duplicateKey.key}, shared with ${m.flags.duplicateKey.count} other message(s).`;
    f.setAttribute('aria-label', `duplicate idempotency key, shared with ${m.flags.duplicateKey.count} other messages`);
    target.append(f);
  }
}

/** The header's count of flagged messages; nothing while none is flagged. */
export function summaryFlags(summary: FlagSummary): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (summary.redeliveries > 0 || summary.duplicateKeys > 0) {
    const r = el('span', 'flag redelivery');
    r.append(icon('sync'), el('span', undefined, `${summary.redeliveries} redelivered`));
    r.title = REDELIVERY_HELP;
    const d = el('span', 'flag duplicate');
    d.append(icon('copy'), el('span', undefined, `${summary.duplicateKeys} with a duplicate key`));
    d.title = DUPLICATE_HELP;
    out.push(r, d);
  }
  const consumer: [number | undefined, 'late' | 'slow' | 'poison', string, string][] = [
    [summary.lateDeletes, 'late', 'deleted late', LATE_DELETE_HELP],
    [summary.slowConsumers, 'slow', 'slow', SLOW_CONSUMER_HELP],
    [summary.poisonMessages, 'poison', 'poison', POISON_HELP],
  ];
  for (const [count, kind, label, help] of consumer) {
    if (!count) continue;
    const f = el('span', `flag ${kind}`);
    f.append(icon(CONSUMER_ICONS[kind]), el('span', undefined, `${count} ${label}`));
    f.title = help;
    out.push(f);
  }
  return out;
}
