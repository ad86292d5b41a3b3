import { CustomObjectsApi } from "@kubernetes/client-node";
import type { ReleaseJob } from "../../../src/release/index.ts";
import { loadBookinfo } from "../../harness/bookinfo.ts";
import { startTestCluster } from "../../harness/envtest/cluster.ts";
import { type RunningGraydesk, startTestGraydesk } from "../../harness/graydesk.ts";
import type { KubeTestServer, KubeTestServerOptions } from "../../harness/kube/index.ts";
import {
  ACK_BOUND_MS,
  type SlackApiServer,
  type SocketModeServer,
  type StoredMessage,
  startSlackApiServer,
  startSocketModeServer,
} from "../../harness/slack/index.ts";

export const ALICE = { id: "U0ALICE", name: "alice" };
export const BOB = { id: "U0BOB", name: "bob" };
export const CAROL = { id: "U0CAROL", name: "carol" };
export const DAVE = { id: "U0DAVE", name: "dave" };
export const CHANNEL = "C0RELEASES";
export const POLICY = new URL("../../fixtures/desk/policy.yaml", import.meta.url).pathname;

/** The seed 004 world: Bookinfo with reviews v1 in a Kubernetes test server, Slack, Graydesk, a movable clock. */
export interface World {
  kube: KubeTestServer;
  api: SlackApiServer;
  app: RunningGraydesk;
  clock: { now: number; advance(ms: number): void };
  /** Present when Graydesk runs in Socket Mode (`startWorld({ socketMode: true })`). */
  socket?: SocketModeServer;
  close(): Promise<void>;
}

export async function startWorld(
  opts: {
    socketMode?: boolean;
    server?: KubeTestServerOptions;
    reviewsVersions?: string[];
    policyFile?: string;
    /**
     * Poll interval of readiness waits (default 20 ms); with a watch, pods are listed after two of them while a new
     * version is not ready: a test counting requests sets it far beyond its own length.
     */
    readyPollMs?: number;
  } = {},
): Promise<World> {
  const kube = await startTestCluster({ podReadyDelayMs: 20, ...opts.server });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", {
    reviewsVersions: opts.reviewsVersions ?? ["v1"],
    withDestinationRule: opts.server?.crds?.includes("istio") ?? true,
  });
  const api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  // Late means later than the tests' ack bound: Slack's 3 s is for the benchmark (see ACK_BOUND_MS).
  const socket = opts.socketMode
    ? await startSocketModeServer(api, { ackTimeoutMs: ACK_BOUND_MS })
    : undefined;
  const app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: opts.policyFile ?? POLICY,
    clock: () => new Date(clock.now),
    ...(socket ? { socketMode: socket } : {}),
    ...(opts.readyPollMs
      ? {
          timings: {
            outbox: { retry: { firstMs: 20, maxMs: 200 }, pollMs: 20 },
            chartRedraws: false,
            readyPollMs: opts.readyPollMs,
          },
        }
      : {}),
  });
  return {
    kube,
    api,
    app,
    clock,
    ...(socket ? { socket } : {}),
    async close() {
      await app.stop();
      await socket?.close();
      await api.close();
      await kube.close();
    },
  };
}

/** Creates a reviews canary job the way the wizard does, and posts its card. */
export async function createReviewsJob(world: World, name: string, user = ALICE.id): Promise<ReleaseJob> {
  const { desk, cards } = world.app.graydesk.deps;
  const job = await desk.createJob(
    {
      name,
      namespace: "bookinfo",
      app: "bookinfo",
      service: "reviews",
      strategy: "canary",
      newVersion: {
        version: "v2",
        settings: {
          replicas: 1,
          containers: {
            mode: "replace-image",
            images: { reviews: "kubesphere/example-bookinfo-reviews-v2:1.16.2" },
          },
        },
      },
      channel: CHANNEL,
    },
    user,
  );
  await cards.post(job, CHANNEL);
  return desk.waitDeployed(job.id, 10_000);
}

/**
 * Polls `read` until it gives a value (not undefined or false). The default wait is generous: only something that
 * never happens takes it, and a loaded 2-core machine took more than 5 s for an approval message to appear.
 */
export async function until<T>(
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      // Not there yet (a 404 before the first write): keep polling until the deadline.
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError ?? new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The latest approval request message for a job in a channel (thread replies included). */
export function approvalMessage(api: SlackApiServer, channel = CHANNEL): StoredMessage | undefined {
  return api
    .messages(channel)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes('"approval_title"'))
    .at(-1);
}

export async function reviewsWeights(kube: KubeTestServer): Promise<Record<string, number>> {
  const api = kube.kubeConfig().makeApiClient(CustomObjectsApi);
  const vs = (await api.getNamespacedCustomObject({
    group: "networking.istio.io",
    version: "v1",
    namespace: "bookinfo",
    plural: "virtualservices",
    name: "reviews",
  })) as { spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] } };
  const weights: Record<string, number> = {};
  for (const route of vs.spec.http.at(-1)?.route ?? [])
    weights[route.destination.subset] = route.weight ?? 100;
  return weights;
}

/** Writes (not reads, not dry runs) to VirtualServices the test server saw. */
export function virtualServiceWrites(kube: KubeTestServer): number {
  return kube.requests.filter(
    (r) =>
      r.resource === "virtualservices" &&
      !["get", "list", "watch"].includes(r.verb) &&
      !r.path.includes("dryRun"),
  ).length;
}

/** A desk whose channel is set to bookinfo, with one reviews job Alice created: where the safety tests start. */
export async function startWorldWithReviewsJob(name: string): Promise<World> {
  const world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  await createReviewsJob(world, name);
  return world;
}
