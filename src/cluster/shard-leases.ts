// A worker's side of the lease protocol. Every heartbeat it renews its leases, counts the live workers
// and moves towards its fair share, ⌈units / workers⌉: it claims free or expired leases (a dead worker's
// expire after the TTL and resume from their checkpoints), and when a worker joins it releases its excess
// gracefully (the unit's batch in flight finishes and commits first). Each unit's work starts when its
// lease is taken and stops when it is released or lost. holds() is the fence the commit paths check.
import { randomBytes } from "node:crypto";
import { errorMessage } from "../errors/index.js";
import type { Logger } from "../monitor/index.js";
import type { LeaseTable } from "./lease-table.js";

/** One lease's worth of work: a consumer's shard, or a task only one worker may run. */
export interface WorkUnit {
  start(): Promise<void>;
  /** graceful: finish the batch in flight and commit; else stop at once (the lease is gone: commits are fenced) */
  stop(graceful: boolean): Promise<void>;
}

export interface ShardLeasesOptions {
  table: LeaseTable;
  nodeId: string;
  roles: readonly string[];
  units: ReadonlyMap<string, WorkUnit>;
  leaseTtlMs: number;
  heartbeatIntervalMs: number;
  log: Logger;
}

interface Held {
  epoch: number;
  /** on this process's monotonic clock: the renewal was sent before PostgreSQL stamped its expiry */
  validUntil: number;
  running: boolean;
  releasing: boolean;
}

export class ShardLeases {
  /** this process in the lease table: the node id and a random suffix, so a restarted node is a new member */
  readonly instance: string;
  private readonly held = new Map<string, Held>();
  private readonly transitions = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private ticks = 0;
  private stopped = false;
  /** commits stop this long before the lease's expiry as PostgreSQL counts it (clock rates differ a little) */
  private readonly safetyMarginMs: number;

  constructor(private readonly options: ShardLeasesOptions) {
    this.instance = `${options.nodeId}~${randomBytes(3).toString("hex")}`;
    this.safetyMarginMs = Math.min(1000, options.leaseTtlMs / 10);
  }

  /** Registers this worker; its leases follow from the heartbeats. */
  async start(): Promise<void> {
    await this.options.table.prepare([...this.options.units.keys()]);
    await this.options.table.heartbeat(this.instance, this.options.nodeId, this.options.roles, this.options.leaseTtlMs);
    this.options.log.info({ instance: this.instance, units: this.options.units.size }, "joined the cluster");
    this.timer = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** Whether this worker may commit for `unit` now: it holds the lease and the lease has not run out. */
  holds(unit: string): boolean {
    const held = this.held.get(unit);
    return held !== undefined && performance.now() < held.validUntil;
  }

  /** The units this worker holds, for status and tests. */
  heldUnits(): string[] {
    return [...this.held.keys()].sort();
  }

  private beat(): void {
    this.suspendExpired();
    if (this.ticking || this.stopped) return;
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.log.warn({ err: errorMessage(error) }, "lease heartbeat failed; retrying at the next one"))
      .finally(() => (this.ticking = undefined));
  }

  /** A lease not renewed in time may be another worker's by now: its work stops, uncommitted. */
  private suspendExpired(): void {
    const now = performance.now();
    for (const [unit, held] of this.held) {
      if (held.running && now >= held.validUntil) {
        this.options.log.warn({ unit }, "lease not renewed in time; stopping its work until it is renewed");
        this.stopUnit(unit, held, false);
      }
    }
  }

  private async tick(): Promise<void> {
    const { table, leaseTtlMs, units, log } = this.options;
    const sentAt = performance.now();
    await table.heartbeat(this.instance, this.options.nodeId, this.options.roles, leaseTtlMs);
    const renewed = await table.renew(this.instance, leaseTtlMs);
    if (this.stopped) return;
    for (const [unit, held] of this.held) {
      if (renewed.get(unit) === held.epoch) {
        held.validUntil = sentAt + leaseTtlMs - this.safetyMarginMs;
        if (!held.running && !held.releasing) this.startUnit(unit, held);
      } else if (!held.releasing) {
        log.warn({ unit, epoch: held.epoch }, "lease lost to another worker");
        this.held.delete(unit);
        this.stopUnit(unit, held, false);
      }
    }
    for (const [unit, epoch] of renewed) {
      if (!this.held.has(unit)) await table.release(unit, this.instance, epoch);
    }
    // The first heartbeat only announces this worker, so that workers starting together split the units
    // instead of the first taking them all and handing them over again.
    if (this.ticks++ === 0) return;

    const members = await table.liveMembers();
    if (!members.includes(this.instance)) members.push(this.instance);
    members.sort();
    const fairShare = Math.ceil(units.size / members.length);
    const mine = [...this.held].filter(([, held]) => !held.releasing).map(([unit]) => unit).sort();
    if (mine.length > fairShare) {
      for (const unit of mine.slice(fairShare)) this.releaseUnit(unit);
      return;
    }
    if (mine.length === fairShare) return;
    const leases = new Map((await table.leases()).map((row) => [row.unit, row]));
    // Each worker starts looking at its own offset, so that workers claiming at once rarely collide and
    // each ends up with a mix of consumers.
    const keys = [...units.keys()].sort();
    const offset = Math.floor((members.indexOf(this.instance) * keys.length) / members.length);
    let count = mine.length;
    for (const unit of [...keys.slice(offset), ...keys.slice(0, offset)]) {
      if (count >= fairShare || this.stopped) break;
      const row = leases.get(unit);
      if (this.held.has(unit) || (row !== undefined && row.owner !== null && row.live)) continue;
      const claimSentAt = performance.now();
      const epoch = await table.claim(unit, this.instance, leaseTtlMs);
      if (epoch === undefined) continue;
      const held: Held = { epoch, validUntil: claimSentAt + leaseTtlMs - this.safetyMarginMs, running: false, releasing: false };
      this.held.set(unit, held);
      log.info({ unit, epoch, previousOwner: row?.owner ?? null }, "lease taken");
      this.startUnit(unit, held);
      count++;
    }
  }

  private chain(unit: string, step: () => Promise<void>): Promise<void> {
    const next = (this.transitions.get(unit) ?? Promise.resolve()).then(step).catch((error: unknown) => {
      this.options.log.error({ err: errorMessage(error), unit }, "lease transition failed");
    });
    this.transitions.set(unit, next);
    return next;
  }

  private startUnit(unit: string, held: Held): void {
    held.running = true;
    void this.chain(unit, async () => {
      // released or lost while an earlier transition ran
      if (!held.running) return;
      try {
        await this.options.units.get(unit)!.start();
      } catch (error) {
        held.running = false;
        throw error;
      }
    });
  }

  private stopUnit(unit: string, held: Held, graceful: boolean): Promise<void> {
    held.running = false;
    return this.chain(unit, () => this.options.units.get(unit)!.stop(graceful));
  }

  /** Finishes the unit's batch in flight and commits (the lease still held), then gives the lease back. */
  private releaseUnit(unit: string): Promise<void> {
    const held = this.held.get(unit)!;
    if (held.releasing) return this.transitions.get(unit) ?? Promise.resolve();
    held.releasing = true;
    this.options.log.info({ unit, epoch: held.epoch }, "releasing lease");
    return this.stopUnit(unit, held, true).then(async () => {
      this.held.delete(unit);
      await this.options.table.release(unit, this.instance, held.epoch).catch((error: unknown) => {
        // it expires by itself after the TTL
        this.options.log.warn({ err: errorMessage(error), unit }, "lease release failed");
      });
    });
  }

  /** Stops every unit gracefully, gives the leases back and leaves the member list. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.held.keys()].map((unit) => this.releaseUnit(unit)));
    await Promise.all(this.transitions.values());
    await this.options.table.leave(this.instance).catch((error: unknown) => {
      this.options.log.warn({ err: errorMessage(error) }, "leaving the cluster failed; the leases expire after their TTL");
    });
  }
}
