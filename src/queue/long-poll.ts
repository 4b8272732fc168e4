// Long polling: try to receive, and while nothing is there, wait until something may be (a wake-up from a
// send in this process, the moment a known message becomes visible, or a poll interval for sends by other
// processes), up to the wait time. An aborted signal ends the wait with nothing.

export interface LongPollOptions<T> {
  /** one receive attempt */
  attempt: () => T[] | Promise<T[]>;
  waitMs: number;
  signal?: AbortSignal | undefined;
  /** calls `wake` when a message may have become available in this process; returns the unsubscribe */
  subscribe: (wake: () => void) => () => void;
  /** ms until the next message the backend knows of becomes visible; undefined if none */
  msUntilNextDue?: () => number | undefined;
  /** how often to look again for messages no wake-up announces (another process sent them) */
  pollIntervalMs: number;
}

export async function longPoll<T>(options: LongPollOptions<T>): Promise<T[]> {
  const { signal } = options;
  // A short poll needs no wake-ups.
  if (options.waitMs <= 0) return signal?.aborted ? [] : options.attempt();
  const deadline = performance.now() + options.waitMs;
  let woken = false;
  let endSleep: (() => void) | undefined;
  const wake = () => {
    woken = true;
    endSleep?.();
  };
  const unsubscribe = options.subscribe(wake);
  signal?.addEventListener("abort", wake);
  try {
    for (;;) {
      if (signal?.aborted) return [];
      woken = false;
      const found = await options.attempt();
      if (found.length > 0) return found;
      const remainingMs = deadline - performance.now();
      if (remainingMs <= 0) return [];
      // A wake-up that came while an asynchronous attempt ran means: look again now.
      if (woken) continue;
      const dueMs = options.msUntilNextDue?.() ?? Number.POSITIVE_INFINITY;
      await sleep(Math.max(1, Math.min(remainingMs, options.pollIntervalMs, dueMs)), (end) => (endSleep = end));
      endSleep = undefined;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", wake);
  }
}

function sleep(ms: number, onStart: (end: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(end, ms);
    function end() {
      clearTimeout(timer);
      resolve();
    }
    onStart(end);
  });
}
