// Object key rules shared by every ObjectStore backend, so a key that works locally works on S3 too.
import { ValidationError } from "../errors/index.js";

const MAX_KEY_LENGTH = 1024;

/**
 * Throws a ValidationError unless `key` is a relative, slash-separated path whose segments are not empty,
 * "." or "..", and do not start with "." (names that backends reserve for temporary objects).
 */
export function assertObjectKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ValidationError(`object key must be 1 to ${MAX_KEY_LENGTH} characters, got ${key.length}`, "invalid_object_key");
  }
  if (key.includes("\\") || key.includes("\0")) {
    throw new ValidationError(`object key must not contain backslashes or NUL: ${JSON.stringify(key)}`, "invalid_object_key");
  }
  for (const segment of key.split("/")) {
    if (segment === "" || segment.startsWith(".")) {
      throw new ValidationError(
        `object key segments must be non-empty and must not start with ".": ${JSON.stringify(key)}`,
        "invalid_object_key",
      );
    }
  }
}
