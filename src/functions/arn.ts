// AWS-style identifiers for what shopstream emulates. One region and one account everywhere, so that
// events, failure records and API answers carry ARNs in the shape AWS tools and unmodified handlers expect.

export const AWS_REGION = "us-east-1";
export const AWS_ACCOUNT_ID = "000000000000";

/** The role a function "runs as": Kinesis events name it in `invokeIdentityArn`. */
export const FUNCTION_ROLE_ARN = `arn:aws:iam::${AWS_ACCOUNT_ID}:role/shopstream-function`;

export function functionArn(functionName: string): string {
  return `arn:aws:lambda:${AWS_REGION}:${AWS_ACCOUNT_ID}:function:${functionName}`;
}

export function streamArn(streamName: string): string {
  return `arn:aws:kinesis:${AWS_REGION}:${AWS_ACCOUNT_ID}:stream/${streamName}`;
}

export function queueArn(queueName: string): string {
  return `arn:aws:sqs:${AWS_REGION}:${AWS_ACCOUNT_ID}:${queueName}`;
}

const QUEUE_ARN = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:(.+)$/;

/** A queue named either plainly or by its SQS ARN (as AWS configs name destinations). */
export function queueNameOf(nameOrArn: string): string {
  return QUEUE_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}
