// Saved (named) queries, Athena's NamedQuery: a name, a description and the SQL, kept in one small JSON
// file under the data directory. Every change rewrites the file through a temporary sibling, flushed and
// renamed over it, so a crash leaves the old file or the new one, never half of either.
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { NotFoundError, ValidationError } from "../errors/index.js";

export interface NamedQuery {
  /** a UUID, as Athena's NamedQueryId */
  namedQueryId: string;
  name: string;
  description?: string;
  sql: string;
  /** ISO 8601 */
  createdAt: string;
}

export interface NamedQueryInput {
  name: string;
  description?: string;
  sql: string;
}

/** Athena's limits on a named query. */
export const NAMED_QUERY_LIMITS = { nameChars: 128, descriptionChars: 1024, sqlChars: 262_144 } as const;

interface NamedQueryFile {
  version: 1;
  namedQueries: NamedQuery[];
}

export class NamedQueryStore {
  private readonly queries = new Map<string, NamedQuery>();

  /** Opens the store at `path`; a missing file is an empty store, created on the first save. */
  constructor(private readonly path: string) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const file = JSON.parse(text) as NamedQueryFile;
    for (const query of file.namedQueries) this.queries.set(query.namedQueryId, query);
  }

  create(input: NamedQueryInput): NamedQuery {
    const query: NamedQuery = {
      namedQueryId: randomUUID(),
      name: checkText("name", input.name, NAMED_QUERY_LIMITS.nameChars),
      ...(input.description !== undefined && { description: checkText("description", input.description, NAMED_QUERY_LIMITS.descriptionChars, true) }),
      sql: checkText("sql", input.sql, NAMED_QUERY_LIMITS.sqlChars),
      createdAt: new Date().toISOString(),
    };
    this.queries.set(query.namedQueryId, query);
    this.save();
    return query;
  }

  get(namedQueryId: string): NamedQuery {
    const query = this.queries.get(namedQueryId);
    if (!query) throw new NotFoundError(`no named query ${namedQueryId}`, "named_query_not_found");
    return query;
  }

  /** Oldest first, the order they were saved in. */
  list(): NamedQuery[] {
    return [...this.queries.values()];
  }

  delete(namedQueryId: string): void {
    if (!this.queries.delete(namedQueryId)) throw new NotFoundError(`no named query ${namedQueryId}`, "named_query_not_found");
    this.save();
  }

  private save(): void {
    const file: NamedQueryFile = { version: 1, namedQueries: this.list() };
    const directory = dirname(this.path);
    mkdirSync(directory, { recursive: true });
    const temporary = `${this.path}.${randomUUID().slice(0, 8)}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    // The rename is durable once the directory entry is.
    const dirFd = openSync(directory, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}

function checkText(field: string, value: string, maxChars: number, allowEmpty = false): string {
  if (typeof value !== "string" || (!allowEmpty && value.trim() === "")) throw new ValidationError(`${field} must be a non-empty string`, "invalid_named_query");
  if (value.length > maxChars) throw new ValidationError(`${field} is longer than ${maxChars} characters`, "invalid_named_query");
  return value;
}
