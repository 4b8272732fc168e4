// Signature Version 4 on incoming requests. With access keys configured, the signature is recomputed with
// the Smithy signer (the one the AWS SDKs sign with) over the headers the client says it signed, and
// compared in constant time. Without keys, any credentials are accepted, from loopback clients only.
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsError } from "./errors.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IncomingSignedRequest {
  method: string;
  /** the path as sent, still percent-encoded, without the query */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  remoteAddress: string | undefined;
}

export interface VerifyOptions {
  accessKeys: readonly AccessKey[] | undefined;
  region: string;
  /** the service the credential scope must name */
  signingName: string;
  nowMs?: number;
}

const MAX_SKEW_MS = 15 * 60_000;
const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+(.*)$/;

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function header(headers: IncomingSignedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseAuthorization(value: string): ParsedAuthorization {
  const match = AUTHORIZATION.exec(value.trim());
  const incomplete = (what: string) => new AwsError("IncompleteSignatureException", `Authorization header requires '${what}' parameter. Authorization=${value}`);
  if (!match) throw new AwsError("IncompleteSignatureException", `Unsupported AWS 'algorithm': only AWS4-HMAC-SHA256 is accepted. Authorization=${value}`);
  const parts = new Map<string, string>();
  for (const part of match[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get("Credential");
  const signedHeaders = parts.get("SignedHeaders");
  const signature = parts.get("Signature");
  if (!credential) throw incomplete("Credential");
  if (!signedHeaders) throw incomplete("SignedHeaders");
  if (!signature) throw incomplete("Signature");
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    throw new AwsError("IncompleteSignatureException", `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${credential}'`);
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** `20260105T080000Z` → epoch ms */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Throws AWS's authentication errors; resolves when the request may go on. */
export async function verifySignature(request: IncomingSignedRequest, options: VerifyOptions): Promise<void> {
  const keys = options.accessKeys ?? [];
  if (keys.length === 0) {
    if (isLoopback(request.remoteAddress)) return;
    throw new AwsError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid: this endpoint has no access keys configured (aws.accessKeys) and accepts loopback clients only",
    );
  }
  const authorization = header(request.headers, "authorization");
  if (authorization === undefined) {
    if (request.query["X-Amz-Signature"] !== undefined) {
      throw new AwsError("IncompleteSignatureException", "presigned (query string) requests are not supported; sign the Authorization header");
    }
    throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  }
  const parsed = parseAuthorization(authorization);
  const amzDate = header(request.headers, "x-amz-date");
  if (amzDate === undefined) {
    throw new AwsError("IncompleteSignatureException", `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`);
  }
  const signedAtMs = parseAmzDate(amzDate);
  if (signedAtMs === undefined || !amzDate.startsWith(parsed.date)) {
    throw new AwsError("IncompleteSignatureException", `X-Amz-Date ${amzDate} is not a valid date for credential date ${parsed.date}`);
  }
  const key = keys.find((candidate) => candidate.accessKeyId === parsed.accessKeyId);
  if (!key) throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.");
  const nowMs = options.nowMs ?? Date.now();
  if (Math.abs(nowMs - signedAtMs) > MAX_SKEW_MS) {
    throw new AwsError(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_SKEW_MS)} (${formatAmzDate(nowMs)} - 15 min.)`,
    );
  }
  if (parsed.region !== options.region) {
    throw new AwsError("InvalidSignatureException", `Credential should be scoped to a valid region, not '${parsed.region}'. (This endpoint is ${options.region}.)`);
  }
  if (parsed.service !== options.signingName) {
    throw new AwsError("InvalidSignatureException", `Credential should be scoped to correct service: '${options.signingName}'.`);
  }
  // Over HTTP/2 the SDKs sign the :authority pseudo-header in Host's place.
  if (!parsed.signedHeaders.includes("host") && !parsed.signedHeaders.includes(":authority")) {
    throw new AwsError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // The signer takes a payload hash header on trust; the body must match it.
  const payloadHash = header(request.headers, "x-amz-content-sha256");
  if (payloadHash !== undefined && payloadHash !== createHash("sha256").update(request.body).digest("hex")) {
    throw new AwsError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const signedHeaders: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(request.headers, name);
    if (value !== undefined) signedHeaders[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: parsed.region,
    service: parsed.service,
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: false,
  });
  const host = signedHeaders["host"] ?? signedHeaders[":authority"] ?? "";
  const signed = await signer.sign(
    { method: request.method, protocol: "http:", hostname: host, path: request.path, query: request.query, headers: signedHeaders, body: request.body },
    { signingDate: new Date(signedAtMs), signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers["authorization"] ?? ""))?.[1] ?? "";
  const given = Buffer.from(parsed.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    throw new AwsError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}
