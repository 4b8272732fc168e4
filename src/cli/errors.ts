// How the CLI reports failure: one clear line on stderr and an exit code, never a stack trace for the
// user's mistakes (set SHOPSTREAM_DEBUG=1 to see stacks of unexpected errors).
import { InvalidArgumentError } from "commander";
import { ShopstreamError, UnauthorizedError } from "../errors/index.js";
import { API_KEY_ENV } from "./api-key-option.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function reportCliError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`shopstream: ${error.message}\n`);
    return 2;
  }
  if (error instanceof UnauthorizedError) {
    const hint = error.httpStatus === 403 ? "use a key with that scope" : `pass a valid key with --api-key or ${API_KEY_ENV}`;
    process.stderr.write(`shopstream: ${error.message} (${hint})\n`);
    return 1;
  }
  if (error instanceof ShopstreamError) {
    process.stderr.write(`shopstream: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`shopstream: ${message}\n`);
  if (process.env["SHOPSTREAM_DEBUG"] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** Wraps a command action so that errors become a message and an exit code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = reportCliError(error);
    }
  };
}

export function parseIntegerOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    return n;
  };
}

export function parseNumberOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}.`);
    return n;
  };
}
