import type { Version } from "../release/index.ts";
import { lastChange, type TrafficChange } from "./analysis.ts";
import type { SplitSeries, VersionHealthReport, VersionStats } from "./version-health.ts";

// What a chart shows, as plain data: kept apart from chart.ts so the main thread can build it without
// loading ECharts and resvg (the drawing happens in the chart worker).

/** One applied traffic change on the chart: when, the configured share per version, who approved it. */
export interface ChartChange {
  at: number;
  configured: Record<Version, number>;
  /** A name to show beside the marker (the approver). */
  by?: string;
}

export interface ChartInput {
  /** e.g. "reviews.bookinfo". */
  title: string;
  /** Stable first: the order decides the colours. */
  versions: Version[];
  /** The configured percent per version now: a flat line when there are no changes to step through. */
  configured: Record<Version, number>;
  /**
   * The configured split over the window as a step line: the first entry holds from `from` (the change in force
   * then), each later one is an applied change drawn with a marker.
   */
  changes?: ChartChange[];
  observed: SplitSeries[];
  stats: Record<Version, Pick<VersionStats, "successRate" | "p99">>;
  /** The window shown, unix ms. */
  from: number;
  to: number;
}

/** The longest window a chart shows. */
export const CHART_WINDOW_MS = 30 * 60_000;

/**
 * The chart of a health report. With the job's traffic history, the window starts at the job's first change or
 * 30 minutes back, whichever is later, and the configured split steps at each change; `names` turns approvers'
 * ids into the names shown at the markers.
 */
export function chartInputOf(
  report: VersionHealthReport,
  history: TrafficChange[] = [],
  names: Record<string, string> = {},
): ChartInput {
  const to = Date.parse(report.at);
  const first = history[0]?.at;
  const from = Math.max(to - Math.min(CHART_WINDOW_MS, report.window.rangeSeconds * 1000), first ?? 0);
  const inForce = lastChange(history, from);
  const later = history.filter((c) => c.at > from && c.at <= to);
  const changes: ChartChange[] = [
    ...(inForce ? [{ at: from, configured: inForce.configured }] : []),
    ...later.map((c) => ({
      at: c.at,
      configured: c.configured,
      ...(c.by ? { by: names[c.by] ?? c.by } : {}),
    })),
  ];
  return {
    title: `${report.service.service}.${report.service.namespace}`,
    versions: Object.keys(report.versions),
    configured: report.configured,
    ...(changes.length > 0 ? { changes } : {}),
    // Only what falls inside the window is drawn: a line clipped entirely out of view is also what made
    // resvg panic.
    observed: report.observedSplit.map((series) => ({
      ...series,
      points: series.points.filter(([t]) => t >= from && t <= to),
    })),
    stats: report.versions,
    from,
    to,
  };
}
