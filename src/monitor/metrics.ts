// Every Prometheus metric shopstream emits, declared in one place so names stay uniform
// (docs/monitoring.md). Components import the metric they update; GET /metrics serves the registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "shopstream_process_" });

export const ingestEvents = new Counter({
  name: "shopstream_ingest_events_total",
  help: "Events received by ingest, by result (accepted or rejected).",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const ingestRejections = new Counter({
  name: "shopstream_ingest_rejections_total",
  help: "Events rejected by ingest, by error code.",
  labelNames: ["code"] as const,
  registers: [registry],
});

export const ingestRequests = new Counter({
  name: "shopstream_ingest_requests_total",
  help: "Ingest HTTP requests, by status code.",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const ingestAckSeconds = new Histogram({
  name: "shopstream_ingest_ack_seconds",
  help: "Time from request body received to durable acknowledgement.",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

export const streamAppends = new Counter({
  name: "shopstream_stream_records_appended_total",
  help: "Records appended to a stream.",
  labelNames: ["stream"] as const,
  registers: [registry],
});

export const streamLag = new Gauge({
  name: "shopstream_stream_lag_records",
  help: "Records in the stream not yet checkpointed by a consumer, summed over shards.",
  labelNames: ["consumer"] as const,
  registers: [registry],
});

export const functionRecords = new Counter({
  name: "shopstream_function_records_total",
  help: "Records handled by a function, by result (ok, error, skipped, discarded).",
  labelNames: ["function", "result"] as const,
  registers: [registry],
});

export const functionErrors = new Counter({
  name: "shopstream_function_errors_total",
  help: "Failed function invocations, by error type.",
  labelNames: ["function", "error_type"] as const,
  registers: [registry],
});

export const functionBatchSeconds = new Histogram({
  name: "shopstream_function_batch_seconds",
  help: "Duration of one function batch invocation.",
  labelNames: ["function"] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});

export const lakeRecords = new Counter({
  name: "shopstream_lake_records_total",
  help: "Rows written to the lake, by table.",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const lakeFiles = new Counter({
  name: "shopstream_lake_files_total",
  help: "Objects published to the lake, by table.",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const lakeErrors = new Counter({
  name: "shopstream_lake_error_records_total",
  help: "Records written to the lake's error prefix, by error type.",
  labelNames: ["error_type"] as const,
  registers: [registry],
});

export const lakeFlushSeconds = new Histogram({
  name: "shopstream_lake_flush_seconds",
  help: "Duration of one lake buffer flush (convert, write, publish).",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const storeEffects = new Counter({
  name: "shopstream_store_effects_total",
  help: "Serving-store effects, by kind and result (applied or duplicate).",
  labelNames: ["kind", "result"] as const,
  registers: [registry],
});

export const storePrunedRows = new Counter({
  name: "shopstream_store_pruned_rows_total",
  help: "Serving-store bookkeeping rows the housekeeping deleted, by table (processed_events, stock_levels, early_payments).",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const queueMessages = new Gauge({
  name: "shopstream_queue_messages",
  help: "Messages in a queue, by state (visible, in_flight, delayed): SQS's ApproximateNumberOfMessages*.",
  labelNames: ["queue", "state"] as const,
  registers: [registry],
});

export const lakeCompactions = new Counter({
  name: "shopstream_lake_compactions_total",
  help: "Compactions that merged a partition's small objects into one, by table.",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const lakeCompactedObjects = new Counter({
  name: "shopstream_lake_compacted_objects_total",
  help: "Small objects merged away by compaction, by table.",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const lakeExpectationChecks = new Counter({
  name: "shopstream_lake_expectation_checks_total",
  help: "Data-quality expectations checked on delivered batches, by table, expectation and result (passed, failed).",
  labelNames: ["table", "expectation", "result"] as const,
  registers: [registry],
});

export const lakeExpectationFailedRows = new Counter({
  name: "shopstream_lake_expectation_failed_rows_total",
  help: "Rows that failed a data-quality expectation, by table and expectation.",
  labelNames: ["table", "expectation"] as const,
  registers: [registry],
});

export const analyticsQueries = new Counter({
  name: "shopstream_analytics_queries_total",
  help: "SQL queries finished, by final state and statement type.",
  labelNames: ["state", "statement_type"] as const,
  registers: [registry],
});

export const analyticsQuerySeconds = new Histogram({
  name: "shopstream_analytics_query_seconds",
  help: "SQL queries from submission to completion.",
  labelNames: ["statement_type"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.3, 1, 3, 10, 60, 600],
  registers: [registry],
});

export const analyticsQueuedQueries = new Gauge({
  name: "shopstream_analytics_queued_queries",
  help: "SQL queries waiting for a DuckDB connection.",
  registers: [registry],
});

export const serverOpenConnections = new Gauge({
  name: "shopstream_server_open_connections",
  help: "Client connections the HTTP server holds open (HTTP/1.1 and h2c), each counting against server.maxConnections.",
  registers: [registry],
});

export const serverConnectionsRefused = new Counter({
  name: "shopstream_server_connections_refused_total",
  help: "New connections answered 503 and closed because the HTTP server was at server.maxConnections.",
  registers: [registry],
});

export const kpiLateEvents = new Counter({
  name: "shopstream_kpi_late_events_total",
  help: "Events that reached their per-minute KPI window after it ended, by outcome: applied (within customers.allowedLatenessSec) or dropped (beyond it; kept in kpi_minute_late).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

// The uniform component metrics (docs/monitoring.md): every component, whatever it is, counts what it
// received, sent, failed on and discarded under the same names, so one dashboard row and one alarm shape fit
// all. Components feed them through component-metrics.ts; the older per-component series above stay.

export const componentReceived = new Counter({
  name: "shopstream_component_received_total",
  help: "Records, events, messages or requests a component took in, by component.",
  labelNames: ["component"] as const,
  registers: [registry],
});

export const componentSent = new Counter({
  name: "shopstream_component_sent_total",
  help: "Records, events, messages or results a component handed on successfully, by component.",
  labelNames: ["component"] as const,
  registers: [registry],
});

export const componentErrors = new Counter({
  name: "shopstream_component_errors_total",
  help: "Errors a component hit, by component, error type and stage (receiving, processing, sending).",
  labelNames: ["component", "type", "stage"] as const,
  registers: [registry],
});

export const componentDiscarded = new Counter({
  name: "shopstream_component_discarded_total",
  help: "Records a component dropped on purpose or by policy, by component and reason.",
  labelNames: ["component", "reason"] as const,
  registers: [registry],
});

export const componentDuration = new Histogram({
  name: "shopstream_component_duration_seconds",
  help: "Duration of a component's unit of work (invoke, flush, append, query, …), by component and operation.",
  labelNames: ["component", "operation"] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
  registers: [registry],
});

export const componentLag = new Gauge({
  name: "shopstream_component_lag",
  help: "Work waiting for a component: stream records after its checkpoint (functions, lake delivery) or visible messages (queues).",
  labelNames: ["component"] as const,
  registers: [registry],
});

export const componentIteratorAge = new Gauge({
  name: "shopstream_component_iterator_age_seconds",
  help: "Age of the last record a stream consumer read, per stream and shard (Kinesis' IteratorAgeMilliseconds); 0 when caught up.",
  labelNames: ["component", "stream", "shard"] as const,
  registers: [registry],
});

export const lakeLastDelivery = new Gauge({
  name: "shopstream_lake_last_delivery_timestamp_seconds",
  help: "When a lake table last had rows published, in seconds since the epoch, by table.",
  labelNames: ["table"] as const,
  registers: [registry],
});

export const functionRetries = new Counter({
  name: "shopstream_function_retries_total",
  help: "Retries of a failed batch by a function's event source mapping (splits are not retries).",
  labelNames: ["function"] as const,
  registers: [registry],
});

export const lambdaAsyncInvocations = new Counter({
  name: "shopstream_lambda_async_invocations_total",
  help: "Attempts of asynchronous (Event) Lambda invocations by function and result: succeeded, retried (failed, tried again later) or dropped (failed on every attempt, or undeliverable).",
  labelNames: ["function", "result"] as const,
  registers: [registry],
});

export const alarmState = new Gauge({
  name: "shopstream_alarm_state",
  help: "1 for an alarm's current state (OK, ALARM, INSUFFICIENT_DATA), 0 for the others.",
  labelNames: ["alarm", "state"] as const,
  registers: [registry],
});

export const alarmNotifications = new Counter({
  name: "shopstream_alarm_notifications_total",
  help: "Alarm state-change notifications posted to the webhook, by result (delivered, failed).",
  labelNames: ["result"] as const,
  registers: [registry],
});
