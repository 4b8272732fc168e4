// Deterministic, compact ids. Every id carries the run tag, so two runs with different seeds or options
// never collide in the pipeline's idempotent stores, and the same run replayed yields the same ids.

/** events, sessions, orders, payments, reviews, accounts opened during the run, injected cases */
export type IdKind = "ev" | "ss" | "or" | "pa" | "rv" | "cu" | "fc";

export class IdSequence {
  private readonly counters: Record<IdKind, number> = { ev: 0, ss: 0, or: 0, pa: 0, rv: 0, cu: 0, fc: 0 };

  /** `runTag` identifies the stream: the seed plus a short hash of everything else that shapes it. */
  constructor(readonly runTag: string) {}

  next(kind: IdKind): string {
    const counter = this.counters[kind]++;
    return `${kind}-${this.runTag}-${counter.toString(36)}`;
  }

  /** How many ids of `kind` were handed out. */
  count(kind: IdKind): number {
    return this.counters[kind];
  }
}
