// The traffic-split chart of a job as a PNG: ECharts' server-side SVG, rasterised by resvg with a bundled font,
// so it renders the same on every machine and needs no browser.
import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { Version } from "../release/index.ts";
import type { ChartInput } from "./chart-input.ts";
import { CHART_SIZE, type ChartSize } from "./chart-size.ts";
import { formatMs, formatRatio } from "./format.ts";

/** One colour per version, in the job's version order: stable blue, new orange, then more. */
export const VERSION_COLOURS = ["#1f6feb", "#f0883e", "#2da44e", "#8250df", "#cf222e", "#6e7781"] as const;

export { type ChartInput, chartInputOf } from "./chart-input.ts";
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

function legendName(input: ChartInput, version: Version): string {
  const stats = input.stats[version];
  return `${version} observed — success ${formatRatio(stats?.successRate)}, p99 ${formatMs(stats?.p99)}`;
}

export function chartOption(input: ChartInput): echarts.EChartsOption {
  const minutes = Math.round((input.to - input.from) / 60_000);
  const series: echarts.SeriesOption[] = [];
  for (const version of input.versions) {
    const color = colourOf(input.versions, version);
    const observed = input.observed.find((s) => s.version === version)?.points ?? [];
    series.push({
      type: "line",
      name: legendName(input, version),
      data: observed,
      showSymbol: false,
      lineStyle: { width: 3, color },
      itemStyle: { color },
    });
    const configured = input.configured[version] ?? 0;
    series.push({
      type: "line",
      name: `${version} configured ${configured} %`,
      data: [
        [input.from, configured],
        [input.to, configured],
      ],
      showSymbol: false,
      lineStyle: { width: 2, type: "dashed", color },
      itemStyle: { color },
    });
  }
  return {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: FONT_FAMILY, fontSize: 14 },
    title: {
      text: `${input.title}: share of served traffic, last ${minutes} min (times in UTC)`,
      left: 16,
      top: 10,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 18 },
    },
    legend: { bottom: 8, left: 16, right: 16, textStyle: { fontFamily: FONT_FAMILY, fontSize: 13 } },
    grid: { left: 80, right: 30, top: 56, bottom: 40 + 26 * Math.ceil(input.versions.length) },
    xAxis: {
      type: "time",
      min: input.from,
      max: input.to,
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13, formatter: "{HH}:{mm}" },
    },
    yAxis: {
      type: "value",
      min: 0,
      max: 100,
      name: "% of served requests",
      nameLocation: "middle",
      nameGap: 52,
      nameTextStyle: { fontFamily: FONT_FAMILY, fontSize: 13 },
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13, formatter: "{value} %" },
    },
    series,
  };
}

export function renderChartSvg(input: ChartInput, size: ChartSize = CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({ ...chartOption(input), useUTC: true });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
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
