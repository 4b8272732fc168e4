// The alarm test, end to end over real HTTP: a user function that starts throwing turns an error
// alarm to ALARM, a local webhook receives each state change as CloudWatch's SNS alarm message, and the
// alarm returns to OK once the errors stop.
import assert from "node:assert/strict";
import { once } from "node:events";
import { unlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { it } from "node:test";
import { startTestServer, waitFor } from "../test-support/server.js";
import { tempDir } from "../test-support/temp-dir.js";
import type { AlarmNotification } from "./index.js";

async function startWebhookReceiver(t: { after: (fn: () => Promise<void>) => void }) {
  const received: AlarmNotification[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push(JSON.parse(body) as AlarmNotification);
      response.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarms`, received };
}

function orderEvent(i: number) {
  return {
    event_id: `alarm-test-${i}`,
    type: "order_placed",
    occurred_at: new Date().toISOString(),
    payload: {
      order_id: `o-alarm-${i}`,
      customer_id: "C000001",
      store_id: "S001",
      currency: "USD",
      items: [{ product_id: "P0001", quantity: 1, unit_price: 10 }],
      total: 10,
    },
  };
}

it("an injected error rate turns an alarm to ALARM, the webhook hears it, and the alarm returns to OK", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const flag = join(dir, "fail-now");
  const handler = join(dir, "flaky.mjs");
  writeFileSync(
    handler,
    `import { existsSync } from "node:fs";\nexport const handler = async () => { if (existsSync(${JSON.stringify(flag)})) throw new Error("injected failure"); };\n`,
  );
  const webhook = await startWebhookReceiver(t);
  const { url } = await startTestServer(t, {
    patch: (config) => {
      config.functions["flaky"] = { ...config.functions["flaky"], handler, stream: "events", maximumRetryAttempts: 0 } as (typeof config.functions)[string];
      config.alarms = {
        "flaky-errors": {
          description: "the flaky function fails",
          metric: "shopstream_component_errors_total",
          labels: { component: "function:flaky" },
          statistic: "Sum",
          periodSec: 1,
          evaluationPeriods: 2,
          datapointsToAlarm: 1,
          threshold: 0,
          comparison: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          actionsEnabled: true,
        },
      };
      config.alarmWebhook = { url: webhook.url, timeoutMs: 2_000, retries: 2 };
    },
  });
  let sent = 0;
  const traffic = setInterval(() => {
    void fetch(`${url}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([orderEvent(sent++)]) }).catch(() => undefined);
  }, 100);
  t.after(() => clearInterval(traffic));

  const alarm = async () => ((await (await fetch(`${url}/v1/alarms`)).json()) as { alarms: Array<{ name: string; state: string; history: Array<{ from: string; to: string }> }> }).alarms[0]!;
  await waitFor(async () => (await alarm()).state === "OK", 15_000, "the alarm to start OK");

  writeFileSync(flag, "");
  await waitFor(async () => (await alarm()).state === "ALARM", 20_000, "the alarm to go to ALARM");
  await waitFor(() => webhook.received.some((n) => n.NewStateValue === "ALARM"), 10_000, "the ALARM notification");
  const toAlarm = webhook.received.find((n) => n.NewStateValue === "ALARM")!;
  assert.equal(toAlarm.AlarmName, "flaky-errors");
  assert.equal(toAlarm.OldStateValue, "OK");
  assert.match(toAlarm.NewStateReason, /Threshold Crossed/);
  assert.ok(!Number.isNaN(Date.parse(toAlarm.StateChangeTime)));
  assert.deepEqual(
    { ...toAlarm.Trigger, Dimensions: undefined },
    {
      MetricName: "shopstream_component_errors_total",
      Namespace: "shopstream",
      Dimensions: undefined,
      Statistic: "Sum",
      Period: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
      TreatMissingData: "notBreaching",
    },
  );

  unlinkSync(flag);
  await waitFor(async () => (await alarm()).state === "OK", 20_000, "the alarm to return to OK");
  await waitFor(() => webhook.received.some((n) => n.OldStateValue === "ALARM" && n.NewStateValue === "OK"), 10_000, "the OK notification");
  assert.deepEqual(
    webhook.received.map((n) => `${n.OldStateValue}->${n.NewStateValue}`),
    ["INSUFFICIENT_DATA->OK", "OK->ALARM", "ALARM->OK"],
  );
  const history = (await alarm()).history.map((h) => `${h.from}->${h.to}`);
  assert.deepEqual(history, ["ALARM->OK", "OK->ALARM", "INSUFFICIENT_DATA->OK"], "history, newest first");
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /shopstream_alarm_state\{alarm="flaky-errors",state="OK"\} 1/);
});
