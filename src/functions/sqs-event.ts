// Lambda's SQS event: one record per received message, attributes spelled as Lambda spells them
// (system attributes in PascalCase strings, message attributes with camelCase keys and base64 binaries).
import type { MessageAttributeValue, ReceivedMessage } from "../queue/index.js";
import { AWS_ACCOUNT_ID, AWS_REGION } from "./arn.js";

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

export function sqsEvent(messages: readonly ReceivedMessage[], eventSourceArn: string): { Records: SqsEventRecord[] } {
  return { Records: messages.map((message) => sqsEventRecord(message, eventSourceArn)) };
}

function sqsEventRecord(message: ReceivedMessage, eventSourceArn: string): SqsEventRecord {
  const attributes: Record<string, string> = { SenderId: AWS_ACCOUNT_ID };
  for (const [key, value] of Object.entries(message.attributes)) if (value !== undefined) attributes[key] = value;
  const record: SqsEventRecord = {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes: Object.fromEntries(Object.entries(message.messageAttributes).map(([name, value]) => [name, lambdaAttribute(value)])),
    md5OfBody: message.md5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: eventSourceArn,
    awsRegion: AWS_REGION,
  };
  if (message.md5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.md5OfMessageAttributes;
  return record;
}

function lambdaAttribute(value: MessageAttributeValue): SqsEventRecord["messageAttributes"][string] {
  return {
    ...(value.stringValue !== undefined && { stringValue: value.stringValue }),
    ...(value.binaryValue !== undefined && { binaryValue: Buffer.from(value.binaryValue).toString("base64") }),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.dataType,
  };
}
