// ECharts, tree-shaken to the charts and components the dashboard draws, on the canvas renderer. A chart
// follows its container's size and is disposed with its page.
import { BarChart, FunnelChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { EChartsCoreOption } from "echarts/core";

echarts.use([BarChart, FunnelChart, HeatmapChart, LineChart, ScatterChart, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = EChartsCoreOption;

export const PALETTE = ["#3b6fd8", "#e0823d", "#3aa57a", "#c2475b", "#8a63c9", "#d1a630", "#4aa4c2", "#7a8596"];

export interface Chart {
  set(option: ChartOption): void;
  /** the ECharts instance, for click handlers */
  readonly instance: echarts.ECharts;
  dispose(): void;
}

/** A chart in `container` (give it a height in CSS). */
export function createChart(container: HTMLElement): Chart {
  const instance = echarts.init(container, undefined, { renderer: "canvas" });
  const observer = new ResizeObserver(() => instance.resize());
  observer.observe(container);
  return {
    instance,
    set(option) {
      instance.setOption({ color: PALETTE, animation: false, textStyle: { fontFamily: "system-ui, sans-serif" }, ...option }, { notMerge: true });
    },
    dispose() {
      observer.disconnect();
      instance.dispose();
    },
  };
}

/** Grid margins that leave room for axis labels on a phone and on a desktop alike. */
export const GRID = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true } as const;
