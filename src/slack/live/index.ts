// Live telemetry in Slack: charts and traces in a job's thread, fresh cards, breaches with Request rollback.
export { registerLiveActions } from "./actions.ts";
export { type ChartResult, JobCharts, type JobChartsDeps } from "./charts.ts";
export { type LiveCardsDeps, liveCards } from "./refresher.ts";
export { postTraces, type TracesResult } from "./traces.ts";
