import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Every setting Graydesk reads, validated once at start-up. Nothing else in the code reads process.env:
 * the typed Config is passed down from the composition root.
 */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type StoreKind = "lowdb" | "kubernetes";

export interface Config {
  slack: {
    botToken: string;
    mode: "socket" | "http";
    appToken?: string;
    signingSecret?: string;
    port: number;
    apiUrl?: string;
  };
  kube: { kubeconfig?: string; context?: string };
  /**
   * CLUSTERS: the clusters of one desk by name, each a context of the kubeconfig or the cluster Graydesk runs
   * in. Absent: one cluster, `kube`.
   */
  clusters?: ClusterSetting[];
  dataDir: string;
  store: StoreKind;
  logLevel: LogLevel;
  policyFile?: string;
  prometheusUrl?: string;
  jaegerUrl?: string;
  /** How often live job cards refresh; 60 when absent. */
  refreshIntervalSeconds?: number;
  /** The rate() window of health checks and Prometheus's scrape interval; settling after a change follows them. */
  prometheusTiming?: { rateWindowSeconds: number; scrapeIntervalSeconds: number };
  /** STORE=kubernetes: how long replicas wait for a silent leader before one takes over; 15 when absent. */
  leaseDurationSeconds?: number;
  shutdownTimeoutMs: number;
  /** GATE_TOKENS: the shared token Flagger's gate webhooks send, per namespace; no gates without one. */
  gateTokens?: Record<string, string>;
}

export interface ClusterSetting {
  /** How commands, policy and messages name it (`prod-eu`). */
  name: string;
  /** A context of KUBECONFIG; absent (and no secret): in-cluster (the pod's service account). */
  context?: string;
  /**
   * A Secret holding the cluster's kubeconfig under the key `kubeconfig`, read at start-up through the main
   * cluster (KUBECONFIG/KUBE_CONTEXT, or in-cluster), as a host cluster keeps its member clusters' credentials.
   */
  secret?: { namespace: string; name: string };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const STORES: readonly StoreKind[] = ["lowdb", "kubernetes"];

/** Reads the environment into a Config, collecting one line per problem rather than stopping at the first. */
export function loadConfig(env: Env, cwd = process.cwd()): ConfigResult {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };
  const problem = (name: string, what: string, example: string) =>
    problems.push(`${name} ${what} (for example ${name}=${example})`);

  const botToken = read("SLACK_BOT_TOKEN");
  if (!botToken)
    problem("SLACK_BOT_TOKEN", "is missing: the bot token from OAuth & Permissions", "xoxb-<bot token>");
  else if (!botToken.startsWith("xoxb-"))
    problem("SLACK_BOT_TOKEN", "must start with xoxb-", "xoxb-<bot token>");
  else if (isPlaceholder(botToken))
    problems.push(
      "SLACK_BOT_TOKEN is still the example's placeholder: paste the Bot User OAuth Token from your Slack app's OAuth & Permissions page",
    );

  const appToken = read("SLACK_APP_TOKEN");
  const signingSecret = read("SLACK_SIGNING_SECRET");
  const portText = read("PORT");
  const requestedMode = read("SLACK_MODE");
  let mode: "socket" | "http" = signingSecret && portText ? "http" : "socket";
  if (requestedMode !== undefined) {
    if (requestedMode === "socket" || requestedMode === "http") mode = requestedMode;
    else problem("SLACK_MODE", `must be socket or http, not "${requestedMode}"`, "socket");
  }
  if (mode === "socket") {
    if (!appToken) {
      problem(
        "SLACK_APP_TOKEN",
        "is missing: Socket Mode (the default) needs an app-level token with connections:write; or set SLACK_SIGNING_SECRET and PORT for HTTP mode",
        "xapp-<app token>",
      );
    } else if (!appToken.startsWith("xapp-"))
      problem("SLACK_APP_TOKEN", "must start with xapp-", "xapp-<app token>");
    else if (isPlaceholder(appToken))
      problems.push(
        "SLACK_APP_TOKEN is still the example's placeholder: paste an app-level token with connections:write from your Slack app's Basic Information page",
      );
  } else if (!signingSecret) {
    problem(
      "SLACK_SIGNING_SECRET",
      "is missing: HTTP mode verifies every request with it",
      "<signing secret>",
    );
  } else if (/[<>…]|\.\.\.|your|placeholder|changeme/i.test(signingSecret)) {
    problems.push(
      "SLACK_SIGNING_SECRET is still the example's placeholder: paste the Signing Secret from your Slack app's Basic Information page",
    );
  }

  const port = parsePort(portText ?? "3000");
  if (port === undefined) problem("PORT", `must be a port number from 1 to 65535, not "${portText}"`, "3000");

  const apiUrl = read("SLACK_API_URL");
  if (apiUrl !== undefined && !isHttpUrl(apiUrl)) {
    problem("SLACK_API_URL", `must be an http(s) URL, not "${apiUrl}"`, "https://slack.com/api/");
  }

  const kubeconfig = read("KUBECONFIG");
  if (kubeconfig !== undefined) {
    const first = kubeconfig.split(path.delimiter)[0] ?? kubeconfig;
    if (!existsSync(path.resolve(cwd, first))) {
      problem("KUBECONFIG", `points to ${first}, which does not exist`, "~/.kube/config");
    }
  }

  const clusters = parseClusters(read("CLUSTERS"), problems);
  if (clusters?.some((c) => c.context !== undefined) && kubeconfig === undefined) {
    problem("CLUSTERS", "names kubeconfig contexts, so KUBECONFIG must be set too", "staging=kind-staging");
  }

  const logLevel = (read("LOG_LEVEL") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problem("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`, "info");

  const store = (read("STORE") ?? "lowdb") as StoreKind;
  if (!STORES.includes(store)) problem("STORE", `must be one of ${STORES.join(", ")}`, "lowdb");

  const policyFile = read("POLICY_FILE");
  if (policyFile !== undefined && !existsSync(path.resolve(cwd, policyFile))) {
    problem("POLICY_FILE", `points to ${policyFile}, which does not exist`, "./policy.yaml");
  }

  const prometheusUrl = read("PROMETHEUS_URL");
  if (prometheusUrl !== undefined && !isHttpUrl(prometheusUrl)) {
    problem(
      "PROMETHEUS_URL",
      `must be an http(s) URL, not "${prometheusUrl}"`,
      "http://prometheus.istio-system:9090",
    );
  }
  const jaegerUrl = read("JAEGER_URL");
  if (jaegerUrl !== undefined && !isHttpUrl(jaegerUrl)) {
    problem("JAEGER_URL", `must be an http(s) URL, not "${jaegerUrl}"`, "http://tracing.istio-system:16686");
  }

  const refreshText = read("REFRESH_INTERVAL_SECONDS") ?? "60";
  const refreshIntervalSeconds = Number(refreshText);
  // Below 10 s the refresher would spend Slack's chat.update budget on cards nobody is reading.
  if (
    !Number.isInteger(refreshIntervalSeconds) ||
    refreshIntervalSeconds < 10 ||
    refreshIntervalSeconds > 3600
  ) {
    problem(
      "REFRESH_INTERVAL_SECONDS",
      `must be a whole number of seconds from 10 to 3600, not "${refreshText}"`,
      "60",
    );
  }

  const wholeSeconds = (name: string, fallback: string, min: number, max: number): number => {
    const text = read(name) ?? fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      problem(name, `must be a whole number of seconds from ${min} to ${max}, not "${text}"`, fallback);
    return value;
  };
  // A rate() window needs at least two scrapes in it to give a rate at all.
  const scrapeIntervalSeconds = wholeSeconds("PROMETHEUS_SCRAPE_INTERVAL_SECONDS", "15", 1, 600);
  const rateWindowSeconds = wholeSeconds("PROMETHEUS_RATE_WINDOW_SECONDS", "60", 2, 3600);
  if (rateWindowSeconds < 2 * scrapeIntervalSeconds)
    problem(
      "PROMETHEUS_RATE_WINDOW_SECONDS",
      `must be at least twice PROMETHEUS_SCRAPE_INTERVAL_SECONDS (${scrapeIntervalSeconds}), or rate() has too few scrapes`,
      String(4 * scrapeIntervalSeconds),
    );

  const leaseText = read("LEASE_DURATION_SECONDS") ?? "15";
  const leaseDurationSeconds = Number(leaseText);
  // The leader renews five times per duration; below 3 s a slow API round trip would cost it the lease.
  if (!Number.isInteger(leaseDurationSeconds) || leaseDurationSeconds < 3 || leaseDurationSeconds > 300) {
    problem(
      "LEASE_DURATION_SECONDS",
      `must be a whole number of seconds from 3 to 300, not "${leaseText}"`,
      "15",
    );
  }

  const shutdownText = read("SHUTDOWN_TIMEOUT_MS") ?? "10000";
  const shutdownTimeoutMs = Number(shutdownText);
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    problem("SHUTDOWN_TIMEOUT_MS", `must be a whole number of milliseconds, not "${shutdownText}"`, "10000");
  }

  const gateTokens = parseGateTokens(read("GATE_TOKENS"), problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      slack: {
        botToken: botToken as string,
        mode,
        ...(appToken ? { appToken } : {}),
        ...(signingSecret ? { signingSecret } : {}),
        port: port as number,
        ...(apiUrl ? { apiUrl } : {}),
      },
      kube: {
        ...(kubeconfig ? { kubeconfig: path.resolve(cwd, kubeconfig) } : {}),
        ...(read("KUBE_CONTEXT") ? { context: read("KUBE_CONTEXT") } : {}),
      },
      ...(clusters ? { clusters } : {}),
      dataDir: path.resolve(cwd, read("DATA_DIR") ?? "./data"),
      store,
      logLevel,
      ...(policyFile ? { policyFile: path.resolve(cwd, policyFile) } : {}),
      ...(prometheusUrl ? { prometheusUrl } : {}),
      ...(jaegerUrl ? { jaegerUrl } : {}),
      refreshIntervalSeconds,
      prometheusTiming: { rateWindowSeconds, scrapeIntervalSeconds },
      leaseDurationSeconds,
      shutdownTimeoutMs,
      ...(Object.keys(gateTokens).length > 0 ? { gateTokens } : {}),
    },
  };
}

/**
 * `namespace=token,namespace=token`. A problem names the namespace, never the token; a token shorter than 16
 * characters is refused because it would be guessable.
 */
function parseGateTokens(text: string | undefined, problems: string[]): Record<string, string> {
  const tokens: Record<string, string> = {};
  if (text === undefined) return tokens;
  for (const [i, entry] of text.split(",").entries()) {
    const eq = entry.indexOf("=");
    const namespace = (eq >= 0 ? entry.slice(0, eq) : entry).trim();
    const token = eq >= 0 ? entry.slice(eq + 1).trim() : "";
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63)
      problems.push(
        `GATE_TOKENS entry ${i + 1} must start with a namespace name (for example GATE_TOKENS=bookinfo=<token>)`,
      );
    else if (token.length < 16)
      problems.push(
        `GATE_TOKENS token for namespace ${namespace} must be at least 16 characters (for example from openssl rand -hex 24)`,
      );
    else if (namespace in tokens) problems.push(`GATE_TOKENS lists namespace ${namespace} twice`);
    else tokens[namespace] = token;
  }
  return tokens;
}

/**
 * `name=context,name=context`: each cluster by the name people use, with its KUBECONFIG context, `in-cluster`
 * for the cluster Graydesk runs in, or `secret:<namespace>/<name>` for a kubeconfig kept in a Secret. A problem names the entry and what is wrong with it.
 */
function parseClusters(text: string | undefined, problems: string[]): ClusterSetting[] | undefined {
  if (text === undefined) return undefined;
  const clusters: ClusterSetting[] = [];
  for (const [i, entry] of text.split(",").entries()) {
    const eq = entry.indexOf("=");
    const name = (eq >= 0 ? entry.slice(0, eq) : entry).trim();
    const where = eq >= 0 ? entry.slice(eq + 1).trim() : "";
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
      problems.push(
        `CLUSTERS entry ${i + 1} must start with a cluster name of lower-case letters, digits and - (for example CLUSTERS=prod-eu=prod-eu-context,staging=in-cluster)`,
      );
    else if (where === "")
      problems.push(
        `CLUSTERS entry ${name} needs a kubeconfig context or in-cluster after = (for example CLUSTERS=${name}=${name}-context)`,
      );
    else if (clusters.some((c) => c.name === name)) problems.push(`CLUSTERS lists cluster ${name} twice`);
    else if (where.startsWith("secret:")) {
      const [namespace, secret, extra] = where.slice("secret:".length).split("/");
      const dns = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
      if (!namespace || !secret || extra !== undefined || !dns.test(namespace) || !dns.test(secret))
        problems.push(
          `CLUSTERS entry ${name} must name its kubeconfig Secret as secret:<namespace>/<name> (for example CLUSTERS=${name}=secret:graydesk/${name}-kubeconfig)`,
        );
      else clusters.push({ name, secret: { namespace, name: secret } });
    } else clusters.push(where === "in-cluster" ? { name } : { name, context: where });
  }
  return clusters;
}

/**
 * Words of an example value (`<bot token>`, `your-token`, `xxx` after the prefix), never of a token Slack issues:
 * those are digits, letters and dashes. Refused here, or Slack would refuse them later with less helpful words.
 */
function isPlaceholder(value: string): boolean {
  const rest = value.replace(/^(xoxb|xapp)-/, "");
  return /[<>…]|\.\.\.|your|token|placeholder|changeme|example|replace|^x+$/i.test(rest);
}

function parsePort(text: string): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
