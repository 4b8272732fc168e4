// Public surface of fraud detection: the built-in function, its config schema and migrations, the alert
// shapes it writes to the serving store and the curated stream, the queries the dashboard reads, and
// the precision/recall evaluation against the simulator's labels.
export { createFraudFunction, FRAUD_FUNCTION_NAME, type FraudFunctionOptions } from "./fraud-function.js";
export { fraudConfigSchema, resolveFraudConfig, type FraudConfig, type FraudConfigInput } from "./config.js";
export { fraudMigrations } from "./migrations.js";
export { alertIdFor, type FraudAlert, type FraudAlertEvent, type FraudAlertPayload } from "./alerts.js";
export { fraudRules, type FraudReason, type FraudRule } from "./reasons.js";
export { fraudAlertSummary, recentFraudAlerts, type FraudAlertSummary } from "./alert-queries.js";
export { evaluateDetection, type DetectionQuality, type LabelledEvent, type ScoredAlert } from "./evaluate.js";
export { labelledRun } from "./labelled-run.js";
