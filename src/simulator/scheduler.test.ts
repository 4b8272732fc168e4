import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Scheduler, type Task } from "./scheduler.js";

function recorder(log: string[], name: string): Task {
  return { dueMs: 0, scheduleOrder: 0, fire: (nowMs) => log.push(`${name}@${nowMs}`) };
}

describe("Scheduler", () => {
  it("fires tasks by due time, and ties in the order they were scheduled", () => {
    const log: string[] = [];
    const scheduler = new Scheduler(1_000);
    scheduler.schedule(recorder(log, "c"), 1_500);
    scheduler.schedule(recorder(log, "a"), 1_200);
    scheduler.schedule(recorder(log, "b"), 1_200);
    scheduler.schedule(recorder(log, "d"), 1_100);
    while (scheduler.fireNext());
    assert.deepEqual(log, ["d@1100", "a@1200", "b@1200", "c@1500"]);
    assert.equal(scheduler.nowMs, 1_500);
  });

  it("never schedules into the past, so time cannot run backwards", () => {
    const log: string[] = [];
    const scheduler = new Scheduler(1_000);
    scheduler.schedule(recorder(log, "late"), 400);
    scheduler.fireNext();
    assert.deepEqual(log, ["late@1000"]);
    assert.equal(scheduler.fireNext(), false);
  });
});
