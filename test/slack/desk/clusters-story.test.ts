// One Slack desk for two clusters (two Kubernetes test servers as the contexts staging and prod-eu of one
// kubeconfig, CLUSTERS=staging=staging,prod-eu=prod-eu): a staging shift applies after one approval, a prod-eu
// shift needs two; with prod-eu's server stopped, readiness names it, staging keeps working, and the digest lists
// both clusters' jobs with prod-eu's marked "cluster unreachable".
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import { loadBookinfo } from "../../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../../harness/graydesk.ts";
import { type KubeTestServer, mergedKubeconfig, startKubeServer } from "../../harness/kube/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../../harness/slack/index.ts";
import { tempDir } from "../../harness/temp-dir.ts";
import { ALICE, approvalMessage, BOB, CAROL, CHANNEL, DAVE, until } from "./world.ts";

const POLICY = `
defaults:
  requesters: { users: [U0ALICE] }
  approvers: { users: [U0BOB, U0DAVE] }
clusters:
  prod-eu:
    defaults: { approvals: 2 }
`;

const servers: Record<string, KubeTestServer> = {};
let api: SlackApiServer;
let app: RunningGraydesk;
let dir: string;
const jobs: Record<string, ReleaseJob> = {};

async function weights(cluster: string): Promise<Record<string, number>> {
  const custom = (servers[cluster] as KubeTestServer).kubeConfig().makeApiClient(CustomObjectsApi);
  const vs = (await custom.getNamespacedCustomObject({
    group: "networking.istio.io",
    version: "v1",
    namespace: "bookinfo",
    plural: "virtualservices",
    name: "reviews",
  })) as { spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] } };
  return Object.fromEntries(
    (vs.spec.http.at(-1)?.route ?? []).map((r) => [r.destination.subset, r.weight ?? 100]),
  );
}

async function ask(text: string): Promise<StoredMessage> {
  const before = approvalMessage(api)?.ts;
  await app.slack.command("/release", text, { user: ALICE });
  return until(() => {
    const m = approvalMessage(api);
    return m && m.ts !== before ? m : undefined;
  }, 15_000);
}

const ephemeralTo = (user: { id: string }, containing: string) =>
  until(() => api.ephemerals(user.id).find((e) => String(e.text).includes(containing)), 15_000);

beforeAll(async () => {
  dir = tempDir("graydesk-two-clusters-");
  for (const name of ["staging", "prod-eu"]) {
    const server = await startKubeServer({ podReadyDelayMs: 20 });
    servers[name] = server;
    await loadBookinfo(server.kubeConfig(), "bookinfo", {
      reviewsVersions: ["v1"],
      withDestinationRule: true,
    });
  }
  const kubeconfig = mergedKubeconfig(join(dir, "kubeconfig.yaml"), {
    staging: (servers.staging as KubeTestServer).kubeconfigPath,
    "prod-eu": (servers["prod-eu"] as KubeTestServer).kubeconfigPath,
  });
  writeFileSync(join(dir, "policy.yaml"), POLICY);
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  app = await startTestGraydesk(api, {
    kubeconfig,
    clusters: [
      { name: "staging", context: "staging" },
      { name: "prod-eu", context: "prod-eu" },
    ],
    policyFile: join(dir, "policy.yaml"),
    dataDir: join(dir, "data"),
  });
  const { desk, cards } = app.graydesk.deps;
  for (const cluster of ["staging", "prod-eu"]) {
    const job = await desk.createJob(
      {
        name: "reviews-v2",
        namespace: `${cluster}/bookinfo`,
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
      ALICE.id,
    );
    await cards.post(job, CHANNEL);
    jobs[cluster] = await desk.waitDeployed(job.id, 10_000);
  }
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
  for (const server of Object.values(servers)) await server.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("one Slack desk for two clusters", () => {
  it("readiness reports each cluster", async () => {
    const res = await fetch(`${app.baseUrl}/readyz`);
    expect(await res.json()).toEqual({ status: "ready", failures: [] });
    expect(jobs.staging).toMatchObject({ cluster: "staging", state: "ready" });
    expect(jobs["prod-eu"]).toMatchObject({ cluster: "prod-eu", state: "ready" });
  });

  it("a staging shift applies after one approval", async () => {
    const request = await ask("shift staging/bookinfo/reviews-v2 20");
    await app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(async () => (await weights("staging")).v2 === 20, 15_000);
    expect(await weights("prod-eu")).toEqual({ v1: 100, v2: 0 });
  });

  it("a prod-eu shift needs two approvals; Home names the request's cluster", async () => {
    const request = await ask("shift prod-eu/bookinfo/reviews-v2 10");
    await app.slack.appHomeOpened({ user: BOB });
    const home = await until(() => api.home(BOB.id), 15_000);
    expect(JSON.stringify(home.blocks)).toContain("prod-eu/bookinfo/reviews-v2");
    await app.slack.clickButton(request, "approval_approve", { user: BOB });
    await ephemeralTo(BOB, "1 more approval is needed");
    expect(await weights("prod-eu")).toEqual({ v1: 100, v2: 0 });
    await app.slack.clickButton(request, "approval_approve", { user: DAVE });
    await until(async () => (await weights("prod-eu")).v2 === 10, 15_000);
    expect(await weights("staging")).toEqual({ v1: 80, v2: 20 });
  });

  it("with prod-eu's server stopped, readiness names it and staging still applies", async () => {
    await servers["prod-eu"]?.close();
    // Readiness answers are kept 5 s, so a probe every second does not load the API servers.
    const body = await until(async () => {
      const res = await fetch(`${app.baseUrl}/readyz`);
      return res.status === 503 ? ((await res.json()) as { failures: string[] }) : undefined;
    }, 15_000);
    expect(body.failures).toEqual([expect.stringMatching(/^kubernetes prod-eu/)]);
    const { cards } = app.graydesk.deps;
    // A status read just now may still be reused for a moment; the next card drawn after that says it.
    const prodCard = await until(async () => {
      const text = JSON.stringify((await cards.render((jobs["prod-eu"] as ReleaseJob).id))?.card.blocks);
      return text.includes("cluster unreachable") ? text : undefined;
    }, 15_000);
    expect(prodCard).toContain("*cluster unreachable*: cluster prod-eu did not answer");
    expect(prodCard).toContain("`prod-eu/bookinfo/reviews`");
    const stagingCard = JSON.stringify((await cards.render((jobs.staging as ReleaseJob).id))?.card.blocks);
    expect(stagingCard).not.toContain("cluster unreachable");
    expect(stagingCard).toContain("`staging/bookinfo/reviews`");
    const request = await ask("shift staging/bookinfo/reviews-v2 40");
    await app.slack.clickButton(request, "approval_approve", { user: DAVE });
    await until(async () => (await weights("staging")).v2 === 40, 15_000);
  });

  it("the digest lists both clusters' jobs, prod-eu's marked cluster unreachable", async () => {
    await app.graydesk.schedules.postDigest(CHANNEL);
    const digest = await until(() =>
      api.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? []).includes("Release digest")),
    );
    const text = JSON.stringify(digest.blocks);
    expect(text).toContain('"text":"prod-eu/bookinfo"');
    expect(text).toContain('"text":"staging/bookinfo"');
    expect(text).toContain("cluster unreachable: cluster prod-eu did not answer");
    expect(text).toMatch(/configured v1 60% \/ v2 40%/);
  });
});
