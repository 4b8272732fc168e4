// Customers: RFM segments, the top customers by lifetime value, and monthly cohorts' retention.
import { getJson, type Cohort, type CustomerSummary, type RfmSummary } from "../api.js";
import { GRID } from "../charts.js";
import { fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

export const customersPage: PageDefinition = {
  id: "customers",
  title: "Customers",
  pollMs: 10_000,
  mount(root, scope) {
    const segments = panel("RFM segments");
    const segmentBox = chartBox();
    const segmentTable = h("div");
    const asOf = h("p", { class: "hint" });
    segments.body.append(asOf, segmentBox, segmentTable);
    const segmentChart = scope.chart(segmentBox);
    const top = panel("Top customers by lifetime value");
    const cohortPanel = panel("Cohorts · share of each month's new customers who ordered again", { wide: true });
    root.append(segments.root, top.root, cohortPanel.root);

    const loadSegments = () =>
      segments.load(async () => {
        const summary = await getJson<RfmSummary>("/v1/customers/segments");
        asOf.textContent = summary.asOf ? `${fmt.int(summary.customers)} customers scored, as of ${fmt.dateTime(summary.asOf)} UTC` : "RFM has not been computed yet.";
        segmentChart.set({
          grid: GRID,
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "category", data: summary.segments.map((s) => s.segment.replaceAll("_", " ")), axisLabel: { interval: 0, rotate: 30 } },
          yAxis: { type: "value" },
          series: [{ name: "Customers", type: "bar", colorBy: "data", data: summary.segments.map((s) => s.customers) }],
        });
        segmentTable.replaceChildren(
          table(
            [
              { label: "Segment", value: (s) => s.segment.replaceAll("_", " ") },
              { label: "Customers", value: (s) => fmt.int(s.customers), numeric: true },
              { label: "Share", value: (s) => fmt.pct(s.share), numeric: true },
              { label: "Monetary", value: (s) => fmt.money(s.monetary), numeric: true },
            ],
            summary.segments,
            { rowAttrs: (s) => ({ "data-segment": s.segment }) },
          ),
        );
      });

    const loadTop = () =>
      top.load(async () => {
        const { customers } = await getJson<{ customers: CustomerSummary[] }>("/v1/customers/top?limit=10");
        top.body.replaceChildren(
          table(
            [
              { label: "Customer", value: (c) => c.customerId },
              { label: "Segment", value: (c) => (c.segment ? c.segment.replaceAll("_", " ") : "–") },
              { label: "Orders", value: (c) => fmt.int(c.orders), numeric: true },
              { label: "Lifetime value", value: (c) => fmt.money(c.lifetimeValue), numeric: true },
              { label: "Last order (UTC)", value: (c) => fmt.dateTime(c.lastOrderAt) },
            ],
            customers,
            { empty: "no customers yet" },
          ),
        );
      });

    const loadCohorts = () =>
      cohortPanel.load(async () => {
        const { cohorts } = await getJson<{ cohorts: Cohort[] }>("/v1/cohorts?months=12");
        const offsets = Math.max(1, ...cohorts.flatMap((c) => c.retention.map((month) => month.monthOffset + 1)));
        const cell = (cohort: Cohort, offset: number) => {
          const month = cohort.retention.find((m) => m.monthOffset === offset);
          if (!month) return "";
          return h("span", { style: `display:block; background: rgba(59,111,216,${(0.1 + 0.8 * month.rate).toFixed(2)}); color: ${month.rate > 0.5 ? "#fff" : "inherit"}; padding: 2px 4px; border-radius: 3px` }, fmt.pct(month.rate));
        };
        cohortPanel.body.replaceChildren(
          table(
            [
              { label: "Cohort", value: (c: Cohort) => c.cohort },
              { label: "Customers", value: (c: Cohort) => fmt.int(c.customers), numeric: true },
              ...Array.from({ length: offsets }, (_, offset) => ({ label: `M${offset}`, value: (c: Cohort) => cell(c, offset), numeric: true })),
            ],
            cohorts,
            { empty: "no orders yet" },
          ),
        );
      });

    return {
      async refresh() {
        await Promise.all([loadSegments(), loadTop(), loadCohorts()]);
      },
    };
  },
};
