// Sales: per-minute revenue, orders, AOV and conversion from the serving store (/v1/kpis/minute), and
// from the lake's KPI views the per-hour series, top products, revenue by store and region, and the funnel.
import { getJson, type KpiSeries, type KpiViewResult } from "../api.js";
import { GRID } from "../charts.js";
import { figure, fmt, h, table } from "../dom.js";
import { chartBox, num, panel, rowObjects, type PageDefinition } from "../page.js";

const view = async (name: string, limit: number) => rowObjects(await getJson<KpiViewResult>(`/v1/kpis/views/${name}?limit=${limit}`));

/** The rows of the latest day in a view ordered newest first. */
function latestDay(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const day = rows[0]?.["dt"];
  return rows.filter((row) => row["dt"] === day);
}

export const salesPage: PageDefinition = {
  id: "sales",
  title: "Sales",
  mount(root, scope) {
    const minute = panel("Per minute · last hour (event time)", { wide: true });
    const minuteFigures = {
      orders: figure("Orders", "minute.orders"),
      revenue: figure("Revenue", "minute.revenue"),
      aov: figure("Average order value", "minute.aov"),
      conversion: figure("Conversion", "minute.conversion"),
    };
    const minuteCharts = [chartBox(), chartBox()];
    minute.body.append(
      h("div", { class: "figures" }, ...Object.values(minuteFigures).map((f) => f.root)),
      ...minuteCharts,
    );
    const revenueChart = scope.chart(minuteCharts[0]!);
    const ratioChart = scope.chart(minuteCharts[1]!);

    const hour = panel("Per hour · lake", { wide: true });
    const dayFigures = {
      day: figure("Day (UTC)", "day.dt"),
      orders: figure("Orders that day", "day.orders"),
      revenue: figure("Revenue that day", "day.revenue"),
      aov: figure("Average order value", "day.aov"),
    };
    const hourBox = chartBox();
    hour.body.append(h("div", { class: "figures" }, ...Object.values(dayFigures).map((f) => f.root)), hourBox);
    const hourChart = scope.chart(hourBox);

    const products = panel("Top products · latest day");
    const productsBox = chartBox("chart tall");
    const productsTable = h("div");
    products.body.append(productsBox, productsTable);
    const productsChart = scope.chart(productsBox);

    const stores = panel("Revenue by store and region · latest day");
    const storeBox = chartBox("chart tall");
    const regionBox = chartBox();
    stores.body.append(storeBox, regionBox);
    const storeChart = scope.chart(storeBox);
    const regionChart = scope.chart(regionBox);

    const funnel = panel("Funnel · latest day", { wide: true });
    const funnelBox = chartBox();
    const funnelTable = h("div");
    funnel.body.append(funnelBox, funnelTable);
    const funnelChart = scope.chart(funnelBox);

    root.append(minute.root, hour.root, products.root, stores.root, funnel.root);

    const loadMinutes = () =>
      minute.load(async () => {
        const series = await getJson<KpiSeries>("/v1/kpis/minute");
        minuteFigures.orders.set(fmt.int(series.totals.orders));
        minuteFigures.revenue.set(fmt.money(series.totals.revenue));
        minuteFigures.aov.set(fmt.money(series.totals.aov));
        minuteFigures.conversion.set(fmt.pct(series.totals.conversion));
        const labels = series.minutes.map((m) => fmt.time(m.minute).slice(0, 5));
        revenueChart.set({
          grid: GRID,
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          xAxis: { type: "category", data: labels },
          yAxis: [{ type: "value", name: "" }, { type: "value", splitLine: { show: false } }],
          series: [
            { name: "Revenue", type: "bar", data: series.minutes.map((m) => m.revenue) },
            { name: "Orders", type: "line", yAxisIndex: 1, showSymbol: false, data: series.minutes.map((m) => m.orders) },
          ],
        });
        ratioChart.set({
          grid: GRID,
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          xAxis: { type: "category", data: labels },
          yAxis: [{ type: "value" }, { type: "value", max: 1, splitLine: { show: false }, axisLabel: { formatter: (v: number) => fmt.pct(v) } }],
          series: [
            { name: "AOV", type: "line", showSymbol: false, connectNulls: true, data: series.minutes.map((m) => m.aov) },
            { name: "Conversion", type: "line", yAxisIndex: 1, showSymbol: false, connectNulls: true, data: series.minutes.map((m) => m.conversion) },
          ],
        });
      });

    const loadHours = () =>
      hour.load(async () => {
        const [days, hours] = await Promise.all([view("daily_sales", 10), view("hourly_sales", 48)]);
        const today = latestDay(days);
        const orders = today.reduce((sum, row) => sum + num(row["orders"]), 0);
        const revenue = today.reduce((sum, row) => sum + num(row["revenue"]), 0);
        dayFigures.day.set(String(today[0]?.["dt"] ?? "–"));
        dayFigures.orders.set(fmt.int(orders));
        dayFigures.revenue.set(fmt.money(revenue));
        dayFigures.aov.set(orders === 0 ? "–" : fmt.money(revenue / orders));
        const ascending = [...hours].reverse();
        hourChart.set({
          grid: GRID,
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          xAxis: { type: "category", data: ascending.map((row) => fmt.dateTime(String(row["hour_start"])).slice(5, 16)) },
          yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
          series: [
            { name: "Revenue", type: "bar", barMaxWidth: 48, data: ascending.map((row) => num(row["revenue"])) },
            { name: "Orders", type: "line", yAxisIndex: 1, data: ascending.map((row) => num(row["orders"])) },
            { name: "AOV", type: "line", yAxisIndex: 1, lineStyle: { type: "dashed" }, data: ascending.map((row) => num(row["average_order_value"])) },
          ],
        });
      });

    const loadProducts = () =>
      products.load(async () => {
        const top = latestDay(await view("top_products", 200)).slice(0, 10);
        const ascending = [...top].reverse();
        productsChart.set({
          grid: GRID,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "value" },
          yAxis: { type: "category", data: ascending.map((row) => String(row["product_name"] ?? row["product_id"])), axisLabel: { width: 120, overflow: "truncate" } },
          series: [{ name: "Revenue", type: "bar", data: ascending.map((row) => num(row["revenue"])) }],
        });
        productsTable.replaceChildren(
          table(
            [
              { label: "#", value: (row) => fmt.int(num(row["revenue_rank"])), numeric: true },
              { label: "Product", value: (row) => String(row["product_name"] ?? row["product_id"]) },
              { label: "Units", value: (row) => fmt.int(num(row["units"])), numeric: true },
              { label: "Revenue", value: (row) => fmt.money(num(row["revenue"])), numeric: true },
            ],
            top,
            { empty: "no orders in the lake yet" },
          ),
        );
      });

    const loadStores = () =>
      stores.load(async () => {
        const rows = latestDay(await view("store_revenue", 1000));
        const byStore = new Map<string, number>();
        const byRegion = new Map<string, number>();
        for (const row of rows) {
          byStore.set(String(row["store_id"]), (byStore.get(String(row["store_id"])) ?? 0) + num(row["revenue"]));
          byRegion.set(String(row["region"] ?? "unknown"), (byRegion.get(String(row["region"] ?? "unknown")) ?? 0) + num(row["revenue"]));
        }
        const storeEntries = [...byStore].sort((a, b) => a[1] - b[1]).slice(-15);
        storeChart.set({
          grid: GRID,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "value" },
          yAxis: { type: "category", data: storeEntries.map(([store]) => store) },
          series: [{ name: "Revenue", type: "bar", data: storeEntries.map(([, revenue]) => Math.round(revenue * 100) / 100) }],
        });
        const regionEntries = [...byRegion].sort((a, b) => b[1] - a[1]);
        regionChart.set({
          grid: GRID,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "category", data: regionEntries.map(([region]) => region) },
          yAxis: { type: "value" },
          series: [{ name: "Revenue", type: "bar", colorBy: "data", data: regionEntries.map(([, revenue]) => Math.round(revenue * 100) / 100) }],
        });
      });

    const loadFunnel = () =>
      funnel.load(async () => {
        const steps = latestDay(await view("funnel", 60)).sort((a, b) => num(a["step_no"]) - num(b["step_no"]));
        funnelChart.set({
          tooltip: { trigger: "item" },
          series: [
            {
              name: "Sessions",
              type: "funnel",
              sort: "none",
              left: "4%",
              width: "58%",
              minSize: "8%",
              label: { formatter: "{b}: {c}" },
              data: steps.map((row) => ({ name: String(row["step"]), value: num(row["sessions"]) })),
            },
          ],
        });
        funnelTable.replaceChildren(
          table(
            [
              { label: "Step", value: (row) => String(row["step"]) },
              { label: "Sessions", value: (row) => fmt.int(num(row["sessions"])), numeric: true },
              { label: "From previous", value: (row) => (row["conversion_from_previous"] == null ? "–" : fmt.pct(num(row["conversion_from_previous"]))), numeric: true },
              { label: "From start", value: (row) => fmt.pct(num(row["conversion_from_start"])), numeric: true },
            ],
            steps,
            { empty: "no sessions in the lake yet" },
          ),
        );
      });

    return {
      async refresh() {
        await Promise.all([loadMinutes(), loadHours(), loadProducts(), loadStores(), loadFunnel()]);
      },
    };
  },
};
