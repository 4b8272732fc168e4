// A Kinesis consumer as people write them: decodes each record's base64 JSON. It appends what it saw, one
// JSON line per completed invocation, to $RECORD_FILE, and misbehaves when a record asks it to:
// { "fail": true } throws, { "reportFailure": true } is returned in batchItemFailures, and the first time
// it sees { "exitOnce": true } or { "hangOnce": true } it exits its thread or never answers.
import { appendFileSync, existsSync, writeFileSync } from "node:fs";

function firstTime(what) {
  const marker = `${process.env.RECORD_FILE}.${what}`;
  if (existsSync(marker)) return false;
  writeFileSync(marker, "");
  return true;
}

export const handler = async (event, context) => {
  const values = event.Records.map((record) => JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")));
  if (values.some((value) => value.exitOnce) && firstTime("exited")) process.exit(1);
  if (values.some((value) => value.hangOnce) && firstTime("hung")) await new Promise(() => {});
  appendFileSync(
    process.env.RECORD_FILE,
    JSON.stringify({ requestId: context.awsRequestId, first: event.Records[0], values }) + "\n",
  );
  if (values.some((value) => value.fail)) throw new Error("a record asked to fail");
  const failures = event.Records.filter((record, i) => values[i].reportFailure);
  return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })) };
};
