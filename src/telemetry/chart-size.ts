// The chart's size on its own, so the chart renderer can name it without loading ECharts and resvg into the
// thread that only hands charts to its worker.
export interface ChartSize {
  width: number;
  height: number;
}

/** 1000×500: sharp in Slack's preview. */
export const CHART_SIZE: Readonly<ChartSize> = { width: 1000, height: 500 };
