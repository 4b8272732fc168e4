// Signature V4 verification: signatures made by the Smithy signer (as the SDKs make them) pass; anything
// else is refused with AWS's error codes, and without keys only loopback clients get in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsError } from "./errors.js";
import { isLoopback, verifySignature, type IncomingSignedRequest } from "./sigv4.js";

const KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const OPTIONS = { accessKeys: [KEY], region: "us-east-1", signingName: "kinesis" };

async function signed(signingDate = new Date()): Promise<IncomingSignedRequest> {
  const body = Buffer.from('{"StreamName":"events"}');
  const signer = new SignatureV4({ credentials: KEY, region: "us-east-1", service: "kinesis", sha256: Hash.bind(null, "sha256") });
  const request = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 4566,
      path: "/",
      query: {},
      headers: { host: "127.0.0.1:4566", "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.DescribeStream" },
      body,
    },
    { signingDate },
  );
  return { method: "POST", path: "/", query: {}, headers: request.headers as Record<string, string>, body, remoteAddress: "10.1.2.3" };
}

async function codeOf(promise: Promise<void>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AwsError);
    return error.code;
  }
  return "accepted";
}

describe("Signature V4", () => {
  it("accepts a request signed with a configured key, from any address", async () => {
    assert.equal(await codeOf(verifySignature(await signed(), OPTIONS)), "accepted");
  });

  it("refuses a changed body, an old signature and another service's scope", async () => {
    const tampered = await signed();
    tampered.body = Buffer.from('{"StreamName":"curated"}');
    assert.equal(await codeOf(verifySignature(tampered, OPTIONS)), "InvalidSignatureException");
    assert.equal(await codeOf(verifySignature(await signed(new Date(Date.now() - 20 * 60_000)), OPTIONS)), "InvalidSignatureException");
    assert.equal(await codeOf(verifySignature(await signed(), { ...OPTIONS, signingName: "firehose" })), "InvalidSignatureException");
  });

  it("without keys, accepts loopback clients with any credentials and refuses others", async () => {
    const request = await signed();
    assert.equal(await codeOf(verifySignature({ ...request, remoteAddress: "127.0.0.1" }, { ...OPTIONS, accessKeys: undefined })), "accepted");
    assert.equal(await codeOf(verifySignature({ ...request, headers: {}, remoteAddress: "::ffff:127.0.0.1" }, { ...OPTIONS, accessKeys: [] })), "accepted");
    assert.equal(await codeOf(verifySignature(request, { ...OPTIONS, accessKeys: [] })), "UnrecognizedClientException");
    assert.equal(isLoopback("::1"), true);
    assert.equal(isLoopback("192.168.1.2"), false);
  });
});
