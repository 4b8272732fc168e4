// Per-entry failures of batch calls, with SQS's error codes, so the AWS layer passes them through as is.

export const ENTRY_ERROR = {
  invalidParameterValue: "InvalidParameterValue",
  invalidMessageContents: "InvalidMessageContents",
  missingParameter: "MissingParameter",
  receiptHandleIsInvalid: "ReceiptHandleIsInvalid",
  messageNotInflight: "MessageNotInflight",
} as const;

export interface EntryFailure {
  errorCode: string;
  errorMessage: string;
}

export function entryFailure(errorCode: string, errorMessage: string): EntryFailure {
  return { errorCode, errorMessage };
}
