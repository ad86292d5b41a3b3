// How telemetry numbers read in Slack: units always shown, "no data" instead of a made-up zero.

export function formatRps(rps: number | undefined): string {
  if (rps === undefined || !Number.isFinite(rps)) return "no data";
  return `${rps >= 100 ? Math.round(rps) : rps.toFixed(rps >= 10 ? 1 : 2)} req/s`;
}

/** A 0–1 ratio as a percentage with one decimal: 0.998 → "99.8 %". */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return "no data";
  return `${(ratio * 100).toFixed(1)} %`;
}

/** A 0–100 share: 19.96 → "20 %", 0.4 → "0.4 %". */
export function formatShare(percent: number | undefined): string {
  if (percent === undefined || !Number.isFinite(percent)) return "no data";
  return `${percent >= 10 || percent === 0 ? Math.round(percent) : percent.toFixed(1)} %`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "no data";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms >= 10 ? Math.round(ms).toLocaleString("en-US") : ms.toFixed(1)} ms`;
}

export function signed(value: number, digits = 0): string {
  const text = Math.abs(value).toFixed(digits);
  return `${value < 0 ? "−" : "+"}${text}`;
}
