// What counts as a secret, in one place: the logger's redaction paths and the config printer's masking
// both come from here. Secrets are fields by name (API keys, AWS secret keys, passwords, tokens, the
// request headers that carry credentials) and the password inside any URL (a PostgreSQL URL, a webhook).

export const REDACTED = "[redacted]";

/** Field names whose values are secrets wherever they appear. */
const SECRET_FIELDS = ["apiKey", "api_key", "password", "secretAccessKey", "sessionToken", "secret", "token", "authorization", "x-api-key", "cookie", "set-cookie"];
const SECRET_FIELD = new RegExp(`^(${SECRET_FIELDS.map((name) => name.replace(/[-_]/g, "[-_]?")).join("|")})$`, "i");

/** A URL with a user and password: `scheme://user:password@host…`. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)([^/?#@]*)@/i;

/** `postgres://shop:hunter2@db/shop` → `postgres://shop:[redacted]@db/shop`; other text unchanged. */
export function maskUrlPassword(text: string): string {
  return text.replace(URL_PASSWORD, (_match, head: string) => `${head}${REDACTED}@`);
}

/**
 * A copy of a value with every secret masked: secret fields by name, the `key` of an API key entry, and
 * passwords inside URLs. For printing configs; `shopstream validate --print-config` uses it.
 */
export function maskSecrets(value: unknown, parentKey = ""): unknown {
  if (typeof value === "string") return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((member) => maskSecrets(member, parentKey));
  if (typeof value !== "object" || value === null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const secret = SECRET_FIELD.test(key) || (key === "key" && parentKey === "apiKeys");
    masked[key] = secret && member !== undefined && member !== null ? REDACTED : maskSecrets(member, key);
  }
  return masked;
}

/**
 * pino redaction paths: each secret field at the top of a log object and up to three levels down, the
 * keys of API key lists, and the credential headers of a logged request.
 */
export function logRedactionPaths(): string[] {
  const prefixes = ["", "*.", "*.*.", "*.*.*."];
  const fields = SECRET_FIELDS.map((name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`));
  const paths: string[] = [];
  for (const prefix of prefixes) {
    for (const field of fields) paths.push(field.startsWith("[") ? `${prefix.replace(/\.$/, "")}${field}` : `${prefix}${field}`);
    paths.push(`${prefix}apiKeys[*].key`, `${prefix}url`);
  }
  // A bare `["x-api-key"]` with no prefix is not a valid path; headers of a request object are.
  return paths.filter((path) => !path.startsWith("["));
}

/** pino's censor: URLs keep everything but their password, other secrets go entirely. */
export function censorLogValue(value: unknown, path: string[]): unknown {
  if (path[path.length - 1] === "url") return typeof value === "string" ? maskUrlPassword(value) : value;
  return REDACTED;
}
