import { writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import type { Config, StoreKind } from "../../src/config.ts";
import { type Graydesk, type GraydeskTimings, startGraydesk } from "../../src/graydesk.ts";
import { createLogger } from "../../src/log.ts";
import type { AuditLog } from "../../src/store/index.ts";
import {
  createSlackClient,
  freePort,
  type SocketModeServer,
  type startSlackApiServer,
} from "./slack/index.ts";
import { tempDir } from "./temp-dir.ts";

type SlackApi = Awaited<ReturnType<typeof startSlackApiServer>>;

export const SIGNING_SECRET = "graydesk-test-signing-secret";

/** A kubeconfig for a server that is not there: readiness must say so. */
export function unreachableKubeconfig(): string {
  const dir = tempDir("graydesk-kc-");
  const file = path.join(dir, "kubeconfig");
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: gone, cluster: { server: 'http://127.0.0.1:9' } }]",
      "users: [{ name: u, user: { token: t } }]",
      "contexts: [{ name: gone, context: { cluster: gone, user: u } }]",
      "current-context: gone",
    ].join("\n"),
  );
  return file;
}

export interface RunningGraydesk {
  graydesk: Graydesk;
  slack: ReturnType<typeof createSlackClient>;
  baseUrl: string;
  logs: Record<string, unknown>[];
  config: Config;
  stop(): Promise<void>;
}

/**
 * Starts the real Graydesk composition in HTTP mode (or Socket Mode), talking to the Slack Web API test server, with a signed
 * request client aimed at its receiver. Logs are captured so tests can check what reached them.
 */
export async function startTestGraydesk(
  api: SlackApi,
  overrides: {
    kubeconfig?: string;
    dataDir?: string;
    policyFile?: string;
    store?: StoreKind;
    shutdownTimeoutMs?: number;
    clock?: () => Date;
    prometheusUrl?: string;
    jaegerUrl?: string;
    refreshIntervalSeconds?: number;
    /** GATE_TOKENS: the controller gates' shared token per namespace. */
    gateTokens?: Record<string, string>;
    prometheusTiming?: Config["prometheusTiming"];
    /**
     * Defaults to a quick outbox (retries from 20 ms, polled every 20 ms) so tests wait on Slack briefly, and a
     * Deployment coming up read every 20 ms (the test server's pods are ready within tens of milliseconds).
     */
    timings?: GraydeskTimings;
    /** Wraps the audit trail (a test makes it fail, as a full disk would). */
    wrapAudit?: (audit: AuditLog) => AuditLog;
    /** Socket Mode instead of the HTTP receiver: Graydesk connects to this server, `slack` sends envelopes. */
    socketMode?: SocketModeServer;
    /** CLUSTERS: several clusters by name, each a context of `kubeconfig` (see mergedKubeconfig). */
    clusters?: Config["clusters"];
  } = {},
): Promise<RunningGraydesk> {
  // A free port can be taken by another process (or an outgoing connection) before the receiver binds it:
  // then Graydesk lets go of its state and starts again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(api, overrides, await freePort());
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
}

async function startOnce(
  api: SlackApi,
  overrides: Parameters<typeof startTestGraydesk>[1] & object,
  port: number,
): Promise<RunningGraydesk> {
  const config: Config = {
    slack: overrides.socketMode
      ? {
          botToken: api.bot.token,
          mode: "socket",
          appToken: overrides.socketMode.appToken,
          port,
          apiUrl: api.url,
        }
      : { botToken: api.bot.token, mode: "http", signingSecret: SIGNING_SECRET, port, apiUrl: api.url },
    kube: { kubeconfig: overrides.kubeconfig ?? unreachableKubeconfig() },
    ...(overrides.clusters ? { clusters: overrides.clusters } : {}),
    dataDir: overrides.dataDir ?? tempDir("graydesk-data-"),
    store: overrides.store ?? "lowdb",
    logLevel: "debug",
    shutdownTimeoutMs: overrides.shutdownTimeoutMs ?? 5_000,
    ...(overrides.policyFile ? { policyFile: overrides.policyFile } : {}),
    ...(overrides.prometheusUrl ? { prometheusUrl: overrides.prometheusUrl } : {}),
    ...(overrides.jaegerUrl ? { jaegerUrl: overrides.jaegerUrl } : {}),
    ...(overrides.refreshIntervalSeconds ? { refreshIntervalSeconds: overrides.refreshIntervalSeconds } : {}),
    ...(overrides.gateTokens ? { gateTokens: overrides.gateTokens } : {}),
    ...(overrides.prometheusTiming ? { prometheusTiming: overrides.prometheusTiming } : {}),
  };
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const graydesk = await startGraydesk(config, createLogger("debug", sink), {
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...(overrides.wrapAudit ? { wrapAudit: overrides.wrapAudit } : {}),
    // Timed chart redraws are off unless a test asks for them: they upload files on their own schedule.
    timings: overrides.timings ?? {
      outbox: { retry: { firstMs: 20, maxMs: 200 }, pollMs: 20 },
      chartRedraws: false,
      readyPollMs: 20,
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const slack = createSlackClient({
    baseUrl,
    signingSecret: SIGNING_SECRET,
    api,
    ...(overrides.socketMode ? { socketMode: overrides.socketMode } : {}),
  });
  return { graydesk, slack, baseUrl, logs, config, stop: async () => void (await graydesk.stop()) };
}
