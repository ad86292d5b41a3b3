// Two Graydesk processes on one DATA_DIR (two pods sharing a volume, a second `npm start`): the second refuses to
// start with words saying why, and the first keeps its job, its pending request and its file byte for byte.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStateDir } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { runEntryPoint } from "../harness/entry-point.ts";
import { SIGNING_SECRET, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { freePort, type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
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
  until,
  type World,
} from "../slack/desk/world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let dataDir: string;
let jobId: string;
const running: Replica[] = [];

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dataDir = tempDir("graydesk-one-writer-");
  const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile: POLICY, dataDir });
  try {
    const world = { kube, api, app } as unknown as World;
    await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    jobId = (await createReviewsJob(world, "reviews-lock")).id;
  } finally {
    await app.stop();
  }
}, 120_000);
afterAll(async () => {
  for (const r of running) await r.kill();
  await api?.close();
  await kube?.close();
});

async function start(name: string): Promise<Replica> {
  const replica = await startReplica(name, {
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

const state = () => Buffer.from(JSON.stringify(readStateDir(dataDir)));

describe("one writer per state file", () => {
  it("a second process on the same DATA_DIR refuses to start; the first's job and pending request stay", async () => {
    const first = await start("first");
    await first.slack.command("/release", "shift reviews-lock 20", { user: ALICE });
    const request = await until(() => approvalMessage(api));
    // Let the first finish writing what the request started (the message's ts), so any change is the second's.
    let before = state();
    for (let quiet = 0; quiet < 10; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = state();
      quiet = now.equals(before) ? quiet + 1 : 0;
      before = now;
    }
    expect(JSON.parse(before.toString()).jobs[jobId]).toBeDefined();

    const second = await runEntryPoint({
      SLACK_BOT_TOKEN: api.bot.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_MODE: "http",
      PORT: String(await freePort()),
      SLACK_API_URL: api.url,
      KUBECONFIG: kube.kubeconfigPath,
      DATA_DIR: dataDir,
      POLICY_FILE: POLICY,
    });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(
      `DATA_DIR ${dataDir} is in use by another Graydesk (pid ${first.child.pid}`,
    );
    expect(second.stderr).toContain("Only one process may write its state file");
    expect(state().equals(before)).toBe(true);

    // The first still serves its request: approving it works and is written to the same file.
    await first.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() => {
      const approvals = JSON.parse(state().toString()).approvals as Record<string, { state: string }>;
      return Object.values(approvals).some((a) => a.state === "applied") || undefined;
    });
    expect(JSON.parse(state().toString()).jobs[jobId]).toBeDefined();
    // Two process starts (the first, and the second's refusal) and a story step: 3 × PROCESS_START_MS.
  }, 360_000);

  it("a holder killed without letting go is noticed, and the next process takes the DATA_DIR over", async () => {
    await running[0]?.kill();
    expect(existsSync(path.join(dataDir, "graydesk.lock"))).toBe(true);
    const next = await start("next");
    await next.slack.command("/release", "status reviews-lock", { user: ALICE });
    expect(JSON.parse(state().toString()).jobs[jobId]).toBeDefined();
    await next.kill();
  }, 240_000);
});
