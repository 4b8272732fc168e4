// Public surface of alarms: their config schema, the service that evaluates them, and the pieces of the
// rule for tests and tools.
export * from "./config.js";
export { AlarmService, type AlarmServiceOptions, type AlarmStatus, type AlarmTransition } from "./alarm-service.js";
export { latestDatapoints, datapointFor, type Datapoint, type DatapointQuery } from "./datapoints.js";
export { ALARM_STATES, breaches, evaluateAlarm, type AlarmRule, type AlarmStateValue, type Evaluation } from "./evaluate.js";
export { alarmNotification, type AlarmNotification } from "./notifier.js";
