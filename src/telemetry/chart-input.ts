import type { Version } from "../release/index.ts";
import type { SplitSeries, VersionHealthReport, VersionStats } from "./version-health.ts";

// What a chart shows, as plain data: kept apart from chart.ts so the main thread can build it without
// loading ECharts and resvg (the drawing happens in the chart worker).
export interface ChartInput {
  /** e.g. "reviews.bookinfo". */
  title: string;
  /** Stable first: the order decides the colours. */
  versions: Version[];
  /** The configured percent per version (a flat line over the window). */
  configured: Record<Version, number>;
  observed: SplitSeries[];
  stats: Record<Version, Pick<VersionStats, "successRate" | "p99">>;
  /** The window shown, unix ms. */
  from: number;
  to: number;
}

/** The chart of a health report: its configured split, the observed series and each version's figures. */
export function chartInputOf(report: VersionHealthReport): ChartInput {
  const to = Date.parse(report.at);
  return {
    title: `${report.service.service}.${report.service.namespace}`,
    versions: Object.keys(report.versions),
    configured: report.configured,
    // Only what falls inside the window is drawn: a line clipped entirely out of view is also what made
    // resvg panic.
    observed: report.observedSplit.map((series) => ({
      ...series,
      points: series.points.filter(([t]) => t >= to - report.window.rangeSeconds * 1000 && t <= to),
    })),
    stats: report.versions,
    from: to - report.window.rangeSeconds * 1000,
    to,
  };
}
