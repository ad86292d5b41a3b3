// Graydesk is SIGKILLed in the middle of an approved shift (an OOM kill, a lost node): nothing is flushed.
// The next process on the same DATA_DIR completes or reverts the plan at start-up, so the VirtualService,
// the job's recorded traffic and the approval's outcome agree, and the audit log keeps every line it had.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_FILE } from "../../src/store/audit-log.ts";
import { readStateDir } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { type Replica, startReplica } from "../replicas/replica-process.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CAROL,
  createReviewsJob,
  DAVE,
  POLICY,
  reviewsWeights,
  until,
  type World,
} from "../slack/desk/world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let dataDir: string;
let jobId: string;
const running: Replica[] = [];
let generation = 0;

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dataDir = tempDir("graydesk-sigkill-");
  // The job is set up in-process (the wizard is not what is under test), then the real entry point takes over.
  const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile: POLICY, dataDir });
  try {
    const world = { kube, api, app } as unknown as World;
    await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    jobId = (await createReviewsJob(world, "reviews-crash")).id;
  } finally {
    await app.stop();
  }
}, 30_000);
afterAll(async () => {
  for (const r of running) await r.kill();
  await api?.close();
  await kube?.close();
});

async function start(): Promise<Replica> {
  generation += 1;
  const replica = await startReplica(`g${generation}`, {
    api,
    botToken: api.bot.token,
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    leaseDurationSeconds: 15,
    dataDir,
    store: "lowdb",
  });
  running.push(replica);
  return replica;
}

async function ask(graydesk: Replica, percent: number): Promise<StoredMessage> {
  const before = approvalMessage(api)?.ts;
  await graydesk.slack.command("/release", `shift reviews-crash ${percent}`, { user: ALICE });
  return until(() => {
    const m = approvalMessage(api);
    return m && m.ts !== before ? m : undefined;
  }, 10_000);
}

function stored() {
  return readStateDir(dataDir) as unknown as {
    jobs: Record<string, { state: string; traffic: { kind: string; weights?: Record<string, number> } }>;
    approvals: Record<string, { state: string; messages: { ts: string }[] }>;
  };
}

function auditLines(): string[] {
  return readFileSync(path.join(dataDir, AUDIT_FILE), "utf8").split("\n").filter(Boolean);
}

/** VirtualService patches (not dry runs) the test server has received so far, answered or not. */
function patchesReceived(): number {
  return kube.requests.filter(
    (r) =>
      r.resource === "virtualservices" && r.verb === "patch" && !String(r.query ?? "").includes("dryRun"),
  ).length;
}

/** After the restart: the cluster holds the old or the new split, and the store and the request say the same. */
async function expectAgreement(message: StoredMessage, oldV2: number, newV2: number) {
  const weights = await reviewsWeights(kube);
  expect([oldV2, newV2]).toContain(weights.v2 ?? 0);
  expect((weights.v1 ?? 0) + (weights.v2 ?? 0)).toBe(100);
  const data = stored();
  const job = data.jobs[jobId];
  expect(job?.state).toBe("active");
  expect(job?.traffic.weights?.v2 ?? 0).toBe(weights.v2 ?? 0);
  const request = Object.values(data.approvals).find((a) => a.messages.some((m) => m.ts === message.ts));
  if (weights.v2 === newV2) expect(request?.state).toBe("applied");
  else expect(["failed", "stale", "pending"]).toContain(request?.state);
  return weights.v2 ?? 0;
}

/** Every audit line parses, and the lines written before the kill are still the file's first lines. */
function expectAuditKept(before: string[]) {
  const after = auditLines();
  for (const line of after) expect(() => JSON.parse(line)).not.toThrow();
  expect(after.slice(0, before.length)).toEqual(before);
}

describe("SIGKILL in the middle of an approved shift", () => {
  let v2 = 0;

  it("killed once the API server has the patch (answer delayed): the restart ends at one split, store and request agree", async () => {
    const first = await start();
    const request = await ask(first, 30);
    kube.faults.add({ verb: "patch", resource: "virtualservices", kind: "latency", latencyMs: 1_500 });
    const received = patchesReceived();
    void first.slack.clickButton(request, "approval_approve", { user: BOB }).catch(() => undefined);
    await until(() => patchesReceived() > received, 10_000);
    await first.kill();
    const auditBefore = auditLines();
    // Let the delay run out before the restart; the test server drops a patch whose sender died before
    // the body was read, so the cluster may keep the old split: either split is fine, a mismatch is not.
    await new Promise((r) => setTimeout(r, 1_600));

    const second = await start();
    v2 = await expectAgreement(request, v2, 30);
    expectAuditKept(auditBefore);
    // The interrupted plan was dealt with at start-up, not left running.
    expect(auditLines().some((l) => JSON.parse(l).kind === "plan.recovered")).toBe(true);
    await second.kill();
  }, 90_000);

  it("killed while the patch never answers: the restart ends at one split, store and request agree", async () => {
    const first = await start();
    const request = await ask(first, 55);
    kube.faults.add({ verb: "patch", resource: "virtualservices", kind: "hang" });
    const received = patchesReceived();
    void first.slack.clickButton(request, "approval_approve", { user: BOB }).catch(() => undefined);
    await until(() => patchesReceived() > received, 10_000);
    await first.kill();
    const auditBefore = auditLines();

    const second = await start();
    v2 = await expectAgreement(request, v2, 55);
    expectAuditKept(auditBefore);
    await second.kill();
  }, 90_000);

  it("killed right after the approval is stored, before any change lands: completed or refused, never half-applied", async () => {
    const first = await start();
    const request = await ask(first, 80);
    // An approved shift goes straight to its conditional patch (no read first), so hold every patch: the
    // approval is stored, and nothing can change the VirtualService before the kill.
    const before = await reviewsWeights(kube);
    kube.faults.add({ verb: "patch", resource: "virtualservices", kind: "hang", times: Infinity });
    void first.slack.clickButton(request, "approval_approve", { user: BOB }).catch(() => undefined);
    await until(() => Object.values(stored().approvals).some((a) => a.state === "approved"), 10_000);
    await first.kill();
    kube.faults.clear();
    expect(await reviewsWeights(kube)).toEqual(before);
    const auditBefore = auditLines();

    const second = await start();
    v2 = await expectAgreement(request, v2, 80);
    expectAuditKept(auditBefore);
    await second.kill();
  }, 90_000);
});
