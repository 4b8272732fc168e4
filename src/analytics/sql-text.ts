// A few lexical steps over SQL text, enough to read the head of a statement that DuckDB cannot tell us
// about: what EXPLAIN explains, and Athena's CREATE TABLE … WITH (…) AS. Comments and quoted text are
// skipped the way DuckDB's parser skips them, so a keyword inside either is never mistaken for syntax.

/** Index of the first character at or after `from` that is neither whitespace nor inside a comment. */
export function skipTrivia(sql: string, from: number): number {
  let at = from;
  for (;;) {
    while (at < sql.length && /\s/.test(sql[at]!)) at++;
    if (sql.startsWith("--", at)) {
      const end = sql.indexOf("\n", at);
      at = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", at)) {
      at = skipBlockComment(sql, at);
    } else {
      return at;
    }
  }
}

/** Block comments nest in DuckDB (as in PostgreSQL): `/* a /* b *\/ c *\/` is one comment. */
function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let at = from;
  while (at < sql.length) {
    if (sql.startsWith("/*", at)) {
      depth++;
      at += 2;
    } else if (sql.startsWith("*/", at)) {
      depth--;
      at += 2;
      if (depth === 0) return at;
    } else {
      at++;
    }
  }
  return sql.length;
}

export interface Token {
  /** the keyword or identifier as written; a quoted identifier without its quotes */
  text: string;
  quoted: boolean;
  start: number;
  end: number;
}

/** The word (keyword, identifier or "quoted identifier") that starts at `at`, after trivia. */
export function readWord(sql: string, from: number): Token | undefined {
  const start = skipTrivia(sql, from);
  if (sql[start] === '"') {
    let text = "";
    let at = start + 1;
    while (at < sql.length) {
      if (sql[at] === '"') {
        if (sql[at + 1] !== '"') return { text, quoted: true, start, end: at + 1 };
        at++;
      }
      text += sql[at];
      at++;
    }
    return undefined;
  }
  const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(start, start + 256));
  return match ? { text: match[0], quoted: false, start, end: start + match[0].length } : undefined;
}

/** Whether the unquoted word at `from` is `keyword` (case-insensitive); its end index if so. */
export function readKeyword(sql: string, from: number, keyword: string): number | undefined {
  const word = readWord(sql, from);
  return word && !word.quoted && word.text.toUpperCase() === keyword ? word.end : undefined;
}

/** Index just past the `)` that closes the `(` at `open`, skipping quoted text and comments. */
export function skipParenthesized(sql: string, open: number): number | undefined {
  let depth = 0;
  let at = open;
  while (at < sql.length) {
    const char = sql[at]!;
    if (char === "'" || char === '"') {
      const close = closingQuote(sql, at);
      if (close === undefined) return undefined;
      at = close + 1;
    } else if (sql.startsWith("--", at) || sql.startsWith("/*", at)) {
      at = skipTrivia(sql, at);
    } else {
      if (char === "(") depth++;
      else if (char === ")" && --depth === 0) return at + 1;
      at++;
    }
  }
  return undefined;
}

/** Index of the quote that ends the quoted text opening at `open` (a doubled quote is an escaped one). */
export function closingQuote(sql: string, open: number): number | undefined {
  const quote = sql[open]!;
  let at = open + 1;
  while (at < sql.length) {
    if (sql[at] === quote) {
      if (sql[at + 1] !== quote) return at;
      at++;
    }
    at++;
  }
  return undefined;
}

/** The text of a single-quoted SQL string literal starting at `open`, unescaped, and the index past it. */
export function readStringLiteral(sql: string, from: number): { value: string; end: number } | undefined {
  const open = skipTrivia(sql, from);
  if (sql[open] !== "'") return undefined;
  const close = closingQuote(sql, open);
  return close === undefined ? undefined : { value: sql.slice(open + 1, close).replaceAll("''", "'"), end: close + 1 };
}

/** The character at `from` after trivia, and its index. */
export function peek(sql: string, from: number): { char: string | undefined; at: number } {
  const at = skipTrivia(sql, from);
  return { char: sql[at], at };
}
