// Event-time windows through one moment. A burst is "N events within W ms"; the event being assessed may
// arrive before or after the rest of its burst, so the rules look at every window of length W that
// contains the event's time, not just the W ms before it. Whichever event of a burst arrives last then
// sees the whole burst, in any arrival order.

export interface Timed {
  atMs: number;
}

/**
 * The points of each distinct window [start, start + windowMs] that contains `anchorMs`, where it
 * matters: windows that start at a point (or at the anchor) hold at least as much as any window between
 * them, so those are the only ones to look at.
 */
export function windowsThrough<T extends Timed>(points: readonly T[], anchorMs: number, windowMs: number): T[][] {
  const sorted = [...points].sort((a, b) => a.atMs - b.atMs);
  const starts = new Set<number>([anchorMs]);
  for (const point of sorted) if (point.atMs >= anchorMs - windowMs && point.atMs <= anchorMs) starts.add(point.atMs);
  const windows: T[][] = [];
  for (const startMs of [...starts].sort((a, b) => a - b)) {
    windows.push(sorted.filter((point) => point.atMs >= startMs && point.atMs <= startMs + windowMs));
  }
  return windows;
}

/** The most points any window of `windowMs` through `anchorMs` holds. */
export function mostInWindowThrough(points: readonly Timed[], anchorMs: number, windowMs: number): number {
  let most = 0;
  for (const window of windowsThrough(points, anchorMs, windowMs)) most = Math.max(most, window.length);
  return most;
}

/** One point per key, at the key's earliest time: "orders paid with this card", not payment attempts. */
export function earliestPerKey<T extends Timed>(points: readonly T[], keyOf: (point: T) => string): T[] {
  const earliest = new Map<string, T>();
  for (const point of points) {
    const key = keyOf(point);
    const current = earliest.get(key);
    if (!current || point.atMs < current.atMs) earliest.set(key, point);
  }
  return [...earliest.values()];
}
