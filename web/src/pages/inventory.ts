// Inventory: a heat map of stores × products coloured by available stock over the reorder point, the
// low-stock list, and "Run store planning" with its report and the replenishment queue's depth.
import { getOptional, postJson, type InventoryCell, type InventoryGrid, type LowStockItem, type PipelineHealth, type PlanningReport } from "../api.js";
import { GRID } from "../charts.js";
import { figure, fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

const REPLENISHMENT_QUEUE = "replenishment";
/** Colour scale: 0 is out of stock, 1 is at the reorder point, 2 and above is comfortably stocked. */
const MAX_RATIO = 2;

export function stockRatio(cell: Pick<InventoryCell, "available" | "reorder_point">): number {
  if (cell.reorder_point <= 0) return cell.available > 0 ? MAX_RATIO : 0;
  return Math.max(0, cell.available / cell.reorder_point);
}

export const inventoryPage: PageDefinition = {
  id: "inventory",
  title: "Inventory",
  mount(root, scope) {
    const heat = panel("Stock against reorder point · stores × products", { wide: true });
    const heatBox = chartBox("chart tall");
    const selected = h("p", { class: "hint", id: "heat-selected" }, "Click a cell for its figures.");
    const heatTable = h("div");
    heat.body.append(heatBox, selected, h("details", {}, h("summary", {}, "Show as a table"), heatTable));
    const heatChart = scope.chart(heatBox);
    let grid: InventoryGrid | undefined;
    heatChart.instance.on("click", (params) => {
      const cell = grid?.cells[(params as { dataIndex: number }).dataIndex];
      if (cell) showCell(cell);
    });
    const showCell = (cell: InventoryCell) => {
      selected.replaceChildren(
        h("strong", {}, `${cell.store_id} · ${cell.product_id}`),
        `: available `,
        h("span", { "data-cell-available": "" }, fmt.int(cell.available)),
        ` (on hand ${fmt.int(cell.on_hand)}, reserved ${fmt.int(cell.reserved)}), reorder point ${fmt.int(cell.reorder_point)}, target ${fmt.int(cell.target_level)}`,
      );
    };

    const planning = panel("Store planning", { id: "planning" });
    const runButton = h("button", { class: "primary", type: "button", id: "run-planning" }, "Run store planning") as HTMLButtonElement;
    const queueFigures = {
      visible: figure("Replenishment queue: waiting", "queue.replenishment.visible"),
      inFlight: figure("being delivered", "queue.replenishment.in_flight"),
    };
    const queueNotice = h("div");
    const report = h("div", { id: "planning-report" });
    planning.body.append(
      h("div", { class: "toolbar" }, runButton),
      h("div", { class: "figures" }, queueFigures.visible.root, queueFigures.inFlight.root),
      queueNotice,
      report,
    );

    const low = panel("Low stock");
    root.append(heat.root, planning.root, low.root);

    const loadHeat = () =>
      heat.load(async () => {
        grid = await getOptional<InventoryGrid>("inventory", "/v1/inventory");
        const storeIndex = new Map(grid.stores.map((store, i) => [store, i]));
        const productIndex = new Map(grid.products.map((product, i) => [product, i]));
        heatBox.style.height = `${Math.max(240, grid.stores.length * 22 + 110)}px`;
        heatChart.instance.resize();
        heatChart.set({
          grid: { ...GRID, top: 10, bottom: 56 },
          tooltip: {
            position: "top",
            formatter: (params: { dataIndex: number }) => {
              const cell = grid?.cells[params.dataIndex];
              return cell ? `${cell.store_id} · ${cell.product_id}<br>available ${cell.available} / reorder point ${cell.reorder_point}` : "";
            },
          },
          xAxis: { type: "category", data: grid.products, axisLabel: { rotate: 60, fontSize: 10 }, splitArea: { show: true } },
          yAxis: { type: "category", data: grid.stores, axisLabel: { fontSize: 10 }, splitArea: { show: true } },
          visualMap: {
            min: 0,
            max: MAX_RATIO,
            calculable: true,
            orient: "horizontal",
            left: "center",
            bottom: 0,
            text: ["stocked", "out"],
            inRange: { color: ["#c2475b", "#f1c75b", "#3aa57a"] },
          },
          series: [
            {
              name: "available / reorder point",
              type: "heatmap",
              data: grid.cells.map((cell) => [productIndex.get(cell.product_id) ?? 0, storeIndex.get(cell.store_id) ?? 0, Math.min(MAX_RATIO, Math.round(stockRatio(cell) * 100) / 100)]),
              emphasis: { itemStyle: { borderColor: "#1d2330", borderWidth: 1 } },
            },
          ],
        });
        const lowest = [...grid.cells].sort((a, b) => stockRatio(a) - stockRatio(b))[0];
        if (lowest && selected.querySelector("strong") === null) showCell(lowest);
        heatTable.replaceChildren(
          table(
            [
              { label: "Store", value: (cell) => cell.store_id },
              { label: "Product", value: (cell) => cell.product_id },
              { label: "Available", value: (cell) => fmt.int(cell.available), numeric: true },
              { label: "Reorder point", value: (cell) => fmt.int(cell.reorder_point), numeric: true },
              { label: "Available / reorder point", value: (cell) => fmt.num(stockRatio(cell)), numeric: true },
            ],
            grid.cells,
            { empty: "no inventory yet", rowAttrs: (cell) => ({ "data-cell": `${cell.store_id}/${cell.product_id}` }) },
          ),
        );
      });

    const loadLow = () =>
      low.load(async () => {
        const { items } = await getOptional<{ items: LowStockItem[] }>("lowStock", "/v1/inventory/low-stock?limit=50");
        low.body.replaceChildren(
          table(
            [
              { label: "Store", value: (item) => item.store_id },
              { label: "Product", value: (item) => item.product_id },
              { label: "Available", value: (item) => fmt.int(item.available), numeric: true },
              { label: "Reorder point", value: (item) => fmt.int(item.reorder_point), numeric: true },
              { label: "Target", value: (item) => fmt.int(item.target_level), numeric: true },
              { label: "Since", value: (item) => fmt.dateTime(item.since) },
            ],
            items,
            { empty: "every store is above its reorder points" },
          ),
        );
      });

    const loadQueue = async () => {
      try {
        const health = await getOptional<PipelineHealth>("pipeline", "/v1/pipeline");
        const queue = health.queues.find((q) => q.name === REPLENISHMENT_QUEUE);
        queueFigures.visible.set(fmt.int(queue?.visible));
        queueFigures.inFlight.set(fmt.int(queue?.in_flight));
        queueNotice.replaceChildren();
      } catch (error) {
        queueFigures.visible.set("–");
        queueFigures.inFlight.set("–");
        const why = error instanceof Error && error.name !== "NotAvailableError" ? error.message : "not available (/v1/pipeline)";
        queueNotice.replaceChildren(h("p", { class: "hint" }, `Queue depth: ${why}.`));
      }
    };

    runButton.addEventListener("click", () => {
      runButton.disabled = true;
      runButton.textContent = "Planning…";
      void (async () => {
        try {
          showReport(await postJson<PlanningReport>("/v1/planning/run"));
        } catch (error) {
          report.replaceChildren(h("p", { class: "notice error" }, `Planning failed: ${error instanceof Error ? error.message : String(error)}`));
        } finally {
          runButton.disabled = false;
          runButton.textContent = "Run store planning";
          await loadQueue();
        }
      })();
    });

    const showReport = (run: PlanningReport) => {
      const found = run.belowReorderPoint.length;
      report.replaceChildren(
        h(
          "p",
          { class: "notice ok" },
          `Run ${run.runId.slice(0, 8)} at ${fmt.time(run.finishedAt)} UTC: ${fmt.int(run.storesChecked)} stores and ${fmt.int(run.productsChecked)} products checked in ${fmt.ms(run.durationMs)}.`,
        ),
        h(
          "div",
          { class: "figures" },
          ...[
            ["Below reorder point", "planning.found", found],
            ["Alerts sent", "planning.sent", run.sent],
            ["Skipped (sent within the window)", "planning.skipped", run.duplicates],
            ["Failed", "planning.failed", run.failed],
          ].map(([label, kpi, value]) => {
            const f = figure(String(label), String(kpi));
            f.set(fmt.int(Number(value)));
            return f.root;
          }),
        ),
        table(
          [
            { label: "Store", value: (need) => need.store_id },
            { label: "Product", value: (need) => need.product_id },
            { label: "Level", value: (need) => fmt.int(need.current_level), numeric: true },
            { label: "Reorder point", value: (need) => fmt.int(need.reorder_point), numeric: true },
            { label: "Quantity", value: (need) => fmt.int(need.quantity), numeric: true },
            { label: "Priority", value: (need) => h("span", { class: `badge ${need.priority}` }, need.priority) },
            { label: "Outcome", value: (need) => h("span", { class: `badge ${need.outcome}` }, need.outcome) },
          ],
          run.belowReorderPoint.slice(0, 25),
          { empty: "nothing below its reorder point" },
        ),
        ...(found > 25 ? [h("p", { class: "hint" }, `and ${fmt.int(found - 25)} more`)] : []),
      );
    };

    return {
      async refresh() {
        await Promise.all([loadHeat(), loadLow(), loadQueue()]);
      },
    };
  },
};
