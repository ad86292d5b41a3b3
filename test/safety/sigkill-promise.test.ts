// Graydesk is SIGKILLed while a new version is coming up, after it told the creator "once it is ready,
// Graydesk asks for approval…". The promise is in the store with the job: the next process opens that request
// when the version is ready, once, and a further restart does not open it again.
import { rmSync } from "node:fs";
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { readStateDir } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { type Replica, startReplica } from "../replicas/replica-process.ts";
import { ALICE, BOB, CAROL, CHANNEL, DAVE, POLICY, reviewsWeights, until } from "../slack/desk/world.ts";

const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";
// Long enough to kill the first process while the new version is still coming up.
const POD_READY_MS = 3_000;

let kube: KubeTestServer;
let api: SlackApiServer;
let dataDir: string;
const running: Replica[] = [];

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: POD_READY_MS, progressDeadlineMs: 60_000 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dataDir = tempDir("graydesk-sigkill-promise-");
}, 30_000);
afterAll(async () => {
  for (const r of running) await r.kill();
  await api?.close();
  await kube?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const APPROVE_NEW = new URL("../fixtures/desk/policy-approve-new.yaml", import.meta.url).pathname;

async function start(name: string, policyFile = POLICY): Promise<Replica> {
  const replica = await startReplica(name, {
    api,
    botToken: api.bot.token,
    kubeconfig: kube.kubeconfigPath,
    policyFile,
    leaseDurationSeconds: 15,
    dataDir,
    store: "lowdb",
  });
  running.push(replica);
  return replica;
}

function stored(): { jobs: Record<string, ReleaseJob>; approvals: Record<string, Record<string, unknown>> } {
  try {
    return readStateDir(dataDir) as unknown as ReturnType<typeof stored>;
  } catch {
    return { jobs: {}, approvals: {} };
  }
}

const promisedJob = () => Object.values(stored().jobs).find((j) => j.name === "reviews-promise");
const requestsOf = (jobId: string) =>
  Object.values(stored().approvals).filter((r) => r.jobId === jobId && r.operation !== undefined);
const requestMessages = () =>
  api.messages(CHANNEL).filter((m) => String(m.text).startsWith("shift traffic to v1 80 %, v2 20 %"));

describe("SIGKILL while the new version comes up", () => {
  it("the restarted process opens the promised first approval request once", async () => {
    const first = await start("creator");
    await first.slack.command(
      "/release",
      `new canary bookinfo/reviews version=v2 image=${IMAGE} name=reviews-promise weight=20`,
      { user: ALICE },
    );
    // The job and its promise are stored before the Deployment exists; kill as soon as they are.
    const job = await until(() => {
      const found = promisedJob();
      return found?.state === "deploying" && found.promised?.state === "promised" ? found : undefined;
    }, 10_000);
    await first.kill();
    expect(promisedJob()?.state).toBe("deploying");
    expect(requestsOf(job.id)).toEqual([]);
    expect(job.promised).toMatchObject({
      by: ALICE.id,
      traffic: { kind: "weights", weights: { v1: 80, v2: 20 } },
    });
    // The job's recorded traffic is what the routes hold, not the promise.
    expect(job.traffic).toEqual({ kind: "weights", weights: { v1: 100, v2: 0 } });

    const second = await start("after-kill");
    await until(() => (requestMessages().length > 0 ? true : undefined), 20_000);
    await until(() => (promisedJob()?.promised?.state === "opened" ? true : undefined), 10_000);
    const opened = requestsOf(job.id);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ requestedBy: ALICE.id, state: "pending", promiseOf: job.id });
    expect(promisedJob()?.promised?.requestId).toBe(opened[0]?.id);
    // Nothing moved: the request waits for an approver.
    expect(await reviewsWeights(kube)).toEqual({ v1: 100, v2: 0 });
    await second.kill();

    // Another restart finds the promise kept and opens nothing more.
    const third = await start("again");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(requestsOf(job.id)).toHaveLength(1);
    expect(requestMessages()).toHaveLength(1);
    await third.kill();
  }, 90_000);
});

describe("SIGKILL between the approval of a new version and its Deployment", () => {
  const gatedJob = () => Object.values(stored().jobs).find((j) => j.name === "ratings-gated");
  const deploymentCreates = () =>
    kube.requests.filter(
      (r) => r.resource === "deployments" && r.verb === "create" && r.namespace === "bookinfo",
    );

  it("the restarted process creates it once, then opens the promised request once", async () => {
    const first = await start("approval", APPROVE_NEW);
    await first.slack.command(
      "/release",
      `new canary bookinfo/ratings version=v2 image=docker.io/istio/examples-bookinfo-ratings-v2:1.20.3 name=ratings-gated weight=10`,
      { user: ALICE },
    );
    const job = await until(() => {
      const found = gatedJob();
      return found?.state === "awaiting-approval" ? found : undefined;
    }, 10_000);
    const request = await until(() => requestsOf(job.id).find((r) => r.state === "pending"));
    // The Deployment's create never answers: the process dies after the approval, before the Deployment exists.
    kube.faults.add({ verb: "create", resource: "deployments", kind: "hang" });
    const message = await until(() =>
      api
        .messages(CHANNEL)
        .find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"${String(request.id)}"`)),
    );
    const creates = deploymentCreates().length;
    await first.slack.clickButton(message, "approval_approve", { user: BOB });
    await until(() => (deploymentCreates().length > creates ? true : undefined), 20_000);
    await first.kill();
    kube.faults.clear();
    expect(gatedJob()?.state).toBe("deploying");
    const apps = kube.kubeConfig().makeApiClient(AppsV1Api);
    const names = async () =>
      (await apps.listNamespacedDeployment({ namespace: "bookinfo" })).items.map((d) => d.metadata?.name);
    expect(await names()).not.toContain("ratings-v2");

    const second = await start("after-approval-kill", APPROVE_NEW);
    await until(async () => ((await names()).includes("ratings-v2") ? true : undefined), 20_000);
    await until(() => (gatedJob()?.state === "ready" ? true : undefined), 20_000);
    await until(() => (gatedJob()?.promised?.state === "opened" ? true : undefined), 20_000);
    expect((await names()).filter((n) => n === "ratings-v2")).toHaveLength(1);
    const requests = requestsOf(job.id);
    expect(requests.find((r) => r.id === request.id)).toMatchObject({ state: "applied" });
    expect(requests.filter((r) => r.promiseOf === job.id)).toHaveLength(1);
    await second.kill();

    // Another start deploys nothing more and opens nothing more.
    const third = await start("again-after-approval", APPROVE_NEW);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await names()).filter((n) => n === "ratings-v2")).toHaveLength(1);
    expect(requestsOf(job.id)).toHaveLength(2);
    await third.kill();
  }, 120_000);
});
