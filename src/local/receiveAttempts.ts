import type { ReceivedMessage } from './messageInput';
import type { QueueState, StoredMessage } from './queue';

/** How long SQS remembers a FIFO receive by its `ReceiveRequestAttemptId`. */
export const RECEIVE_ATTEMPT_WINDOW_MS = 5 * 60_000;

interface Attempt {
  at: number;
  visibilityMs: number;
  messages: { message: StoredMessage; serial: number; visibleAt: number }[];
  answer: ReceivedMessage[];
}

/**
 * The FIFO receives of one queue by attempt id: a receive retried with the same id within
 * five minutes gets the same messages and receipt handles back, with their visibility
 * timeout started again, as long as nothing changed them since (a delete, a visibility
 * change, another receive). Otherwise the retry is a new receive.
 */
export class ReceiveAttempts {
  private readonly attempts = new Map<string, Attempt>();

  /** The earlier answer to replay for `id`, or undefined when there is none to replay. */
  replay(id: string, state: QueueState, now: number): ReceivedMessage[] | undefined {
    this.forgetOld(now);
    const attempt = this.attempts.get(id);
    if (!attempt) return undefined;
    const unchanged = attempt.messages.every(
      ({ message, serial, visibleAt }) =>
        state.messages.get(message.id) === message && message.state === 'inflight' && message.receiveSerial === serial && message.visibleAt === visibleAt,
    );
    if (!unchanged) {
      this.attempts.delete(id);
      return undefined;
    }
    for (const entry of attempt.messages) {
      state.setVisibleAt(entry.message, now + attempt.visibilityMs);
      entry.visibleAt = entry.message.visibleAt;
    }
    return attempt.answer;
  }

  /** Remembers a receive's answer under its attempt id; empty answers are not replayed. */
  remember(id: string, state: QueueState, now: number, visibilityMs: number, answer: ReceivedMessage[]): void {
    this.attempts.delete(id);
    if (answer.length === 0) return;
    const messages: Attempt['messages'] = [];
    for (const r of answer) {
      const message = state.messages.get(r.MessageId);
      if (!message) return;
      messages.push({ message, serial: message.receiveSerial, visibleAt: message.visibleAt });
    }
    this.attempts.set(id, { at: now, visibilityMs, messages, answer });
  }

  clear(): void {
    this.attempts.clear();
  }

  /** Attempts are kept in the order they were made: the oldest go first. */
  private forgetOld(now: number): void {
    for (const [id, attempt] of this.attempts) {
      if (now - attempt.at < RECEIVE_ATTEMPT_WINDOW_MS) break;
      this.attempts.delete(id);
    }
  }
}
