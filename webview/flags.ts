import type { MessageView } from '../src/protocol';
import type { FlagSummary } from '../src/shared/kinds';
import { el, icon } from './dom';

export const REDELIVERY_HELP =
  "Redelivery: SQS delivered this same message (same MessageId) more than once, and not only to this inspector: a consumer received it and it came back, after its visibility timeout ran out or because the consumer did not delete it. An idempotent consumer must handle it once. The inspector's own peeks and holds are receives too, but they alone never make a redelivery.";
export const DUPLICATE_HELP = 'Duplicate key: other messages (different MessageIds) carry the same idempotency key: the producer sent the same thing more than once.';

export function isFlagged(m: MessageView): boolean {
  return m.flags.redelivered !== undefined || m.flags.duplicateKey !== undefined;
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
  if (summary.redeliveries === 0 && summary.duplicateKeys === 0) return [];
  const r = el('span', 'flag redelivery');
  r.append(icon('sync'), el('span', undefined, `${summary.redeliveries} redelivered`));
  r.title = REDELIVERY_HELP;
  const d = el('span', 'flag duplicate');
  d.append(icon('copy'), el('span', undefined, `${summary.duplicateKeys} with a duplicate key`));
  d.title = DUPLICATE_HELP;
  return [r, d];
}
