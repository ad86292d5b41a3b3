import { rmSync } from "node:fs";
import path from "node:path";
import { AppsV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { loadBookinfo } from "../test/harness/bookinfo.ts";
import type { KubeTestServer } from "../test/harness/kube/index.ts";
import { freePort, type SlackApiServer } from "../test/harness/slack/index.ts";
import { startGraydeskProcess } from "./graydesk-process.ts";
import { type Seed, seedDataDir, seededCardTs, seededNamespace } from "./seed-state.ts";
import { emit, round } from "./stats.ts";
import { benchConfig, CHANNEL, startServers } from "./world.ts";

/** 5,000 live jobs over 50 namespaces (100 each, all on Bookinfo's reviews), 50,000 finished ones. */
const SEED: Seed = { active: 5_000, finished: 50_000, namespace: "team", namespaces: 50, cardsIn: CHANNEL };
/** The timer stays out of the way: the bench starts each round itself. */
const QUIET = { refreshIntervalSeconds: 3600 };

/** Each namespace as a live job finds it: Bookinfo with reviews v1 and v2, and the job's VirtualService. */
async function loadNamespaces(kube: KubeTestServer, seed: Seed): Promise<void> {
  const kc = kube.kubeConfig(undefined, { plainHttp: true });
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (let n = 0; n < (seed.namespaces ?? 1); n++) {
    const namespace = seededNamespace(seed, n);
    await loadBookinfo(kc, namespace, { reviewsVersions: ["v1", "v2"], withDestinationRule: true });
    await custom.createNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace,
      plural: "virtualservices",
      body: {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "reviews", namespace },
        spec: {
          hosts: ["reviews"],
          http: [
            {
              route: [
                { destination: { host: "reviews", subset: "v1" }, weight: 80 },
                { destination: { host: "reviews", subset: "v2" }, weight: 20 },
              ],
            },
          ],
        },
      },
    });
  }
}

/** The live jobs' cards as Graydesk posted them earlier (it updates them in place). */
function postCards(api: SlackApiServer, seed: Seed): void {
  for (let i = 0; i < seed.active; i++)
    api.addMessage({
      type: "message",
      channel: CHANNEL,
      ts: seededCardTs(i),
      user: api.bot.userId,
      bot_id: api.bot.botId,
      text: `svc-${i}`,
      blocks: [],
    });
}

/** Requests to the Kubernetes API by verb and resource (discovery and "may I?" reviews aside). */
function kubeRequests(kube: KubeTestServer): { total: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const r of kube.requests) {
    if (!r.resource || r.resource === "selfsubjectaccessreviews") continue;
    const key = `${r.verb} ${r.resource}`;
    byKind[key] = (byKind[key] ?? 0) + 1;
    total++;
  }
  return { total, byKind };
}

/**
 * One round of Graydesk's own live-card refresher (the one its timer runs every 60 s), in Graydesk's process as
 * `npm start` runs it, with 5,000 live jobs over 50 namespaces, their cards posted, and 50,000 finished jobs in
 * the store: the first round after start-up (no card hash kept yet: every card waits its turn, 40 a round as
 * Slack's Tier 3 allows chat.update), a round where nothing
 * changed, a round after the new version of one namespace's jobs was scaled up (100 cards change), and the first
 * round of a new process on the same DATA_DIR, nothing changed. Per round: wall time, Kubernetes requests (counted at the test server) and
 * Slack calls.
 */
export async function benchRefreshRound(seed: Seed = SEED): Promise<void> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  try {
    await loadNamespaces(kube, seed);
    const config = { ...benchConfig(api, kubeconfigPath, dir, await freePort()), ...QUIET };
    seedDataDir(config.dataDir, seed);
    postCards(api, seed);
    const start = () => startGraydeskProcess(config, path.join(dir, "graydesk.log"));
    let graydesk = await start();
    try {
      // The new version of the first namespace's jobs scaled up: their cards show 2 replicas instead of 1.
      const scaled = async () => {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({
          namespace: seededNamespace(seed, 0),
          name: "reviews-v2",
          body: [{ op: "replace", path: "/spec/replicas", value: 2 }],
        });
        await new Promise((r) => setTimeout(r, 500));
      };
      // A new process on the same DATA_DIR: only what the store kept tells it which cards are current.
      const restarted = async () => {
        await graydesk.stop();
        graydesk = await start();
      };
      const rounds: [string, (() => Promise<void>) | undefined][] = [
        ["first after start-up, no card drawn by this store yet", undefined],
        ["nothing changed", undefined],
        ["one namespace's new version scaled up", scaled],
        ["first after a restart, nothing changed", restarted],
      ];
      for (const [what, before] of rounds) {
        await before?.();
        kube.resetRequests();
        const from = api.calls.length;
        const { summary, ms } = await graydesk.refresh();
        const requests = kubeRequests(kube);
        const slackCalls: Record<string, number> = {};
        for (const call of api.calls.slice(from))
          slackCalls[call.method] = (slackCalls[call.method] ?? 0) + 1;
        emit({
          bench: "refresh-round",
          what,
          activeJobs: seed.active,
          finishedJobs: seed.finished,
          namespaces: seed.namespaces ?? 1,
          wallMs: round(ms, 0),
          kubeRequests: requests.total,
          kubeRequestsByKind: requests.byKind,
          slackCalls,
          summary,
          target:
            "round < 5000 ms; requests independent of the number of jobs; chat.update only for changed cards, at most 40 a round (Slack's Tier 3)",
          met: ms < 5000 && (slackCalls["chat.update"] ?? 0) <= 40,
        });
      }
    } finally {
      await graydesk.stop();
    }
  } finally {
    await api.close();
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `node bench/refresh-round.ts [active jobs] [finished jobs] [namespaces]` */
if (import.meta.main) {
  const [active, finished, namespaces] = process.argv.slice(2).map(Number);
  await benchRefreshRound({
    ...SEED,
    ...(active ? { active } : {}),
    ...(finished !== undefined && !Number.isNaN(finished) ? { finished } : {}),
    ...(namespaces ? { namespaces } : {}),
  });
}
