import type { Disposable } from '../common/events';
import { parseKeyPaths, type KeyPath } from '../model/idempotency';
import type { SqsLog } from '../sqs/gateway';
import type { Settings } from './settings';

/** The idempotency key paths (`sqsWorkbench.idempotencyKeyPaths`), parsed, followed as the setting changes. */
export class KeyPaths implements Disposable {
  private paths: readonly KeyPath[] = [];
  private readonly subscription: Disposable;

  constructor(
    private readonly settings: Settings,
    private readonly log: SqsLog,
  ) {
    this.read();
    this.subscription = settings.watch('idempotencyKeyPaths', () => this.read());
  }

  get current(): readonly KeyPath[] {
    return this.paths;
  }

  private read(): void {
    const parsed = parseKeyPaths(this.settings.get('idempotencyKeyPaths'));
    this.paths = parsed.paths;
    for (const p of parsed.problems) this.log.warn(`sqsWorkbench.idempotencyKeyPaths: ${p}`);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
