// AWS resource names for what the endpoint serves, in the configured region and account.
import { AwsError } from "./errors.js";

export interface ArnScope {
  region: string;
  accountId: string;
}

export const kinesisStreamArn = (scope: ArnScope, name: string) => `arn:aws:kinesis:${scope.region}:${scope.accountId}:stream/${name}`;
export const deliveryStreamArn = (scope: ArnScope, name: string) => `arn:aws:firehose:${scope.region}:${scope.accountId}:deliverystream/${name}`;

/** The resource name of an ARN of `service` whose resource is `<kind>/<name>`; InvalidArgumentException otherwise. */
export function nameFromArn(arn: string, service: string, kind: string): string {
  const match = /^arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:\d{12}:([a-z]+)\/([a-zA-Z0-9_.-]+)$/.exec(arn);
  if (!match || match[1] !== service || match[2] !== kind) {
    throw new AwsError("InvalidArgumentException", `${arn} is not a valid ${service} ${kind} ARN`);
  }
  return match[3]!;
}
