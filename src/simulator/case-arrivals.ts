// The arrival process of injected cases: a Poisson stream that follows the shop's busy hours, half fraud
// and half benign look-alikes. It draws from its own random stream, so turning injection on or off
// leaves every shopper's own choices as they were.
import { lookalikeBuilders } from "./benign-lookalikes.js";
import type { CaseKit } from "./case-kit.js";
import { fraudBuilders } from "./fraud-patterns.js";
import type { Task } from "./scheduler.js";
import { benignLookalikes, fraudPatterns, type BenignLookalike, type FraudPattern } from "./simulation-label.js";

const HOUR_MS = 3_600_000;

/** How often each pattern is injected, relative to the others. */
const fraudPatternWeights: Readonly<Record<FraudPattern, number>> = {
  card_testing: 0.25,
  velocity: 0.2,
  amount_outlier: 0.15,
  new_account_high_value: 0.2,
  country_mismatch: 0.2,
};

export interface CaseCounts {
  fraud: number;
  lookalike: number;
}

export class CaseArrivals implements Task {
  dueMs = 0;
  scheduleOrder = 0;
  private readonly counts: CaseCounts = { fraud: 0, lookalike: 0 };

  constructor(
    private readonly kit: CaseKit,
    /** fraud cases plus look-alike cases per shop hour at average intensity */
    private readonly casesPerHour: number,
    private readonly intensityAt: (shopTimeMs: number) => number,
  ) {}

  get started(): Readonly<CaseCounts> {
    return this.counts;
  }

  fire(nowMs: number): void {
    const { random, ctx } = this.kit;
    if (random.chance(0.5)) {
      if (this.startFirstThatRuns(fraudPatterns, (pattern) => fraudPatternWeights[pattern], (pattern) => fraudBuilders[pattern](this.kit, nowMs))) this.counts.fraud++;
    } else if (this.startFirstThatRuns(benignLookalikes, () => 1, (kind: BenignLookalike) => lookalikeBuilders[kind](this.kit, nowMs))) {
      this.counts.lookalike++;
    }
    ctx.scheduler.schedule(this, nowMs + random.exponential(HOUR_MS / (this.casesPerHour * this.intensityAt(nowMs))));
  }

  /** Draws a kind by weight and starts it; a kind that cannot run now gives way to the others. */
  private startFirstThatRuns<K extends string>(kinds: readonly K[], weightOf: (kind: K) => number, start: (kind: K) => boolean): boolean {
    const remaining = [...kinds];
    while (remaining.length > 0) {
      const kind = this.kit.random.weightedPick(remaining, remaining.map(weightOf));
      if (start(kind)) return true;
      remaining.splice(remaining.indexOf(kind), 1);
    }
    return false;
  }
}
