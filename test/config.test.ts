import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { tempDir } from "./harness/temp-dir.ts";

const socket = { SLACK_BOT_TOKEN: "xoxb-test", SLACK_APP_TOKEN: "xapp-test" };
const http = { SLACK_BOT_TOKEN: "xoxb-test", SLACK_SIGNING_SECRET: "s3cret", PORT: "3100" };

describe("loadConfig", () => {
  it("reads Socket Mode settings with defaults", () => {
    const result = loadConfig(socket, "/srv/graydesk");
    expect(result).toEqual({
      ok: true,
      config: {
        slack: { botToken: "xoxb-test", mode: "socket", appToken: "xapp-test", port: 3000 },
        kube: {},
        dataDir: "/srv/graydesk/data",
        store: "lowdb",
        logLevel: "info",
        refreshIntervalSeconds: 60,
        prometheusTiming: { rateWindowSeconds: 60, scrapeIntervalSeconds: 15 },
        leaseDurationSeconds: 15,
        shutdownTimeoutMs: 10000,
      },
    });
  });

  it("reads the controller gates' tokens per namespace", () => {
    const result = loadConfig({
      ...socket,
      GATE_TOKENS: "shop=0123456789abcdef, bookinfo = fedcba9876543210",
    });
    expect(result.ok && result.config.gateTokens).toEqual({
      shop: "0123456789abcdef",
      bookinfo: "fedcba9876543210",
    });
  });

  it.each([
    ["shop=short-token", "GATE_TOKENS token for namespace shop must be at least 16 characters"],
    ["Shop_X=0123456789abcdef", "GATE_TOKENS entry 1 must start with a namespace name"],
    ["shop=0123456789abcdef,shop=0123456789abcdeg", "GATE_TOKENS lists namespace shop twice"],
  ])("refuses GATE_TOKENS=%s, naming the namespace and never the token", (value, problem) => {
    const result = loadConfig({ ...socket, GATE_TOKENS: value });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
    expect(problems.join("\n")).not.toMatch(/short-token|0123456789abcde/);
  });

  it("reads CLUSTERS: names with kubeconfig contexts, or in-cluster", () => {
    const dir = tempDir("graydesk-config-");
    writeFileSync(path.join(dir, "kubeconfig"), "apiVersion: v1\n");
    const result = loadConfig(
      {
        ...socket,
        KUBECONFIG: "kubeconfig",
        CLUSTERS: "staging=kind-staging, prod-eu=in-cluster, dev=secret:graydesk/dev-kubeconfig",
      },
      dir,
    );
    rmSync(dir, { recursive: true, force: true });
    expect(result.ok && result.config.clusters).toEqual([
      { name: "staging", context: "kind-staging" },
      { name: "prod-eu" },
      { name: "dev", secret: { namespace: "graydesk", name: "dev-kubeconfig" } },
    ]);
  });

  it.each([
    ["Prod=ctx", "CLUSTERS entry 1 must start with a cluster name"],
    ["prod-eu", "CLUSTERS entry prod-eu needs a kubeconfig context or in-cluster after ="],
    ["a=in-cluster,a=in-cluster", "CLUSTERS lists cluster a twice"],
    ["a=ctx", "CLUSTERS names kubeconfig contexts, so KUBECONFIG must be set too"],
    ["a=secret:graydesk", "CLUSTERS entry a must name its kubeconfig Secret as secret:<namespace>/<name>"],
  ])("refuses CLUSTERS=%s, saying why", (value, problem) => {
    const result = loadConfig({ ...socket, CLUSTERS: value });
    expect(result.ok).toBe(false);
    expect((result.ok ? [] : result.problems).some((p) => p.startsWith(problem))).toBe(true);
  });

  it("reads the live card refresh interval", () => {
    const result = loadConfig({ ...socket, REFRESH_INTERVAL_SECONDS: "120" });
    expect(result.ok && result.config.refreshIntervalSeconds).toBe(120);
  });

  it("reads the leader lease duration", () => {
    const result = loadConfig({ ...socket, LEASE_DURATION_SECONDS: "3" });
    expect(result.ok && result.config.leaseDurationSeconds).toBe(3);
  });

  it("switches to HTTP mode when a signing secret and port are set", () => {
    const result = loadConfig({ ...http, SLACK_API_URL: "http://127.0.0.1:9/api/" });
    expect(result.ok && result.config.slack).toEqual({
      botToken: "xoxb-test",
      mode: "http",
      signingSecret: "s3cret",
      port: 3100,
      apiUrl: "http://127.0.0.1:9/api/",
    });
  });

  it("reports one line per missing setting, each with an example", () => {
    const result = loadConfig({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(/^SLACK_BOT_TOKEN is missing.*for example SLACK_BOT_TOKEN=xoxb-/);
    expect(result.problems[1]).toMatch(/^SLACK_APP_TOKEN is missing.*SLACK_SIGNING_SECRET and PORT/);
  });

  it.each([
    [{ SLACK_BOT_TOKEN: "xoxp-user" }, /SLACK_BOT_TOKEN must start with xoxb-/],
    [{ SLACK_APP_TOKEN: "abc" }, /SLACK_APP_TOKEN must start with xapp-/],
    [{ PORT: "70000", SLACK_SIGNING_SECRET: "x" }, /PORT must be a port number from 1 to 65535, not "70000"/],
    [{ SLACK_MODE: "webhook" }, /SLACK_MODE must be socket or http/],
    [{ SLACK_MODE: "http" }, /SLACK_SIGNING_SECRET is missing/],
    [{ SLACK_API_URL: "slack.com" }, /SLACK_API_URL must be an http\(s\) URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ STORE: "redis" }, /STORE must be one of lowdb, kubernetes/],
    [
      { KUBECONFIG: "/nonexistent/kubeconfig" },
      /KUBECONFIG points to \/nonexistent\/kubeconfig, which does not exist/,
    ],
    [{ POLICY_FILE: "/nonexistent/policy.yaml" }, /POLICY_FILE points to .* which does not exist/],
    [{ PROMETHEUS_URL: "prom:9090" }, /PROMETHEUS_URL must be an http\(s\) URL/],
    [{ JAEGER_URL: "ftp://jaeger" }, /JAEGER_URL must be an http\(s\) URL/],
    [{ SHUTDOWN_TIMEOUT_MS: "soon" }, /SHUTDOWN_TIMEOUT_MS must be a whole number/],
    [
      { REFRESH_INTERVAL_SECONDS: "5" },
      /REFRESH_INTERVAL_SECONDS must be a whole number of seconds from 10 to 3600, not "5"/,
    ],
    [
      { LEASE_DURATION_SECONDS: "1" },
      /LEASE_DURATION_SECONDS must be a whole number of seconds from 3 to 300, not "1"/,
    ],
    [{ LEASE_DURATION_SECONDS: "15s" }, /LEASE_DURATION_SECONDS must be a whole number of seconds/],
    [
      { REFRESH_INTERVAL_SECONDS: "1m" },
      /REFRESH_INTERVAL_SECONDS must be a whole number of seconds from 10 to 3600/,
    ],
  ])("rejects %o", (override, message) => {
    const result = loadConfig({ ...socket, ...override });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toMatch(message);
  });

  it("resolves file settings against the working directory", () => {
    const dir = tempDir("graydesk-config-");
    writeFileSync(path.join(dir, "kubeconfig"), "apiVersion: v1\n");
    writeFileSync(path.join(dir, "policy.yaml"), "namespaces: {}\n");
    const result = loadConfig(
      {
        ...socket,
        KUBECONFIG: "kubeconfig",
        KUBE_CONTEXT: "sandbox",
        POLICY_FILE: "policy.yaml",
        DATA_DIR: "state",
      },
      dir,
    );
    expect(result.ok && result.config).toMatchObject({
      kube: { kubeconfig: path.join(dir, "kubeconfig"), context: "sandbox" },
      policyFile: path.join(dir, "policy.yaml"),
      dataDir: path.join(dir, "state"),
    });
  });
});

describe("Prometheus timing settings", () => {
  const base = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" };
  it("reads the scrape interval and rate window that settling follows", () => {
    const result = loadConfig({
      ...base,
      PROMETHEUS_SCRAPE_INTERVAL_SECONDS: "5",
      PROMETHEUS_RATE_WINDOW_SECONDS: "20",
    });
    expect(result.ok && result.config.prometheusTiming).toEqual({
      rateWindowSeconds: 20,
      scrapeIntervalSeconds: 5,
    });
  });

  it.each([
    [
      { PROMETHEUS_SCRAPE_INTERVAL_SECONDS: "0" },
      /PROMETHEUS_SCRAPE_INTERVAL_SECONDS must be a whole number of seconds from 1 to 600/,
    ],
    [
      { PROMETHEUS_RATE_WINDOW_SECONDS: "1m" },
      /PROMETHEUS_RATE_WINDOW_SECONDS must be a whole number of seconds from 2 to 3600, not "1m"/,
    ],
    [
      { PROMETHEUS_SCRAPE_INTERVAL_SECONDS: "30", PROMETHEUS_RATE_WINDOW_SECONDS: "45" },
      /at least twice PROMETHEUS_SCRAPE_INTERVAL_SECONDS \(30\)/,
    ],
  ])("refuses %j naming the setting", (env, problem) => {
    const result = loadConfig({ ...base, ...env });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toMatch(problem);
  });
});

describe("placeholders from .env.example", () => {
  it.each([
    [
      { ...socket, SLACK_BOT_TOKEN: "xoxb-<bot token>" },
      /SLACK_BOT_TOKEN is still the example's placeholder/,
    ],
    [{ ...socket, SLACK_BOT_TOKEN: "xoxb-..." }, /SLACK_BOT_TOKEN is still the example's placeholder/],
    [
      { ...socket, SLACK_APP_TOKEN: "xapp-<app token>" },
      /SLACK_APP_TOKEN is still the example's placeholder/,
    ],
    [{ ...http, SLACK_SIGNING_SECRET: "<signing secret>" }, /SLACK_SIGNING_SECRET is still the example's/],
  ])("%o is refused with words saying what to paste", (env, message) => {
    const result = loadConfig(env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toMatch(message);
  });

  it("every token in .env.example is refused as it stands", () => {
    const example = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
    const env = Object.fromEntries(
      example
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const result = loadConfig({ ...env, DATA_DIR: undefined });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.some((p) => p.startsWith("SLACK_BOT_TOKEN is still"))).toBe(true);
      expect(result.problems.some((p) => p.startsWith("SLACK_APP_TOKEN is still"))).toBe(true);
    }
  });
});
