// A small Prometheus registry: series keyed by their label set, so memory grows with label
// combinations (bounded by `maxSeries`), never with request count.

export const ISTIO_DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

export type LabelSet = Record<string, string>;

interface CounterSeries {
  labels: LabelSet;
  value: number;
}

interface HistogramSeries {
  labels: LabelSet;
  buckets: number[];
  sum: number;
  count: number;
}

interface Family<T> {
  help: string;
  series: Map<string, T>;
}

function seriesKey(labels: LabelSet): string {
  return JSON.stringify(Object.entries(labels));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatLabels(labels: LabelSet, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

export class MetricsRegistry {
  #counters = new Map<string, Family<CounterSeries>>();
  #histograms = new Map<string, Family<HistogramSeries> & { bounds: number[] }>();
  #maxSeries: number;
  #seriesCount = 0;
  /** Samples dropped because `maxSeries` was reached; a sign a label carries unbounded values. */
  dropped = 0;

  constructor(options: { maxSeries?: number } = {}) {
    this.#maxSeries = options.maxSeries ?? 20_000;
  }

  defineCounter(name: string, help: string): void {
    if (!this.#counters.has(name)) this.#counters.set(name, { help, series: new Map() });
  }

  defineHistogram(name: string, help: string, bounds: number[]): void {
    if (!this.#histograms.has(name)) this.#histograms.set(name, { help, bounds, series: new Map() });
  }

  #admit(): boolean {
    if (this.#seriesCount >= this.#maxSeries) {
      this.dropped++;
      return false;
    }
    this.#seriesCount++;
    return true;
  }

  inc(name: string, labels: LabelSet, by = 1): void {
    const family = this.#counters.get(name);
    if (!family) throw new Error(`counter ${name} is not defined`);
    const key = seriesKey(labels);
    let series = family.series.get(key);
    if (!series) {
      if (!this.#admit()) return;
      series = { labels: { ...labels }, value: 0 };
      family.series.set(key, series);
    }
    series.value += by;
  }

  observe(name: string, labels: LabelSet, value: number): void {
    const family = this.#histograms.get(name);
    if (!family) throw new Error(`histogram ${name} is not defined`);
    const key = seriesKey(labels);
    let series = family.series.get(key);
    if (!series) {
      if (!this.#admit()) return;
      series = { labels: { ...labels }, buckets: family.bounds.map(() => 0), sum: 0, count: 0 };
      family.series.set(key, series);
    }
    family.bounds.forEach((bound, i) => {
      if (value <= bound) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    });
    series.sum += value;
    series.count++;
  }

  /** Current value of a counter summed over the series whose labels include `where`. */
  counterValue(name: string, where: LabelSet = {}): number {
    let total = 0;
    for (const s of this.#counters.get(name)?.series.values() ?? []) {
      if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
    return total;
  }

  get seriesCount(): number {
    return this.#seriesCount;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.#counters) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} counter`);
      for (const s of family.series.values())
        lines.push(`${name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
    }
    for (const [name, family] of this.#histograms) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} histogram`);
      for (const s of family.series.values()) {
        family.bounds.forEach((bound, i) => {
          lines.push(
            `${name}_bucket${formatLabels(s.labels, ["le", formatNumber(bound)])} ${s.buckets[i] ?? 0}`,
          );
        });
        lines.push(`${name}_bucket${formatLabels(s.labels, ["le", "+Inf"])} ${s.count}`);
        lines.push(`${name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum)}`);
        lines.push(`${name}_count${formatLabels(s.labels)} ${s.count}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}
