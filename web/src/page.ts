// What a page is: it mounts into the main area, refreshes its data when asked (on open, every pollMs
// while the tab is visible, and after its own actions), may react to the live stats frame, and disposes
// its charts when another page opens.
import type { PipelineStats } from "./api.js";
import { createChart, type Chart } from "./charts.js";
import { card, h, showProblem } from "./dom.js";

export interface Page {
  refresh(): Promise<void>;
  onStats?(stats: PipelineStats): void;
}

export interface PageDefinition {
  id: string;
  title: string;
  /** how often the page polls its APIs; default 5 s */
  pollMs?: number;
  mount(root: HTMLElement, scope: PageScope): Page;
}

/** Owns a page's charts, so that leaving the page disposes them all. */
export class PageScope {
  private readonly charts: Chart[] = [];
  disposed = false;

  chart(container: HTMLElement): Chart {
    const chart = createChart(container);
    this.charts.push(chart);
    return chart;
  }

  dispose(): void {
    this.disposed = true;
    for (const chart of this.charts.splice(0)) chart.dispose();
  }
}

export interface Panel {
  root: HTMLElement;
  /** where the panel's content goes */
  body: HTMLElement;
  /** runs `load`; a failure (or a missing API) becomes a notice above the content instead of an error */
  load(load: () => Promise<void>): Promise<void>;
}

/** A card whose content loads from the API, with its own notice line for problems. */
export function panel(title: string, options: { id?: string; wide?: boolean; actions?: Node } = {}): Panel {
  const parts = card(title, options);
  const status = h("div", { class: "card-status" });
  const content = h("div", { class: "card-content" });
  parts.body.append(status, content);
  return {
    root: parts.root,
    body: content,
    async load(load) {
      try {
        await load();
        status.replaceChildren();
        content.hidden = false;
      } catch (error) {
        showProblem(status, error);
        content.hidden = true;
      }
    },
  };
}

/** A div sized by CSS for a chart. */
export function chartBox(className = "chart"): HTMLElement {
  return h("div", { class: className });
}

/** A KPI view's rows as objects keyed by column name. */
export function rowObjects(result: { columns: Array<{ name: string }>; rows: unknown[][] }): Array<Record<string, unknown>> {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column.name, row[i]])));
}

export const num = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0));
