"""Scenarios run by Debian's boto3 (a client of the AWS Query protocol) against the local
server. Usage: python3 boto3Scenarios.py ENDPOINT SCENARIO; prints what it saw as JSON, for
test/clients/queryClients.test.mjs to check."""
import base64
import hashlib
import json
import sys

import boto3
import botocore
from botocore.config import Config

endpoint, scenario = sys.argv[1], sys.argv[2]
sqs = boto3.client(
    'sqs',
    endpoint_url=endpoint,
    region_name='us-east-1',
    aws_access_key_id='test',
    aws_secret_access_key='test',
    config=Config(retries={'total_max_attempts': 1, 'mode': 'standard'}),
)


def error_of(call, exception_name):
    """Calls and returns the error code, checking that boto3 raised its named exception class."""
    try:
        call()
    except botocore.exceptions.ClientError as e:
        named = getattr(sqs.exceptions, exception_name, None) if exception_name else None
        return {
            'code': e.response['Error']['Code'],
            'type': e.response['Error'].get('Type'),
            'status': e.response['ResponseMetadata']['HTTPStatusCode'],
            'message': e.response['Error']['Message'],
            'class': named is not None and isinstance(e, named),
        }
    return None


def standard():
    url = sqs.create_queue(QueueName='boto-standard', Attributes={'VisibilityTimeout': '45'}, tags={'team': 'payments'})['QueueUrl']
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
    body = 'line 1\r\nline 2 <b>&amp;</b> \u00e9 \U0001F600'
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody=body,
        MessageAttributes={
            'kind': {'DataType': 'String', 'StringValue': 'order\r'},
            'count': {'DataType': 'Number', 'StringValue': '42'},
            'blob': {'DataType': 'Binary', 'BinaryValue': b'\x00\x01\xfe\xff'},
        },
    )
    received = sqs.receive_message(QueueUrl=url, AttributeNames=['All'], MessageAttributeNames=['All'], WaitTimeSeconds=1)
    message = received['Messages'][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message['ReceiptHandle'])
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
    return {
        'url': url,
        'visibilityTimeout': attributes['VisibilityTimeout'],
        'queueArn': attributes['QueueArn'],
        'sentMd5': sent['MD5OfMessageBody'],
        'sentAttributesMd5': sent['MD5OfMessageAttributes'],
        'bodyMd5': hashlib.md5(body.encode('utf-8')).hexdigest(),
        'bodyRoundTrip': message['Body'] == body,
        'receivedMd5': message['MD5OfBody'],
        'receivedAttributesMd5': message['MD5OfMessageAttributes'],
        'receiveCount': message['Attributes']['ApproximateReceiveCount'],
        'kind': message['MessageAttributes']['kind']['StringValue'],
        'count': message['MessageAttributes']['count'],
        'blob': base64.b64encode(message['MessageAttributes']['blob']['BinaryValue']).decode(),
        'after': after,
    }


def batches():
    url = sqs.create_queue(QueueName='boto-batches')['QueueUrl']
    sent = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {'Id': 'a', 'MessageBody': 'first'},
            {'Id': 'b', 'MessageBody': 'second', 'MessageAttributes': {'n': {'DataType': 'Number', 'StringValue': '7'}}},
            {'Id': 'bad', 'MessageBody': 'control \x01 character'},
        ],
    )
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)['Messages']
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[{'Id': str(i), 'ReceiptHandle': m['ReceiptHandle'], 'VisibilityTimeout': 120} for i, m in enumerate(messages)]
        + [{'Id': 'stale', 'ReceiptHandle': 'not-a-handle', 'VisibilityTimeout': 1}],
    )
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[{'Id': str(i), 'ReceiptHandle': m['ReceiptHandle']} for i, m in enumerate(messages)])
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
    return {
        'sentOk': sorted(e['Id'] for e in sent['Successful']),
        'sentFailed': [{'Id': e['Id'], 'Code': e['Code'], 'SenderFault': e['SenderFault']} for e in sent.get('Failed', [])],
        'received': sorted(m['Body'] for m in messages),
        'changedOk': len(changed['Successful']),
        'changedFailed': [{'Id': e['Id'], 'Code': e['Code']} for e in changed.get('Failed', [])],
        'deletedOk': len(deleted['Successful']),
        'left': left,
    }


def fifo():
    url = sqs.create_queue(QueueName='boto-orders.fifo', Attributes={'FifoQueue': 'true'})['QueueUrl']
    first = sqs.send_message(QueueUrl=url, MessageBody='one', MessageGroupId='g', MessageDeduplicationId='d1')
    duplicate = sqs.send_message(QueueUrl=url, MessageBody='one again', MessageGroupId='g', MessageDeduplicationId='d1')
    sqs.send_message(QueueUrl=url, MessageBody='two', MessageGroupId='g', MessageDeduplicationId='d2')
    receive = lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId='attempt-1', AttributeNames=['All'])['Messages']
    got = receive()
    retried = receive()
    return {
        'sequenceNumber': first['SequenceNumber'],
        'duplicateSameId': duplicate['MessageId'] == first['MessageId'],
        'bodies': [m['Body'] for m in got],
        'groups': [m['Attributes']['MessageGroupId'] for m in got],
        'retrySameHandles': [m['ReceiptHandle'] for m in retried] == [m['ReceiptHandle'] for m in got],
    }


def listing():
    urls = [sqs.create_queue(QueueName=f'boto-list-{i}')['QueueUrl'] for i in range(5)]
    sqs.create_queue(QueueName='boto-other')
    prefixed = sqs.list_queues(QueueNamePrefix='boto-list-')['QueueUrls']
    pages = [len(page.get('QueueUrls', [])) for page in sqs.get_paginator('list_queues').paginate(QueueNamePrefix='boto-list-', PaginationConfig={'PageSize': 2})]
    sqs.tag_queue(QueueUrl=urls[0], Tags={'a': '1', 'b': '2'})
    sqs.untag_queue(QueueUrl=urls[0], TagKeys=['a'])
    tags = sqs.list_queue_tags(QueueUrl=urls[0])['Tags']
    return {'prefixed': sorted(prefixed) == sorted(urls), 'pages': pages, 'tags': tags, 'url': sqs.get_queue_url(QueueName='boto-list-3')['QueueUrl'] == urls[3]}


def errors():
    url = sqs.create_queue(QueueName='boto-errors', Attributes={'VisibilityTimeout': '10'})['QueueUrl']
    sqs.purge_queue(QueueUrl=url)
    return {
        'missing': error_of(lambda: sqs.get_queue_url(QueueName='boto-nowhere'), 'QueueDoesNotExist'),
        'exists': error_of(lambda: sqs.create_queue(QueueName='boto-errors', Attributes={'VisibilityTimeout': '20'}), 'QueueNameExists'),
        'handle': error_of(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle='not-a-handle'), 'ReceiptHandleIsInvalid'),
        'tooMany': error_of(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11), None),
        'purgeAgain': error_of(lambda: sqs.purge_queue(QueueUrl=url), 'PurgeQueueInProgress'),
        'badAttribute': error_of(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['Colour']), 'InvalidAttributeName'),
    }


def lifecycle():
    url = sqs.create_queue(QueueName='boto-lifecycle')['QueueUrl']
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f'm{i}')
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages'])['Attributes']['ApproximateNumberOfMessages']
    sqs.purge_queue(QueueUrl=url)
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages'])['Attributes']['ApproximateNumberOfMessages']
    sqs.delete_queue(QueueUrl=url)
    gone = error_of(lambda: sqs.get_queue_url(QueueName='boto-lifecycle'), 'QueueDoesNotExist')
    return {'before': before, 'after': after, 'gone': gone}


print(json.dumps(globals()[scenario]()))
