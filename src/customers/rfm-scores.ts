// RFM scoring: recency, frequency and monetary value each become a score from 1 to 5 by quintile over the
// customers scored together, and the three scores name a segment. Both are SQL, so a run is one
// INSERT … SELECT however many customers there are.
//
// A score is 1 + floor(5 × the share of customers strictly worse), so equal values share a score and the
// most common value does not spill over two quintiles: with 60 % of customers on one order, they all get
// F = 1 and two orders already reach F = 4. A later last order is a better recency.

export const RFM_SEGMENTS = ["champions", "loyal", "potential_loyalists", "new", "needs_attention", "at_risk", "hibernating"] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

type ScoreRange = readonly [min: number, max: number];

export interface RfmSegmentRule {
  segment: RfmSegment;
  /** the scores a customer needs; a score not named may be anything */
  r?: ScoreRange;
  f?: ScoreRange;
  m?: ScoreRange;
}

/** First match wins; the last rule takes everyone left. */
export const RFM_SEGMENT_RULES: readonly RfmSegmentRule[] = [
  { segment: "champions", r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: "loyal", r: [3, 5], f: [4, 5] },
  { segment: "new", r: [4, 5], f: [1, 1] },
  { segment: "potential_loyalists", r: [4, 5] },
  { segment: "at_risk", r: [1, 2], f: [3, 5] },
  { segment: "hibernating", r: [1, 2] },
  { segment: "needs_attention" },
];

const SCORES = ["r", "f", "m"] as const;

export function segmentOf(scores: RfmScores): RfmSegment {
  const matches = (rule: RfmSegmentRule) =>
    SCORES.every((score) => {
      const range = rule[score];
      return range === undefined || (scores[score] >= range[0] && scores[score] <= range[1]);
    });
  return (RFM_SEGMENT_RULES.find(matches) as RfmSegmentRule).segment;
}

/** The segment as a SQL CASE over three score columns. */
export function segmentSql(columns: Readonly<Record<keyof RfmScores, string>>): string {
  const conditions = (rule: RfmSegmentRule) =>
    SCORES.flatMap((score) => {
      const range = rule[score];
      return range === undefined ? [] : [`${columns[score]} BETWEEN ${range[0]} AND ${range[1]}`];
    });
  const cases = RFM_SEGMENT_RULES.slice(0, -1).map((rule) => `WHEN ${conditions(rule).join(" AND ")} THEN '${rule.segment}'`);
  return `CASE ${cases.join(" ")} ELSE '${(RFM_SEGMENT_RULES.at(-1) as RfmSegmentRule).segment}' END`;
}

/** The quintile score of a column as a SQL window expression: RANK() - 1 is the count strictly below. */
export function quintileScoreSql(column: string): string {
  return `1 + 5 * (RANK() OVER (ORDER BY ${column}) - 1) / COUNT(*) OVER ()`;
}
