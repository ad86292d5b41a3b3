// The traffic-split chart of a job as a PNG: ECharts' server-side SVG, rasterised by resvg with a bundled font,
// so it renders the same on every machine and needs no browser.
import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { Version } from "../release/index.ts";
import type { ChartInput } from "./chart-input.ts";
import { CHART_SIZE, type ChartSize } from "./chart-size.ts";

/** One colour per version, in the job's version order: stable blue, new orange, then more. */
export const VERSION_COLOURS = ["#1f6feb", "#f0883e", "#2da44e", "#8250df", "#cf222e", "#6e7781"] as const;

export { type ChartChange, type ChartInput, chartInputOf } from "./chart-input.ts";
export type { ChartSize } from "./chart-size.ts";
export { CHART_SIZE } from "./chart-size.ts";

// Condensed: its widths are close to the ones ECharts assumes when it lays out text without a canvas.
const FONT_FAMILY = "DejaVu Sans Condensed";
const require = createRequire(import.meta.url);
// The font ships in an npm package, so the chart does not depend on the fonts a machine happens to have.
const FONT_FILES = ["DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"].map((f) =>
  require.resolve(`dejavu-fonts-ttf/ttf/${f}`),
);

export function colourOf(versions: Version[], version: Version): string {
  const index = Math.max(0, versions.indexOf(version));
  return VERSION_COLOURS[index % VERSION_COLOURS.length] as string;
}

/** The configured line of each version: a darker shade of its colour, so it stays apart from the observed one. */
export const CONFIGURED_COLOURS = ["#0a3069", "#953800", "#116329", "#512a97", "#82071e", "#424a53"] as const;

export function configuredColourOf(versions: Version[], version: Version): string {
  const index = Math.max(0, versions.indexOf(version));
  return CONFIGURED_COLOURS[index % CONFIGURED_COLOURS.length] as string;
}

/** Sizes chosen to stay readable when Slack shows the 1000 px chart as a ~360 px thumbnail. */
const TEXT = { title: 28, legend: 30, axis: 22 };

/** The configured share of `version` as step points: each value holds until the next change. */
function configuredPoints(input: ChartInput, version: Version): [number, number][] {
  const changes = input.changes ?? [];
  if (changes.length === 0) {
    const configured = input.configured[version] ?? 0;
    return [
      [input.from, configured],
      [input.to, configured],
    ];
  }
  const points = changes.map((c): [number, number] => [c.at, c.configured[version] ?? 0]);
  const last = points[points.length - 1];
  if (last) points.push([input.to, last[1]]);
  return points;
}

/** A vertical marker at each applied change (not the one in force when the window opens), labelled with who. */
function changeMarkers(input: ChartInput): echarts.MarkLineComponentOption | undefined {
  const marked = (input.changes ?? []).filter((c) => c.at > input.from);
  if (marked.length === 0) return undefined;
  const next = input.versions[1] ?? input.versions[0] ?? "";
  return {
    symbol: "none",
    silent: true,
    lineStyle: { color: "#57606a", type: "dotted", width: 2 },
    label: { fontFamily: FONT_FAMILY, fontSize: TEXT.axis, color: "#24292f", position: "insideEndTop" },
    data: marked.map((c) => ({
      xAxis: c.at,
      label: { formatter: `${next} ${c.configured[next] ?? 0} %${c.by ? ` · ${c.by}` : ""}` },
    })),
  };
}

export function chartOption(input: ChartInput): echarts.EChartsOption {
  const minutes = Math.max(1, Math.round((input.to - input.from) / 60_000));
  const series: echarts.SeriesOption[] = [];
  const markers = changeMarkers(input);
  for (const version of input.versions) {
    const color = colourOf(input.versions, version);
    const observed = input.observed.find((s) => s.version === version)?.points ?? [];
    series.push({
      type: "line",
      name: `${version} observed`,
      data: observed,
      showSymbol: false,
      // Wider, and under the configured line: where they agree, the observed one shows on both sides of it.
      z: 2,
      lineStyle: { width: 7, color },
      itemStyle: { color },
    });
    const dark = configuredColourOf(input.versions, version);
    series.push({
      type: "line",
      name: `${version} configured`,
      data: configuredPoints(input, version),
      step: "end",
      showSymbol: false,
      z: 3,
      lineStyle: { width: 3, color: dark },
      itemStyle: { color: dark },
    });
  }
  // The markers sit on a series of their own under every line, so a label never hides a line it crosses.
  if (markers) series.push({ type: "line", name: "changes", data: [], z: 1, markLine: markers });
  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: FONT_FAMILY, fontSize: TEXT.axis },
    title: {
      text: `${input.title}: % of served traffic, ${minutes} min (UTC)`,
      left: 16,
      top: 8,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: TEXT.title },
    },
    legend: {
      data: input.versions.flatMap((v) => [`${v} observed`, `${v} configured`]),
      bottom: 6,
      left: 16,
      right: 16,
      itemWidth: 36,
      itemHeight: 16,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: TEXT.legend },
    },
    grid: { left: 76, right: 30, top: 56, bottom: 48 + 40 * Math.ceil(input.versions.length / 2) },
    xAxis: {
      type: "time",
      min: input.from,
      max: input.to,
      splitNumber: 5,
      axisLabel: {
        fontFamily: FONT_FAMILY,
        fontSize: TEXT.axis,
        hideOverlap: true,
        formatter: (value: number) => new Date(value).toISOString().slice(11, 16),
      },
    },
    yAxis: {
      type: "value",
      min: 0,
      max: 100,
      interval: 25,
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: TEXT.axis, formatter: "{value} %" },
    },
    series,
  };
}

export function renderChartSvg(input: ChartInput, size: ChartSize = CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({ ...chartOption(input), useUTC: true });
    return fontShorthandToLonghand(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/**
 * ECharts writes some labels (the time axis's) with the CSS `font` shorthand and an unquoted family of several
 * words, which resvg does not read: those labels came out at its default size. Spelled out, they keep theirs.
 */
function fontShorthandToLonghand(svg: string): string {
  return svg.replace(
    /style="font: (normal|italic) (normal|bold|\d+) (\d+(?:\.\d+)?)px ([^";]+)"/g,
    (_all, style: string, weight: string, size: string, family: string) =>
      `style="font-style:${style};font-weight:${weight};font-size:${size}px;font-family:${family};"`,
  );
}

// resvg-js 2.6 takes fonts only as file paths, so each render reads and parses them again (about 1.3 MB);
// only the options are shared.
const FONT_OPTIONS = {
  fontFiles: FONT_FILES,
  loadSystemFonts: false,
  defaultFontFamily: FONT_FAMILY,
  sansSerifFamily: FONT_FAMILY,
};

/**
 * The PNG bytes, at the given size (1000×500 by default: sharp in Slack's preview).
 * resvg's native memory (pixmap, parsed tree, fonts: several MB a render) is released only when V8
 * collects the small wrapper objects, which it does not hurry to do; a process that renders often should use
 * a chart renderer (chart-renderer.ts), whose worker takes that memory with it when it is replaced.
 */
export function renderChartPng(input: ChartInput, size: ChartSize = CHART_SIZE): Buffer {
  const svg = renderChartSvg(input, size);
  const resvg = new Resvg(svg, { fitTo: { mode: "width", value: size.width }, font: FONT_OPTIONS });
  return resvg.render().asPng();
}
