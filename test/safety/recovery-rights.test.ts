// What Graydesk does later on someone's behalf is judged under the policy as it is then, not as it was: a restart
// under a policy that took a right away keeps a promised first request closed, and a schedule tick stops a
// schedule whose approver lost the approve right. Nothing moves; the job says why; the trail records it.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import type { StepSchedule } from "../../src/schedule/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { ALICE, BOB, CAROL, CHANNEL, DAVE, POLICY, reviewsWeights, until } from "../slack/desk/world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let dir: string;
const running: RunningGraydesk[] = [];

/** Today's policies: the Bookinfo one with Alice, or Bob, no longer in their list. */
const policy = (name: string, requesters: string, approvers: string) => {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      "defaults: { approveNewVersions: false }",
      "namespaces:",
      "  bookinfo:",
      `    requesters: { users: [${requesters}] }`,
      `    approvers: { users: [${approvers}] }`,
    ].join("\n"),
  );
  return file;
};

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 1_500 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dir = tempDir("graydesk-recovery-rights-");
}, 30_000);
afterAll(async () => {
  for (const app of running) await app.stop().catch(() => undefined);
  await api?.close();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string, policyFile: string): Promise<RunningGraydesk> {
  const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile, dataDir });
  running.push(app);
  return app;
}

const input = (service: "reviews" | "ratings", name: string) => ({
  name,
  namespace: "bookinfo",
  app: "bookinfo",
  service,
  strategy: "canary" as const,
  newVersion: {
    version: "v2",
    settings: {
      replicas: 1,
      containers: {
        mode: "replace-image" as const,
        images: { [service]: `docker.io/istio/examples-bookinfo-${service}-v2:1.20.3` },
      },
    },
  },
  channel: CHANNEL,
});

describe("recovery paths judge the recorded people under today's policy", () => {
  it("the promise sweep: a creator who lost the request right gets no request opened for them", async () => {
    const dataDir = path.join(dir, "promise");
    const first = await start(dataDir, POLICY);
    const { desk, cards } = first.graydesk.deps;
    const job = await desk.createJob(
      { ...input("reviews", "reviews-promised"), requestedTraffic: weights(80, 20) },
      ALICE.id,
    );
    await cards.post(job, CHANNEL);
    // Stopped while v2 comes up: the promise waits in the store.
    await first.stop();
    expect(stored(first, job.id)?.promised?.state).toBe("promised");

    const second = await start(dataDir, policy("alice-gone", "U0BOB, U0DAVE", "U0BOB, U0DAVE"));
    const after = await until(() => {
      const found = second.graydesk.deps.desk.job(job.id);
      return found?.promised?.state === "broken" ? found : undefined;
    }, 20_000);
    expect(after.state).toBe("ready");
    expect(after.promised?.problem).toContain(
      "You need the *request* right to request changes in namespace bookinfo",
    );
    expect(second.graydesk.deps.approvals.gate.all().filter((r) => r.jobId === job.id)).toEqual([]);
    expect(await reviewsWeights(kube)).toEqual({ v1: 100, v2: 0 });
    const refused = (await second.graydesk.audit.readAll()).filter((r) => r.kind === "promise.refused");
    expect(refused).toMatchObject([
      { actor: ALICE.id, job: "reviews-promised", detail: { right: "request" } },
    ]);
    // The job's thread says so.
    await until(() =>
      api
        .messages(CHANNEL)
        .some(
          (m) =>
            String(m.text).includes("was not opened") ||
            JSON.stringify(m.blocks ?? []).includes("was not opened"),
        ),
    );
    await second.stop();
  }, 60_000);

  it("a schedule tick: a schedule whose approver lost the approve right is paused, nothing asked or applied", async () => {
    const dataDir = path.join(dir, "steps");
    const first = await start(dataDir, POLICY);
    const { desk } = first.graydesk.deps;
    const created = await desk.createJob(input("ratings", "ratings-steps"), ALICE.id);
    const job = await desk.waitDeployed(created.id, 20_000);
    expect(job.state).toBe("ready");
    const steps = first.graydesk.schedules.steps;
    const schedule = await steps.set(job.id, [10, 50, 100], 1, ALICE.id);
    const approved = await steps.approve(job.id, schedule.approval?.hash ?? "", BOB.id);
    expect(approved.ok).toBe(true);
    await first.stop();

    const second = await start(dataDir, policy("bob-gone", "U0ALICE", "U0DAVE"));
    await second.graydesk.schedules.steps.tick();
    const now = second.graydesk.store.data().steps[job.id] as unknown as StepSchedule | undefined;
    expect(now?.paused).toContain(
      "U0BOB, who approved it, no longer holds the right it needs: they need the *approve* right",
    );
    expect(now?.next).toBe(schedule.next);
    expect(second.graydesk.deps.approvals.gate.all().filter((r) => r.jobId === job.id)).toEqual([]);
    expect(second.graydesk.deps.desk.job(job.id)?.traffic).toEqual(job.traffic);
    const refused = (await second.graydesk.audit.readAll()).filter((r) => r.kind === "steps.refused");
    expect(refused).toMatchObject([{ actor: BOB.id, job: "ratings-steps", detail: { right: "approve" } }]);
    // A second tick neither asks nor tells again.
    await second.graydesk.schedules.steps.tick();
    expect((await second.graydesk.audit.readAll()).filter((r) => r.kind === "steps.refused")).toHaveLength(1);
    await second.stop();
  }, 60_000);
});

function weights(stable: number, next: number) {
  return { kind: "weights" as const, weights: { v1: stable, v2: next } };
}

function stored(app: RunningGraydesk, jobId: string): ReleaseJob | undefined {
  return app.graydesk.store.data().jobs[jobId] as unknown as ReleaseJob | undefined;
}
