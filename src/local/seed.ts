import type { SqsEngine } from './engine';

/**
 * A small, realistic demo: an `orders` queue with a dead-letter queue and a redrive policy,
 * a FIFO `payments.fifo` queue, and messages carrying idempotency keys, some of them sent
 * twice, so that the explorer and the inspector have something true to show.
 */
export function seedDemo(engine: SqsEngine): { queues: string[]; messages: number } {
  let messages = 0;
  const dlqUrl = engine.createQueue('orders-dlq', { MessageRetentionPeriod: '1209600' }, { team: 'checkout', env: 'local' });
  const dlqArn = engine.getQueueAttributes(dlqUrl, ['QueueArn']).QueueArn;
  const ordersUrl = engine.createQueue(
    'orders',
    { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
    { team: 'checkout', env: 'local' },
  );
  const paymentsUrl = engine.createQueue('payments.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'false' }, { team: 'payments' });
  const emailsUrl = engine.createQueue('notifications-email', { DelaySeconds: '0', ReceiveMessageWaitTimeSeconds: '20' });

  const orders = [
    { orderId: 'ord-1001', sku: 'KB-42', quantity: 1, idempotency_key: 'order-1001-create' },
    { orderId: 'ord-1002', sku: 'MS-7', quantity: 2, idempotency_key: 'order-1002-create' },
    { orderId: 'ord-1003', sku: 'HD-1', quantity: 1, idempotency_key: 'order-1003-create' },
    { orderId: 'ord-1004', sku: 'KB-42', quantity: 3, idempotency_key: 'order-1004-create' },
  ];
  for (const order of orders) {
    engine.sendMessage(ordersUrl, {
      MessageBody: JSON.stringify({ type: 'OrderCreated', ...order }),
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'OrderCreated' },
        schemaVersion: { DataType: 'Number', StringValue: '2' },
      },
    });
    messages++;
  }
  // A retry by a producer that did not see the first acknowledgement: same key, new message.
  engine.sendMessage(ordersUrl, {
    MessageBody: JSON.stringify({ type: 'OrderCreated', ...orders[1], retry: true }),
    MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } },
  });
  messages++;
  engine.sendMessage(ordersUrl, {
    MessageBody: JSON.stringify({ type: 'OrderShipped', orderId: 'ord-0999', carrier: 'DHL', idempotency_key: 'order-0999-ship' }),
    DelaySeconds: 120,
    MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderShipped' } },
  });
  messages++;
  engine.sendMessage(dlqUrl, {
    MessageBody: JSON.stringify({ type: 'OrderCreated', orderId: 'ord-0990', sku: 'BROKEN', idempotency_key: 'order-0990-create' }),
    MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderCreated' } },
  });
  messages++;

  const payments = [
    { paymentId: 'pay-501', orderId: 'ord-1001', amount: 49.9, currency: 'EUR', step: 'authorize' },
    { paymentId: 'pay-501', orderId: 'ord-1001', amount: 49.9, currency: 'EUR', step: 'capture' },
    { paymentId: 'pay-502', orderId: 'ord-1002', amount: 19.0, currency: 'EUR', step: 'authorize' },
  ];
  for (const p of payments) {
    const key = `${p.paymentId}-${p.step}`;
    engine.sendMessage(paymentsUrl, {
      MessageBody: JSON.stringify({ ...p, idempotencyKey: key }),
      MessageGroupId: p.orderId,
      MessageDeduplicationId: key,
    });
    messages++;
  }
  engine.sendMessage(emailsUrl, {
    MessageBody: JSON.stringify({ to: 'ada@example.com', template: 'order-confirmation', orderId: 'ord-1001', idempotency_key: 'email-ord-1001' }),
  });
  messages++;
  return { queues: ['orders', 'orders-dlq', 'payments.fifo', 'notifications-email'], messages };
}
