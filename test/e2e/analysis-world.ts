// The world of the analysis e2e tests: Bookinfo on the Kubernetes API test server, the mesh simulator sending
// steady traffic, a real Prometheus scraping it every second, Slack's test server and the whole of Graydesk.
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { productpageToReviews } from "../harness/mesh/bookinfo-traffic.ts";
import { MeshSimulator } from "../harness/mesh/index.ts";
import { type RunningPrometheus, startPrometheus } from "../harness/prometheus.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import { ALICE, BOB, CAROL, CHANNEL, DAVE } from "../slack/desk/world.ts";

export const NS = "bookinfo";
export const POLICY = new URL("../fixtures/e2e/analysis-policy.yaml", import.meta.url).pathname;
/** Checks over a 10 s window of 1 s scrapes: settling after a change takes 12 s. */
export const TIMING = { rateWindowSeconds: 10, scrapeIntervalSeconds: 1 };
export const SETTLE_MS = 12_000;

export interface AnalysisWorld {
  kube: KubeTestServer;
  api: SlackApiServer;
  app: RunningGraydesk;
  mesh: MeshSimulator;
  prometheus: RunningPrometheus;
  close(): Promise<void>;
}

export async function startAnalysisWorld(seed: number): Promise<AnalysisWorld> {
  const kube = await startKubeServer({ podReadyDelayMs: 5 });
  await loadBookinfo(kube.kubeConfig(), NS, { reviewsVersions: ["v1"], withDestinationRule: true });
  const mesh = new MeshSimulator({ kubeConfig: kube.kubeConfig(), namespaces: [NS], seed });
  const served = await mesh.serve();
  const prometheus = await startPrometheus({ scrapeTargets: [served.target], scrapeIntervalSeconds: 1 });
  const api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  const app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    prometheusUrl: prometheus.url,
    prometheusTiming: TIMING,
    // Checks are the refreshes the test runs itself; the timer would add some at moments of its own.
    refreshIntervalSeconds: 3600,
  });
  mesh.startTraffic({ rps: 150, requests: (i) => productpageToReviews(NS, i) });
  return {
    kube,
    api,
    app,
    mesh,
    prometheus,
    async close() {
      await mesh.close();
      await app.stop();
      await prometheus.close();
      await api.close();
      await kube.close();
    },
  };
}

type Block = { block_id?: string; text?: { text: string }; elements?: Record<string, unknown>[] };
export const blocksOf = (m: StoredMessage) => (m.blocks ?? []) as Block[];
export const blockText = (m: StoredMessage, id: string) =>
  String(blocksOf(m).find((b) => b.block_id === id)?.text?.text ?? "");

/** Breach and recovery posts in job threads. */
export function analysisPosts(api: SlackApiServer): StoredMessage[] {
  return api
    .messages(CHANNEL)
    .filter((m) => m.thread_ts && blocksOf(m).some((b) => b.block_id === "breach_section"));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
