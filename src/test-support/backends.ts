// Whether an external backend a suite needs is here. Locally a missing one skips its suite with a printed
// reason; with CI=true it is a failure, so CI never passes by skipping.
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export interface Availability {
  /** undefined when available; else why the suite is skipped */
  skip: string | undefined;
}

function decide(available: boolean, reason: string): Availability {
  if (available) return { skip: undefined };
  if (process.env["CI"] === "true") throw new Error(`CI=true and ${reason}; .ci/run installs it`);
  process.stderr.write(`skipping: ${reason}\n`);
  return { skip: reason };
}

export function chromium(): Availability {
  return decide(existsSync(CHROMIUM_PATH), `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`);
}
