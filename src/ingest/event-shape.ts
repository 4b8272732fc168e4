// Shape limits every ingested event meets before it is validated or stored: nesting no deeper than
// MAX_EVENT_DEPTH (deeper values overflow the stack of whatever walks them later: the validator's error
// messages, JSON.stringify, the functions, the lake's conversion), and strings that have a UTF-8 form (a
// JSON escape like "\ud800" is valid JSON but an unpaired surrogate, which would be stored as U+FFFD).

/** Objects and arrays inside one another, counting the event itself; real events are 4 deep. */
export const MAX_EVENT_DEPTH = 32;

export type ShapeProblem = { code: "too_deeply_nested" | "invalid_encoding"; message: string };

const LONE_SURROGATE = /\p{Cs}/u;
/** A \uD800–\uDFFF escape in JSON text: only then can a parsed string hold a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const tooDeep = (): ShapeProblem => ({
  code: "too_deeply_nested",
  message: `the event nests objects and arrays more than ${MAX_EVENT_DEPTH} levels deep`,
});

/** Deepest nesting of `{` and `[` in JSON text, outside strings; stops counting past `limit`. */
function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Walks a parsed value without recursion: its depth, and every string and key for lone surrogates. */
function valueProblem(value: unknown, limit: number): ShapeProblem | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === "string") {
      if (LONE_SURROGATE.test(current)) return lonely();
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (depth > limit) return tooDeep();
    if (Array.isArray(current)) {
      for (const member of current) stack.push([member, depth + 1]);
    } else {
      for (const [key, member] of Object.entries(current)) {
        if (LONE_SURROGATE.test(key)) return lonely();
        stack.push([member, depth + 1]);
      }
    }
  }
  return undefined;
}

const lonely = (): ShapeProblem => ({
  code: "invalid_encoding",
  message: "a string in the event holds an unpaired UTF-16 surrogate (a \\uD800–\\uDFFF escape), which has no UTF-8 form",
});

/**
 * Why an event cannot be taken as it is, or undefined. `raw` is the event's own JSON text when there is
 * one: scanning it is cheaper than walking the value, which is then walked only when it may hold a lone
 * surrogate.
 */
export function eventShapeProblem(value: unknown, raw: string | undefined): ShapeProblem | undefined {
  if (raw === undefined) return valueProblem(value, MAX_EVENT_DEPTH);
  if (textDepthExceeds(raw, MAX_EVENT_DEPTH)) return tooDeep();
  return SURROGATE_ESCAPE.test(raw) ? valueProblem(value, MAX_EVENT_DEPTH) : undefined;
}
