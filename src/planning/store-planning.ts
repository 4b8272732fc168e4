// Store planning as the pipeline, the CLI and the HTTP API run it: the `planning` and `inventory` config
// sections applied to runPlanning, the serving store's reorder levels refreshed after every run, and
// every `inventory.reorderPolicy.refreshIntervalSec` in between.
import type { AnalyticsEngine } from "../analytics/index.js";
import type { Queue } from "../queue/index.js";
import type { ServingStore } from "../store/index.js";
import { DEFAULT_INVENTORY_CONFIG, DEFAULT_PLANNING_CONFIG, type InventoryConfig, type PlanningConfig } from "./config.js";
import { runPlanning, type PlanningReport } from "./planner.js";
import { reorderPolicyOf } from "./reorder-policy.js";
import { ReorderLevelRefresher, type LevelsRefresh } from "./reorder-levels.js";

export interface StorePlanningOptions {
  analytics: AnalyticsEngine;
  queue: Queue;
  /** the serving store, with coreMigrations, planningMigrations and reorderPolicyMigrations applied */
  store: ServingStore;
  planning?: PlanningConfig;
  inventory?: InventoryConfig;
  /** a refresh that failed (the timer's, or the one after a run: the run's alerts stand) */
  onError?: (error: unknown) => void;
}

/** What one run may override of the config, e.g. from POST /v1/planning/run or the CLI's options. */
export interface PlanningRunOverrides {
  storeId?: string;
  /** shop time of the run (ms since the epoch); default now */
  nowMs?: number;
  dedupWindowMs?: number;
  demandWindowDays?: number;
  queueName?: string;
}

export interface PlanningRunReport extends PlanningReport {
  /** the serving store's levels written after the run; absent when that failed (see the log) */
  levelsRefresh?: LevelsRefresh;
}

export class StorePlanning {
  readonly planning: PlanningConfig;
  readonly inventory: InventoryConfig;
  readonly levels: ReorderLevelRefresher;
  private timer: NodeJS.Timeout | undefined;

  /** Store planning with a pipeline config's `planning` and `inventory` sections, as `up` and `shopstream plan` run it. */
  static fromConfig(config: { planning: PlanningConfig; inventory: InventoryConfig }, backends: Omit<StorePlanningOptions, "planning" | "inventory">): StorePlanning {
    return new StorePlanning({ ...backends, planning: config.planning, inventory: config.inventory });
  }

  constructor(private readonly options: StorePlanningOptions) {
    this.planning = options.planning ?? DEFAULT_PLANNING_CONFIG;
    this.inventory = options.inventory ?? DEFAULT_INVENTORY_CONFIG;
    this.levels = new ReorderLevelRefresher({ analytics: options.analytics, store: options.store, policy: reorderPolicyOf(this.inventory) });
  }

  async run(overrides: PlanningRunOverrides = {}): Promise<PlanningRunReport> {
    const nowMs = overrides.nowMs ?? Date.now();
    const report: PlanningRunReport = await runPlanning({
      analytics: this.options.analytics,
      queue: this.options.queue,
      store: this.options.store,
      queueName: overrides.queueName ?? this.planning.queue,
      nowMs,
      dedupWindowMs: overrides.dedupWindowMs ?? this.planning.dedupWindowMs,
      demandWindowDays: overrides.demandWindowDays ?? this.planning.demandWindowDays,
      policy: reorderPolicyOf(this.inventory),
      ...(overrides.storeId !== undefined && { storeId: overrides.storeId }),
    });
    try {
      report.levelsRefresh = await this.levels.refresh(nowMs);
    } catch (error) {
      this.options.onError?.(error);
    }
    return report;
  }

  /** Refreshes the levels now, then every refreshIntervalSec (none when it is 0). */
  start(): void {
    const intervalSec = this.inventory.reorderPolicy.refreshIntervalSec;
    if (intervalSec === 0 || this.timer) return;
    const refresh = () => void this.levels.refresh().catch((error: unknown) => this.options.onError?.(error));
    refresh();
    this.timer = setInterval(refresh, intervalSec * 1000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a refresh in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.levels.idle();
  }
}
