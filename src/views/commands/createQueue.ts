import * as vscode from 'vscode';
import { MAX_DELAY_SECONDS, MAX_RETENTION_SECONDS, MAX_VISIBILITY_TIMEOUT_SECONDS, MIN_RETENTION_SECONDS, queueNameProblem } from '../../model/sqsLimits';
import { createQueue } from '../../sqs/queues';
import type { Connection } from '../../services/connections';

export interface CreateQueueAnswers {
  name: string;
  attributes: Record<string, string>;
}

function integerValidator(label: string, min: number, max: number) {
  return (value: string): string | undefined => {
    if (!/^\d+$/.test(value.trim())) return `${label} must be a whole number of seconds.`;
    const n = Number(value);
    return n < min || n > max ? `${label} must be between ${min} and ${max} seconds.` : undefined;
  };
}

/**
 * Asks, step by step, for a new queue's type, name, timings and dead-letter queue,
 * validating each answer as SQS would; undefined when the user cancels.
 */
export async function askCreateQueue(connection: Connection): Promise<CreateQueueAnswers | undefined> {
  const title = `Create Queue in ${connection.info.name}`;
  const type = await vscode.window.showQuickPick(
    [
      { label: 'Standard', description: 'at-least-once delivery, best-effort order', fifo: false },
      { label: 'FIFO', description: 'ordered per message group, deduplicated for 5 minutes', fifo: true },
    ],
    { title: `${title} (1/6): type` },
  );
  if (!type) return undefined;
  const existing = new Set(connection.catalog.queues.map((q) => q.name));
  const rawName = await vscode.window.showInputBox({
    title: `${title} (2/6): name`,
    prompt: type.fifo ? 'Letters, digits, - and _; ".fifo" is added' : 'Letters, digits, - and _ (1 to 80 characters)',
    validateInput: (value) => {
      const name = type.fifo && !value.endsWith('.fifo') ? `${value}.fifo` : value;
      if (!type.fifo && value.endsWith('.fifo')) return 'Only FIFO queue names end in .fifo.';
      return queueNameProblem(name) ?? (existing.has(name) ? `A queue named ${name} already exists here.` : undefined);
    },
  });
  if (rawName === undefined) return undefined;
  const name = type.fifo && !rawName.endsWith('.fifo') ? `${rawName}.fifo` : rawName;
  const visibility = await vscode.window.showInputBox({
    title: `${title} (3/6): visibility timeout (seconds)`,
    value: '30',
    prompt: 'How long a received message stays hidden from other consumers',
    validateInput: integerValidator('The visibility timeout', 0, MAX_VISIBILITY_TIMEOUT_SECONDS),
  });
  if (visibility === undefined) return undefined;
  const retention = await vscode.window.showInputBox({
    title: `${title} (4/6): message retention (seconds)`,
    value: '345600',
    prompt: '60 seconds to 14 days (1209600); the default is 4 days',
    validateInput: integerValidator('The retention period', MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS),
  });
  if (retention === undefined) return undefined;
  const attributes: Record<string, string> = { VisibilityTimeout: visibility.trim(), MessageRetentionPeriod: retention.trim() };
  if (type.fifo) attributes.FifoQueue = 'true';
  if (!type.fifo) {
    const delay = await vscode.window.showInputBox({
      title: `${title} (5/6): delivery delay (seconds)`,
      value: '0',
      prompt: `0 to ${MAX_DELAY_SECONDS} seconds before a new message becomes visible`,
      validateInput: integerValidator('The delay', 0, MAX_DELAY_SECONDS),
    });
    if (delay === undefined) return undefined;
    attributes.DelaySeconds = delay.trim();
  } else {
    const dedup = await vscode.window.showQuickPick(
      [
        { label: 'Deduplication id required', description: 'senders give MessageDeduplicationId', on: false },
        { label: 'Content-based deduplication', description: 'SHA-256 of the body when no id is given', on: true },
      ],
      { title: `${title} (5/6): deduplication` },
    );
    if (!dedup) return undefined;
    attributes.ContentBasedDeduplication = String(dedup.on);
  }
  const candidates = connection.catalog.queues.filter((q) => q.fifo === type.fifo && q.arn !== '');
  const dlq = await vscode.window.showQuickPick(
    [
      { label: 'No dead-letter queue', arn: undefined as string | undefined },
      ...candidates.map((q) => ({ label: q.name, description: `${q.visible} visible`, arn: q.arn })),
    ],
    { title: `${title} (6/6): dead-letter queue`, placeHolder: candidates.length === 0 ? `No ${type.fifo ? 'FIFO' : 'standard'} queue to use as a dead-letter queue` : undefined },
  );
  if (!dlq) return undefined;
  if (dlq.arn) {
    const max = await vscode.window.showInputBox({
      title: `${title} (6/6): receives before a message moves to ${dlq.label}`,
      value: '5',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 1000 ? undefined : 'Between 1 and 1000 receives.'),
    });
    if (max === undefined) return undefined;
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: Number(max) });
  }
  return { name, attributes };
}

export async function runCreateQueue(connection: Connection, answers: CreateQueueAnswers): Promise<string> {
  const url = await vscode.window.withProgress(
    { location: { viewId: 'sqsWorkbench.explorer' }, title: `Creating ${answers.name}` },
    () => createQueue(connection.gateway, answers.name, answers.attributes),
  );
  await connection.catalog.refresh();
  return url;
}
