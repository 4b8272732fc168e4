// Fraud: the alert stream, newest first, with each alert's score against its threshold and the reasons
// that made it up, and how many alerts each rule contributed to over the last 24 hours.
import { getJson, type FraudAlert, type FraudAlertSummary } from "../api.js";
import { GRID } from "../charts.js";
import { figure, fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

export const fraudPage: PageDefinition = {
  id: "fraud",
  title: "Fraud",
  pollMs: 3000,
  mount(root, scope) {
    const summary = panel("Alerts · last 24 hours (event time)");
    const count = figure("Alerts", "fraud.alerts");
    const rulesBox = chartBox();
    summary.body.append(h("div", { class: "figures" }, count.root), rulesBox);
    const rulesChart = scope.chart(rulesBox);
    const stream = panel("Alert stream", { wide: true });
    root.append(summary.root, stream.root);
    const seen = new Set<string>();
    let first = true;

    return {
      async refresh() {
        await Promise.all([
          summary.load(async () => {
            const result = await getJson<FraudAlertSummary>("/v1/fraud/summary");
            count.set(fmt.int(result.alerts));
            const rules = Object.entries(result.byRule).sort((a, b) => a[1] - b[1]);
            rulesChart.set({
              grid: GRID,
              tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
              xAxis: { type: "value", minInterval: 1 },
              yAxis: { type: "category", data: rules.map(([rule]) => rule.replaceAll("_", " ")) },
              series: [{ name: "Alerts with this reason", type: "bar", data: rules.map(([, n]) => n) }],
            });
          }),
          stream.load(async () => {
            const { alerts } = await getJson<{ alerts: FraudAlert[] }>("/v1/fraud/alerts?limit=50");
            stream.body.replaceChildren(
              table(
                [
                  { label: "When (UTC)", value: (alert) => fmt.dateTime(alert.occurredAt) },
                  { label: "Order", value: (alert) => alert.orderId },
                  { label: "Customer", value: (alert) => alert.customerId ?? "–" },
                  { label: "Score", value: (alert) => h("span", { class: "badge high" }, `${fmt.num(alert.score)} / ${fmt.num(alert.threshold)}`), numeric: true },
                  {
                    label: "Reasons",
                    value: (alert) => h("ul", { class: "reasons" }, ...alert.reasons.map((reason) => h("li", {}, h("strong", {}, reason.rule.replaceAll("_", " ")), ` (${fmt.num(reason.weight)}): ${reason.detail}`))),
                  },
                ],
                alerts,
                {
                  empty: "no fraud alerts",
                  rowAttrs: (alert) => ({ "data-alert": alert.alertId, class: !first && !seen.has(alert.alertId) ? "fresh" : undefined }),
                },
              ),
            );
            for (const alert of alerts) seen.add(alert.alertId);
            first = false;
          }),
        ]);
      },
    };
  },
};
