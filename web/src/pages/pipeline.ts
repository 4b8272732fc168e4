// Pipeline: throughput in and out per component over time (a client-side ring buffer of /v1/pipeline
// samples), stream lag and iterator age, function errors and retries, queue and DLQ depths with a redrive
// action, lake files and freshness, and the alarms with their states.
import { getOptional, postJson, serverFeatures, type AlarmList, type PipelineHealth, type PipelineStats } from "../api.js";
import { GRID } from "../charts.js";
import { figure, fmt, h, table } from "../dom.js";
import { chartBox, panel, type PageDefinition } from "../page.js";

/** About ten minutes of samples at the page's 2 s poll; kept across page switches. */
const MAX_SAMPLES = 300;
const samples: PipelineHealth[] = [];

function remember(sample: PipelineHealth): void {
  if (samples.at(-1)?.at === sample.at) return;
  samples.push(sample);
  if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
}

export const pipelinePage: PageDefinition = {
  id: "pipeline",
  title: "Pipeline",
  pollMs: 2000,
  mount(root, scope) {
    const alarms = panel("Alarms", { wide: true });
    const alarmFigures = { OK: figure("OK", "alarms.OK"), ALARM: figure("In alarm", "alarms.ALARM"), INSUFFICIENT_DATA: figure("Insufficient data", "alarms.INSUFFICIENT_DATA") };
    const alarmTable = h("div");
    alarms.body.append(h("div", { class: "figures" }, ...Object.values(alarmFigures).map((f) => f.root)), alarmTable);

    const throughput = panel("Throughput · records per second", { wide: true });
    const throughputBox = chartBox("chart tall");
    const componentTable = h("div");
    throughput.body.append(throughputBox, componentTable);
    const throughputChart = scope.chart(throughputBox);

    const consumers = panel("Stream lag and iterator age");
    const lagBox = chartBox();
    const consumerTable = h("div");
    consumers.body.append(lagBox, consumerTable);
    const lagChart = scope.chart(lagBox);

    const functions = panel("Functions · errors and retries");
    const queues = panel("Queues and dead-letter queues", { id: "queues" });
    const redriveResult = h("div");
    const queueTable = h("div");
    queues.body.append(redriveResult, queueTable);
    const lake = panel("Lake · files and freshness");
    const live = panel("Live feed (/v1/live)");
    root.append(alarms.root, throughput.root, consumers.root, functions.root, queues.root, lake.root, live.root);

    const redrive = async (queue: string, button: HTMLButtonElement) => {
      button.disabled = true;
      try {
        const { moved } = await postJson<{ moved: number }>(`/v1/queues/${encodeURIComponent(queue)}/redrive`);
        redriveResult.replaceChildren(h("p", { class: "notice ok", role: "status" }, `Redrove ${fmt.int(moved)} message${moved === 1 ? "" : "s"} from ${queue}.`));
      } catch (error) {
        redriveResult.replaceChildren(h("p", { class: "notice error" }, `Redrive of ${queue} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
      await loadHealth();
    };

    const renderHealth = (health: PipelineHealth) => {
      for (const [state, f] of Object.entries(alarmFigures)) f.set(fmt.int(health.alarms[state as keyof typeof health.alarms]));
      const times = samples.map((sample) => fmt.time(sample.at));
      const names = health.components.map((component) => component.component);
      throughputChart.set({
        grid: { ...GRID, top: 56 },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: times },
        yAxis: { type: "value" },
        series: names.flatMap((name) => [
          { name: `${name} in`, type: "line", showSymbol: false, data: samples.map((s) => s.components.find((c) => c.component === name)?.received_per_sec ?? null) },
          { name: `${name} out`, type: "line", showSymbol: false, lineStyle: { type: "dashed" }, data: samples.map((s) => s.components.find((c) => c.component === name)?.sent_per_sec ?? null) },
        ]),
      });
      componentTable.replaceChildren(
        table(
          [
            { label: "Component", value: (c) => c.component },
            { label: "In /s", value: (c) => fmt.num(c.received_per_sec), numeric: true },
            { label: "Out /s", value: (c) => fmt.num(c.sent_per_sec), numeric: true },
            { label: "Errors /s", value: (c) => fmt.num(c.errors_per_sec), numeric: true },
            { label: "In", value: (c) => fmt.int(c.received_total), numeric: true },
            { label: "Out", value: (c) => fmt.int(c.sent_total), numeric: true },
            { label: "Errors", value: (c) => fmt.int(c.errors_total), numeric: true },
            { label: "Discarded", value: (c) => fmt.int(c.discarded_total), numeric: true },
          ],
          health.components,
        ),
      );
      lagChart.set({
        grid: { ...GRID, top: 56 },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: times },
        yAxis: { type: "value", name: "records" },
        series: health.consumers.map((consumer) => ({
          name: consumer.consumer,
          type: "line",
          showSymbol: false,
          data: samples.map((s) => s.consumers.find((c) => c.consumer === consumer.consumer)?.lag_records ?? null),
        })),
      });
      consumerTable.replaceChildren(
        table(
          [
            { label: "Consumer", value: (c) => c.consumer },
            { label: "Stream", value: (c) => c.stream },
            { label: "Lag (records)", value: (c) => fmt.int(c.lag_records), numeric: true },
            { label: "Iterator age", value: (c) => fmt.ms(c.iterator_age_ms), numeric: true },
          ],
          health.consumers,
        ),
      );
      functions.body.replaceChildren(
        table(
          [
            { label: "Function", value: (f) => f.name },
            { label: "OK", value: (f) => fmt.int(f.ok), numeric: true },
            { label: "Errors", value: (f) => fmt.int(f.errors), numeric: true },
            { label: "Retries", value: (f) => fmt.int(f.retries), numeric: true },
          ],
          health.functions,
        ),
      );
      queueTable.replaceChildren(
        table(
          [
            { label: "Queue", value: (q) => q.name },
            { label: "Visible", value: (q) => fmt.int(q.visible), numeric: true },
            { label: "In flight", value: (q) => fmt.int(q.in_flight), numeric: true },
            { label: "Delayed", value: (q) => fmt.int(q.delayed), numeric: true },
            { label: "Dead letters of", value: (q) => q.dead_letter_for.join(", ") },
            {
              label: "",
              value: (q) => {
                if (q.dead_letter_for.length === 0) return null;
                const button = h("button", { type: "button", "data-redrive": q.name, disabled: q.visible === 0 }, "Redrive") as HTMLButtonElement;
                button.addEventListener("click", () => void redrive(q.name, button));
                return button;
              },
            },
          ],
          health.queues,
          { rowAttrs: (q) => ({ "data-queue": q.name }) },
        ),
      );
      lake.body.replaceChildren(
        table(
          [
            { label: "Table", value: (t) => t.table },
            { label: "Files", value: (t) => fmt.int(t.files), numeric: true },
            { label: "Records", value: (t) => fmt.int(t.records), numeric: true },
            { label: "Last delivery (UTC)", value: (t) => fmt.time(t.last_delivery_at) },
            { label: "Freshness", value: (t) => fmt.ms(t.freshness_ms), numeric: true },
          ],
          health.lake,
        ),
      );
    };

    const loadHealth = () =>
      throughput.load(async () => {
        const health = await getOptional<PipelineHealth>("pipeline", "/v1/pipeline");
        remember(health);
        renderHealth(health);
      });

    const loadAlarms = () =>
      alarms.load(async () => {
        const { alarms: list } = await getOptional<AlarmList>("alarms", "/v1/alarms");
        alarmTable.replaceChildren(
          table(
            [
              { label: "Alarm", value: (a) => h("span", { title: a.description ?? "" }, a.name) },
              { label: "State", value: (a) => h("span", { class: `badge ${a.state}` }, a.state) },
              { label: "Condition", value: (a) => `${a.statistic} ${a.metric} ${a.comparison} ${a.threshold} (${a.datapointsToAlarm} of ${a.evaluationPeriods} × ${a.periodSec} s)` },
              { label: "Reason", value: (a) => a.stateReason },
              { label: "Since (UTC)", value: (a) => fmt.dateTime(a.stateUpdatedAt) },
            ],
            list,
            { empty: "no alarms configured", rowAttrs: (a) => ({ "data-alarm": a.name }) },
          ),
        );
      });

    const liveBody = h("div");
    live.body.append(liveBody);

    return {
      async refresh() {
        const features = await serverFeatures();
        // Without /v1/pipeline the sections it feeds say so once; the live feed below still shows lag.
        await Promise.all([loadHealth(), loadAlarms()]);
        if (!features.pipeline) for (const p of [consumers, functions, queues, lake]) await p.load(() => getOptional("pipeline", "/v1/pipeline"));
      },
      onStats(stats: PipelineStats) {
        liveBody.replaceChildren(
          table(
            [
              { label: "Consumer", value: ([name]: [string, number]) => name },
              { label: "Lag (records)", value: ([, lag]: [string, number]) => fmt.int(lag), numeric: true },
            ],
            Object.entries(stats.lag),
          ),
          table(
            [
              { label: "Function", value: ([name]: [string, { ok: number; error: number }]) => name },
              { label: "Records OK", value: ([, f]: [string, { ok: number; error: number }]) => fmt.int(f.ok), numeric: true },
              { label: "Errors", value: ([, f]: [string, { ok: number; error: number }]) => fmt.int(f.error), numeric: true },
            ],
            Object.entries(stats.functions),
          ),
        );
      },
    };
  },
};
