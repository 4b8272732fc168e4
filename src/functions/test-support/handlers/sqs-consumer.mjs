// An SQS consumer with partial batch responses: a message whose body is "fail" is reported as failed,
// "throw" fails the whole batch. Every message id it saw is appended to $RECORD_FILE.
import { appendFileSync } from "node:fs";

export const handler = async (event) => {
  for (const record of event.Records) appendFileSync(process.env.RECORD_FILE, JSON.stringify(record) + "\n");
  if (event.Records.some((record) => record.body === "throw")) throw new Error("asked to throw");
  return {
    batchItemFailures: event.Records.filter((record) => record.body === "fail").map((record) => ({ itemIdentifier: record.messageId })),
  };
};
