// A cluster whose kubeconfig is kept in a Secret of the main cluster (as a host cluster keeps its members'):
// CLUSTERS=main=graydesk-test,member=secret:graydesk/member-kubeconfig.
import { readFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBookinfo } from "../../harness/bookinfo.ts";
import { startTestGraydesk } from "../../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../../harness/slack/index.ts";

let main: KubeTestServer;
let member: KubeTestServer;
let api: SlackApiServer;

beforeAll(async () => {
  main = await startKubeServer();
  member = await startKubeServer();
  await loadBookinfo(member.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  const core = main.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "graydesk" } } });
  await core.createNamespacedSecret({
    namespace: "graydesk",
    body: {
      metadata: { name: "member-kubeconfig" },
      data: { kubeconfig: readFileSync(member.kubeconfigPath).toString("base64") },
    },
  });
  api = await startSlackApiServer();
});
afterAll(async () => {
  await api?.close();
  await main?.close();
  await member?.close();
});

const clusters = (secret: string) => [
  { name: "main", context: "graydesk-test" },
  { name: "member", secret: { namespace: "graydesk", name: secret } },
];

describe("a cluster from a kubeconfig Secret", () => {
  it("is read through the main cluster at start-up, checked by readiness and released into", async () => {
    const app = await startTestGraydesk(api, {
      kubeconfig: main.kubeconfigPath,
      clusters: clusters("member-kubeconfig"),
    });
    try {
      const res = await fetch(`${app.baseUrl}/readyz`);
      expect(await res.json()).toEqual({ status: "ready", failures: [] });
      const { desk } = app.graydesk.deps;
      expect(await desk.namespaces()).toContain("member/bookinfo");
      const services = await desk.services("member/bookinfo", "bookinfo");
      expect(services.map((s) => s.name)).toContain("reviews");
    } finally {
      await app.stop();
    }
  });

  it("refuses to start when the Secret is missing, naming it", async () => {
    await expect(
      startTestGraydesk(api, { kubeconfig: main.kubeconfigPath, clusters: clusters("nowhere") }),
    ).rejects.toThrow("cluster member: could not read Secret graydesk/nowhere (404)");
  });
});
