// Telemetry's public face: live per-version health from Prometheus, Jaeger links, split charts, the refresher.
export type {
  Analysis,
  AnalysisSample,
  AnalysisSettings,
  TrafficChange,
  Verdict,
  VersionSample,
} from "./analysis.ts";
export { analyze, lastChange } from "./analysis.ts";
export {
  type AnalysisTiming,
  analysisSettings,
  DEFAULT_TIMING,
  defaultSettleSeconds,
  repostMargin,
} from "./analysis-settings.ts";
export { type AnalysisMetric, METRIC_WORDS } from "./analysis-words.ts";
export { type RollbackJob, rollbackDue } from "./auto-rollback.ts";
export { type BreachNotice, type FailVerdict, noticesFor, type PostedBreach } from "./breach-notices.ts";
export { type ChartInput, chartInputOf } from "./chart-input.ts";
export {
  ChartRenderError,
  type ChartRenderErrorCode,
  type ChartRenderer,
  type ChartRendererOptions,
  createChartRenderer,
} from "./chart-renderer.ts";
export { CHART_SIZE, type ChartSize } from "./chart-size.ts";
/**
 * Chart drawing (ECharts and resvg, some 100 MB resident) loads only where a chart is drawn: the running app
 * draws in a recycled worker (createChartRenderer); loadCharts is the in-process path for tools and tests.
 */
export const loadCharts = () => import("./chart.ts");
export { formatMs, formatRatio, formatRps, formatShare } from "./format.ts";
export type { Breach, BreachKind, Evidence, Thresholds, VersionEvidence } from "./health.ts";
export {
  breachKey,
  DEFAULT_THRESHOLDS,
  evidence,
  findBreaches,
  MIN_JUDGED_RPS,
  thresholdsFor,
} from "./health.ts";
export type { TelemetryJob } from "./job-series.ts";
export { targetOf, versionOf } from "./job-series.ts";
export type {
  PrometheusClient,
  PrometheusClientOptions,
  PrometheusErrorCode,
  QueryRange,
  RangeSeries,
  Sample,
} from "./prometheus.ts";
export { PrometheusError, prometheusClient } from "./prometheus.ts";
export type { HealthMetric, ServiceTarget } from "./promql.ts";
export * as promql from "./promql.ts";
export type {
  CardUpdate,
  CardUpdater,
  Refresher,
  RefresherDeps,
  RefresherLogger,
  RefreshSummary,
  RenderedCard,
} from "./refresher.ts";
export { cardHash, createRefresher, LIVE_STATES, retryAfterSeconds } from "./refresher.ts";
export { createTelemetry, type Telemetry, type TelemetryOptions } from "./telemetry.ts";
export type { RecentTracesOptions, TraceLink, VersionTraces } from "./traces.ts";
export { JaegerError, jaegerService, recentTraces, traceLinks, traceUrl, VERSION_TAG } from "./traces.ts";
export { trafficHistory } from "./traffic-history.ts";
export type {
  HealthDeps,
  HealthJob,
  HealthWindow,
  SplitSeries,
  TelemetryUnavailable,
  UnavailableCode,
  VersionHealth,
  VersionHealthReport,
  VersionStats,
} from "./version-health.ts";
export { DEFAULT_WINDOW, healthOfJobs, NOT_CONFIGURED, versionHealth } from "./version-health.ts";
export {
  durationSeconds,
  HealthWatch,
  type HealthWatchOptions,
  type JobAnalysis,
  sampleOf,
} from "./watch.ts";
