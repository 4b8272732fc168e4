// Funnel conversion per step, over the sessions that started in a range of event time. `sessions` is the
// strict funnel (reached the step and every step before it), the numbers a funnel chart shows; `reached`
// counts sessions that got to the step by any path (a visitor landing straight on checkout from an email).
import type { ServingStore } from "../store/index.js";
import { isoOf } from "./event-time.js";
import { FUNNEL_STEPS, funnelBit, funnelPrefixMask, type FunnelStep } from "./funnel-steps.js";
import type { TimeRange } from "./time-range.js";

export interface FunnelStepConversion {
  step: FunnelStep;
  /** sessions that reached this step and every step before it */
  sessions: number;
  /** sessions that reached this step by any path */
  reached: number;
  /** sessions over the previous step's (for the first step, over every session); null when that is 0 */
  fromPrevious: number | null;
  /** sessions over the first step's sessions; null when that is 0 */
  fromFirst: number | null;
}

export interface FunnelConversion {
  from: string | null;
  to: string | null;
  /** every session that started in the range */
  sessions: number;
  steps: FunnelStepConversion[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

const FUNNEL_SQL = `SELECT COUNT(*) AS sessions, ${FUNNEL_STEPS.map((step, index) => {
  const prefix = funnelPrefixMask(index);
  return `SUM(CASE WHEN (funnel_steps & ${prefix}) = ${prefix} THEN 1 ELSE 0 END) AS strict_${index}, SUM(CASE WHEN (funnel_steps & ${funnelBit(step)}) <> 0 THEN 1 ELSE 0 END) AS reached_${index}`;
}).join(", ")} FROM customer_sessions WHERE started_at_ms >= ? AND started_at_ms < ?`;

export async function funnelConversion(store: ServingStore, range: TimeRange = {}): Promise<FunnelConversion> {
  const row = (await store.get<Record<string, number | null>>(FUNNEL_SQL, [range.fromMs ?? Number.MIN_SAFE_INTEGER, range.toMs ?? Number.MAX_SAFE_INTEGER])) ?? {};
  const count = (column: string) => Number(row[column] ?? 0);
  const strict = FUNNEL_STEPS.map((_, index) => count(`strict_${index}`));
  return {
    from: range.fromMs === undefined ? null : isoOf(range.fromMs),
    to: range.toMs === undefined ? null : isoOf(range.toMs),
    sessions: count("sessions"),
    steps: FUNNEL_STEPS.map((step, index) => ({
      step,
      sessions: strict[index] as number,
      reached: count(`reached_${index}`),
      fromPrevious: index === 0 ? ratio(strict[0] as number, count("sessions")) : ratio(strict[index] as number, strict[index - 1] as number),
      fromFirst: ratio(strict[index] as number, strict[0] as number),
    })),
  };
}
