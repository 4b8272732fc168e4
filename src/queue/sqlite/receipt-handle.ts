// Receipt handles of the SQLite queue: which queue and message row a receive was of, plus that receive's
// random nonce, so a handle from an earlier receive of the same message no longer matches.
import { randomUUID } from "node:crypto";

export interface Receipt {
  queueId: number;
  rowId: number;
  nonce: string;
}

const RECEIPT = /^(\d{1,15}):(\d{1,15}):([0-9a-f-]{36})$/;

export function newReceiptNonce(): string {
  return randomUUID();
}

export function formatReceiptHandle(receipt: Receipt): string {
  return Buffer.from(`${receipt.queueId}:${receipt.rowId}:${receipt.nonce}`, "latin1").toString("base64url");
}

/** The receipt a handle names, or undefined if this backend never issued anything like it. */
export function parseReceiptHandle(handle: string): Receipt | undefined {
  if (typeof handle !== "string" || handle.length > 128) return undefined;
  const match = RECEIPT.exec(Buffer.from(handle, "base64url").toString("latin1"));
  if (!match) return undefined;
  return { queueId: Number(match[1]), rowId: Number(match[2]), nonce: match[3]! };
}
