// Domain SQL binds with `?`; PostgreSQL numbers its parameters ($1, $2, …). The translation skips what is
// not code: string literals ('…', E'…' with backslash escapes), quoted identifiers, dollar-quoted bodies
// and comments, so a `?` inside any of them stays as written.

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** Returns `sql` with each `?` parameter marker replaced by $1, $2, … in order, and how many there were. */
export function numberPlaceholders(sql: string): { text: string; count: number } {
  let out = "";
  let count = 0;
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "?") {
      out += `$${++count}`;
      i++;
    } else if (ch === "'") {
      // E'…' (or e'…') allows backslash escapes; a plain literal only doubles its quotes.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1] as string) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2] as string));
      copyUntil(endOfQuoted(sql, i, "'", escapes));
    } else if (ch === '"') {
      copyUntil(endOfQuoted(sql, i, '"', false));
    } else if (ch === "-" && next === "-") {
      const newline = sql.indexOf("\n", i);
      copyUntil(newline < 0 ? sql.length : newline + 1);
    } else if (ch === "/" && next === "*") {
      copyUntil(endOfBlockComment(sql, i));
    } else if (ch === "$" && (i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1] as string)) && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      const tag = (DOLLAR_TAG.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const close = sql.indexOf(tag, i + tag.length);
      copyUntil(close < 0 ? sql.length : close + tag.length);
    } else {
      out += ch;
      i++;
    }
  }
  return { text: out, count };
}

/** The index just past the quote that closes the one at `start` (a doubled quote is part of the text). */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === "\\") i += 2;
    else if (ch === quote && sql[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** Block comments nest in PostgreSQL. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}
