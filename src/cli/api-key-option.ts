// --api-key, for the commands that call a running server's HTTP API (simulate --target, top, dispatch): a
// server with server.auth.apiKeys refuses them without one.
import { Option } from "commander";
import { API_KEY_HEADER } from "../server/index.js";

export const API_KEY_ENV = "SHOPSTREAM_API_KEY";

/** `--api-key <key>`, defaulting to $SHOPSTREAM_API_KEY; `scope` is the one the command's requests need. */
export function apiKeyOption(scope: "ingest" | "read"): Option {
  return new Option("--api-key <key>", `API key (${scope} scope) for a server with server.auth.apiKeys, sent as ${API_KEY_HEADER}`).env(API_KEY_ENV);
}

/** The request headers that carry `apiKey`; none without one (an empty $SHOPSTREAM_API_KEY included). */
export function apiKeyHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined || apiKey === "" ? {} : { [API_KEY_HEADER]: apiKey };
}
