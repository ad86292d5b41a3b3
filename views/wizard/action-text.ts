import type { ActionSettings, ProbeSettings } from "../../src/release/index.ts";

/**
 * Probes and lifecycle actions typed on one line, the way people say them:
 * `http /healthz 8080`, `https /ready 8443`, `tcp 9080`, `exec cat,/tmp/healthy` (commas between parts).
 */
export const ACTION_EXAMPLE = "http /healthz 8080 · tcp 9080 · exec cat,/tmp/healthy";

export function formatAction(action: ActionSettings): string {
  switch (action.kind) {
    case "http":
      return `${action.scheme.toLowerCase()} ${action.path} ${action.port}`;
    case "tcp":
      return `tcp ${action.port}`;
    case "command":
      return `exec ${action.command}`;
  }
}

export function parseAction(text: string): { action: ActionSettings } | { problem: string } {
  const [kind, ...rest] = text.trim().split(/\s+/);
  const lower = (kind ?? "").toLowerCase();
  if ((lower === "http" || lower === "https") && rest.length === 2) {
    return {
      action: {
        kind: "http",
        scheme: lower === "https" ? "HTTPS" : "HTTP",
        path: rest[0] as string,
        port: Number(rest[1]),
      },
    };
  }
  if (lower === "tcp" && rest.length === 1) return { action: { kind: "tcp", port: Number(rest[0]) } };
  if (lower === "exec" && rest.length > 0) return { action: { kind: "command", command: rest.join(" ") } };
  return { problem: `Write the check as one of: ${ACTION_EXAMPLE}.` };
}

const TIMING_KEYS = {
  delay: "initialDelaySeconds",
  timeout: "timeoutSeconds",
  period: "periodSeconds",
  success: "successThreshold",
  failure: "failureThreshold",
} as const;
type TimingKey = keyof typeof TIMING_KEYS;
export const TIMING_EXAMPLE = "delay=5 timeout=1 period=10 success=1 failure=3";

export type ProbeTiming = Pick<
  ProbeSettings,
  "initialDelaySeconds" | "timeoutSeconds" | "periodSeconds" | "successThreshold" | "failureThreshold"
>;

export function formatTiming(probe: ProbeTiming): string {
  return (Object.entries(TIMING_KEYS) as [TimingKey, keyof ProbeTiming][])
    .filter(([, field]) => probe[field] !== undefined)
    .map(([key, field]) => `${key}=${probe[field]}`)
    .join(" ");
}

export function parseTiming(text: string | undefined): { timing: ProbeTiming } | { problem: string } {
  const timing: ProbeTiming = {};
  for (const word of (text ?? "").trim().split(/\s+/).filter(Boolean)) {
    const [key, value, ...more] = word.split("=");
    const field = TIMING_KEYS[key as TimingKey];
    if (!field || value === undefined || value === "" || more.length > 0) {
      return { problem: `Write the timings as key=value among: ${TIMING_EXAMPLE}.` };
    }
    timing[field] = Number(value);
  }
  return { timing };
}
