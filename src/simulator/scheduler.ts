// The simulated clock: a min-heap of tasks keyed by shop time. Ties fire in the order they were scheduled,
// so a run is reproducible and events come out in non-decreasing time order.

/** Something that happens at a shop time: a session step, a payment, a store's stock report. */
export interface Task {
  /** shop time, ms since the epoch; set by the scheduler */
  dueMs: number;
  /** tie-breaker; set by the scheduler */
  scheduleOrder: number;
  fire(nowMs: number): void;
}

export class Scheduler {
  private readonly heap: Task[] = [];
  private scheduled = 0;
  private clockMs: number;

  constructor(startMs: number) {
    this.clockMs = startMs;
  }

  /** Shop time of the task being fired (or last fired). */
  get nowMs(): number {
    return this.clockMs;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Schedules `task` at `dueMs`, never earlier than now, so time never runs backwards. */
  schedule(task: Task, dueMs: number): void {
    task.dueMs = Math.max(Math.round(dueMs), this.clockMs);
    task.scheduleOrder = this.scheduled++;
    const heap = this.heap;
    let index = heap.push(task) - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as Task;
      if (!earlier(task, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = task;
  }

  /** Fires the earliest task; returns false when nothing is scheduled. */
  fireNext(): boolean {
    const heap = this.heap;
    const first = heap[0];
    if (!first) return false;
    const last = heap.pop() as Task;
    if (heap.length > 0) {
      let index = 0;
      const length = heap.length;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && earlier(heap[right] as Task, heap[left] as Task) ? right : left;
        if (!earlier(heap[child] as Task, last)) break;
        heap[index] = heap[child] as Task;
        index = child;
      }
      heap[index] = last;
    }
    this.clockMs = first.dueMs;
    first.fire(first.dueMs);
    return true;
  }
}

function earlier(a: Task, b: Task): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.scheduleOrder < b.scheduleOrder);
}
