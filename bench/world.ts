import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { Config } from "../src/config.ts";
import { loadBookinfo } from "../test/harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../test/harness/kube/index.ts";
import {
  createSlackClient,
  freePort,
  type SlackApiServer,
  type SlackClient,
  type StoredMessage,
  startSlackApiServer,
} from "../test/harness/slack/index.ts";
import { type GraydeskProcess, startGraydeskProcess } from "./graydesk-process.ts";
import { signedRequests } from "./signed-requests.ts";

export const SIGNING_SECRET = "graydesk-bench-signing-secret";
export const ALICE = { id: "U0ALICE", name: "alice" };
export const BOB = { id: "U0BOB", name: "bob" };
export const CHANNEL = "C0RELEASES";

/** Alice, Bob and Dave may ask in bookinfo, Bob and Dave approve; requests also go to the approvers' channel. */
const POLICY = new URL("../test/fixtures/desk/policy.yaml", import.meta.url).pathname;

/**
 * Graydesk as production starts it (HTTP mode, info logs to a file) in its own process, over Bookinfo and the
 * Slack test server in this one: as in production, the servers' work does not share Graydesk's event loop.
 */
export interface BenchWorld {
  kube: KubeTestServer;
  api: SlackApiServer;
  graydesk: GraydeskProcess;
  slack: SlackClient;
  baseUrl: string;
  /** Plain HTTP, as Graydesk's own kubeconfig: both sides of a comparison pay the same transport. */
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** The Kubernetes test server with Bookinfo (reviews v1) and the Slack Web API test server. */
export async function startServers() {
  const kube = await startKubeServer({ podReadyDelayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), "graydesk-bench-"));
  // client-node opens a connection per request: TLS handshakes would dominate every figure.
  const kubeconfigPath = writePlainKubeconfig(path.join(dir, "kubeconfig.yaml"), kube.url, kube.adminToken);
  await loadBookinfo(kube.kubeConfig(undefined, { plainHttp: true }), "bookinfo", {
    reviewsVersions: ["v1"],
    withDestinationRule: true,
  });
  const api = await startSlackApiServer();
  api.setUsers([ALICE, BOB]);
  return { kube, api, dir, kubeconfigPath };
}

/** Graydesk's settings as production reads them from the environment: HTTP mode, info logs, lowdb store. */
export function benchConfig(api: SlackApiServer, kubeconfigPath: string, dir: string, port: number): Config {
  return {
    slack: { botToken: api.bot.token, mode: "http", signingSecret: SIGNING_SECRET, port, apiUrl: api.url },
    kube: { kubeconfig: kubeconfigPath },
    dataDir: path.join(dir, "data"),
    store: "lowdb",
    logLevel: "info",
    policyFile: POLICY,
    shutdownTimeoutMs: 5_000,
  };
}

export { startBenchGraydesk } from "./graydesk-start.ts";

export interface BenchWorldOptions {
  /** Fills DATA_DIR before Graydesk starts (a store of a given size). */
  seed?: (dataDir: string) => void;
  /** Settings beside the production ones (e.g. a longer card refresh interval). */
  config?: Partial<Config>;
  /** Node's flags for Graydesk's process; those of `npm start` when absent. */
  nodeFlags?: string[];
}

export async function startBenchWorld(options: BenchWorldOptions = {}): Promise<BenchWorld> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  const port = await freePort();
  const config = { ...benchConfig(api, kubeconfigPath, dir, port), ...options.config };
  options.seed?.(config.dataDir);
  const graydesk = await startGraydeskProcess(config, path.join(dir, "graydesk.log"), options.nodeFlags);
  const baseUrl = `http://127.0.0.1:${port}`;
  const slack = createSlackClient({ baseUrl, signingSecret: SIGNING_SECRET, api });
  return {
    kube,
    api,
    graydesk,
    slack,
    baseUrl,
    kubeconfigPath,
    async close() {
      await graydesk.stop();
      await api.close();
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `read` gives a value; bounded by `timeoutMs`. */
export async function until<T>(
  read: () => T | undefined,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function approvalMessage(api: SlackApiServer): StoredMessage | undefined {
  return api
    .messages(CHANNEL)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes('"approval_title"'))
    .at(-1);
}

export function jobCard(api: SlackApiServer): StoredMessage | undefined {
  return api.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? []).includes('"job_card_title"'));
}

/** Waits until Graydesk finished the work it started after its acks, so one round does not load the next. */
export function settle(graydesk: GraydeskProcess): Promise<void> {
  return graydesk.settle();
}

/**
 * Alice asks with a command and Bob approves with the button; resolves with the pending request message
 * (as it was before the decision) once the request is applied.
 */
export async function askAndApprove(
  world: Pick<BenchWorld, "api" | "slack">,
  command: string,
): Promise<StoredMessage> {
  const { api, slack } = world;
  const before = approvalMessage(api)?.ts;
  const asked = await slack.command("/release", command, { user: ALICE });
  if (asked.status !== 200) throw new Error(`/release ${command} answered ${asked.status}`);
  const request = structuredClone(
    await until(
      () => {
        const m = approvalMessage(api);
        return m && m.ts !== before ? m : undefined;
      },
      30_000,
      `approval request for "${command}"`,
    ),
  );
  await slack.clickButton(request, "approval_approve", { user: BOB });
  await until(
    () => (JSON.stringify(api.message(CHANNEL, request.ts)?.blocks).includes("Applied") ? true : undefined),
    30_000,
    `"${command}" applied`,
  );
  return request;
}

/**
 * A press of Approve on `request`, built and signed up front as Slack sends it: the function posts it and
 * resolves with its ack, so a timing taken around it starts when the click leaves Slack, not while the bench
 * builds the payload (the floor's PATCH is likewise built before it is timed).
 */
export function preparedApprove(
  world: Pick<BenchWorld, "api" | "baseUrl">,
  request: StoredMessage,
  user: { id: string; name: string } = BOB,
): () => Promise<{ ackMs: number; status: number }> {
  const signed = signedRequests(world.api, SIGNING_SECRET, CHANNEL).click(
    "approve",
    user,
    request,
    "approval_approve",
  );
  return async () => {
    const started = performance.now();
    const res = await fetch(`${world.baseUrl}/slack/events`, {
      method: "POST",
      headers: signed.headers,
      body: signed.body,
    });
    const ackMs = performance.now() - started;
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`Approve answered ${res.status}`);
    return { ackMs, status: res.status };
  };
}

export const NEW_JOB =
  "new canary bookinfo/reviews name=reviews-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20";

/** client-node refuses plain HTTP unless TLS verification is explicitly off. */
function writePlainKubeconfig(file: string, server: string, token: string): string {
  const yaml = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "bench", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "bench", user: { token } }],
    contexts: [{ name: "bench", context: { cluster: "bench", user: "bench", namespace: "default" } }],
    "current-context": "bench",
  });
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

export function createBenchSlackClient(api: SlackApiServer, baseUrl: string): SlackClient {
  return createSlackClient({ baseUrl, signingSecret: SIGNING_SECRET, api });
}
