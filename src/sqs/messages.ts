import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsGateway } from './gateway';
import type { OutgoingMessage } from './sending';

export interface SendResult {
  messageId: string;
  sequenceNumber?: string;
  at: number;
}

/** Sends one message (already validated). */
export async function sendMessage(gateway: SqsGateway, queueUrl: string, m: OutgoingMessage): Promise<SendResult> {
  const out = await gateway.call('SendMessage', queueUrl, (c) =>
    c.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: m.body,
        ...(m.attributes && Object.keys(m.attributes).length > 0 ? { MessageAttributes: m.attributes } : {}),
        ...(m.delaySeconds !== undefined ? { DelaySeconds: m.delaySeconds } : {}),
        ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
        ...(m.dedupId !== undefined ? { MessageDeduplicationId: m.dedupId } : {}),
      }),
    ),
  );
  return { messageId: out.MessageId ?? '', ...(out.SequenceNumber ? { sequenceNumber: out.SequenceNumber } : {}), at: Date.now() };
}
