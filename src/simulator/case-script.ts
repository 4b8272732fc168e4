// An injected case as one scheduler task: a list of timed steps (emit a page view, place an order, try
// a card…) that fires in time order. A step may add later steps, e.g. a payment after the order it
// follows, so a case reads as a script rather than a state machine.
import type { Scheduler, Task } from "./scheduler.js";

interface Step {
  atMs: number;
  run: (nowMs: number) => void;
}

export class CaseScript implements Task {
  dueMs = 0;
  scheduleOrder = 0;
  private readonly steps: Step[] = [];
  private firing = false;
  private scheduled = false;

  constructor(private readonly scheduler: Scheduler) {}

  /**
   * Adds a step at `atMs` (shop time); steps at the same time run in the order they were added. Steps
   * come from whoever starts the case or from its own running steps: the scheduler cannot move a task it
   * holds, so a step ahead of the one already scheduled is refused.
   */
  at(atMs: number, run: (nowMs: number) => void): void {
    let index = this.steps.length;
    while (index > 0 && (this.steps[index - 1] as Step).atMs > atMs) index--;
    if (index === 0 && this.scheduled) throw new RangeError("a step ahead of the scheduled one can only be added by a running step");
    this.steps.splice(index, 0, { atMs, run });
    // While a step runs, fire() reschedules once it is done.
    if (!this.firing) this.reschedule();
  }

  fire(nowMs: number): void {
    this.scheduled = false;
    const step = this.steps.shift();
    if (!step) return;
    this.firing = true;
    try {
      step.run(nowMs);
    } finally {
      this.firing = false;
    }
    if (this.steps.length > 0) this.reschedule();
  }

  private reschedule(): void {
    const first = this.steps[0];
    if (!first || this.scheduled) return;
    this.scheduler.schedule(this, first.atMs);
    this.scheduled = true;
  }
}
