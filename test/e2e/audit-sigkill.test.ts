// Approvals on the real entry point (`src/main.ts`, lowdb state, file audit trail), SIGKILLed at seeded random
// moments: while a request is being made or while a decision is being applied. After each kill the next
// process starts on the same DATA_DIR; after the last, every request the store holds has exactly one
// "requested" record, every decision exactly one record of its kind, every applied (or failed) change exactly
// one outcome record, and the whole chain verifies. Long (minutes): in the e2e suite, `npm run test:e2e`.
//
// Kept quick enough for a busy machine: many approvals per process life, one restart per kill, readiness and
// progress read from events (the process's log line, the Slack test server's calls, the audit file's new bytes),
// never from fixed sleeps or re-reads of whole files.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_FILE, firstBreak, openFileStore } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { type Replica, startReplica } from "../replicas/replica-process.ts";
import { openRejectDialog, submitRejection } from "../slack/desk/reject-dialog.ts";
import {
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  createReviewsJob,
  DAVE,
  POLICY,
  until,
  type World,
} from "../slack/desk/world.ts";
import { AuditFollower, type FollowedRecord, seeded } from "./audit-follower.ts";

const APPROVALS = 500;
const KILLS = 24;
/** One request in REJECT_EVERY is rejected, so rejections are killed and recovered too. */
const REJECT_EVERY = 9;
/** Whatever a loaded machine makes of one step, it is not this slow: past it the step counts as lost. */
const STEP_MS = 60_000;

let kube: KubeTestServer;
let api: SlackApiServer;
let dataDir: string;
let follower: AuditFollower;
let current: Replica | undefined;
let generation = 0;

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dataDir = tempDir("graydesk-audit-sigkill-");
  follower = new AuditFollower(path.join(dataDir, AUDIT_FILE));
  const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile: POLICY, dataDir });
  try {
    await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    await createReviewsJob({ kube, api, app } as unknown as World, "reviews-audit");
  } finally {
    await app.stop();
  }
}, 120_000);
afterAll(async () => {
  await current?.kill();
  await api?.close();
  await kube?.close();
});

async function restart(): Promise<Replica> {
  generation += 1;
  current = await startReplica(
    `g${generation}`,
    {
      api,
      botToken: api.bot.token,
      kubeconfig: kube.kubeconfigPath,
      policyFile: POLICY,
      leaseDurationSeconds: 15,
      dataDir,
      store: "lowdb",
    },
    180_000,
  );
  return current;
}

/** The approval request for `percent` posted after `since` (a Slack test server call, not a re-read). */
async function requestPosted(percent: number, since: number, seen: Set<string>): Promise<StoredMessage> {
  const call = await api.waitFor(
    "chat.postMessage",
    (c) => {
      if (c.at < since || (c.args as { channel?: string }).channel !== CHANNEL) return false;
      const blocks = (c.args as { blocks?: unknown[] }).blocks ?? [];
      const text = JSON.stringify(blocks);
      if (!text.includes('"approval_title"') || !text.includes(`v2 ${percent} %`)) return false;
      const id = requestIdOf(blocks);
      return id !== undefined && !seen.has(id);
    },
    STEP_MS,
  );
  const ts = (call.response as { ts: string }).ts;
  const message = api.message(CHANNEL, ts);
  if (!message) throw new Error(`approval message ${ts} not stored`);
  return message;
}

/** The request id an approval message's Approve button carries. */
function requestIdOf(blocks: unknown[]): string | undefined {
  for (const block of blocks as { elements?: { action_id?: string; value?: string }[] }[])
    for (const element of block.elements ?? [])
      if (element.action_id === "approval_approve") return element.value;
  return undefined;
}

/** Waits until the trail records one of `kinds` for the request (reading only its new bytes). */
const recorded = (requestId: string, kinds: readonly string[]) =>
  until(() => {
    follower.poll();
    return follower.has(requestId, kinds) || undefined;
  }, STEP_MS);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGKILL at random points during approvals", () => {
  it(`${APPROVALS} approvals, ${KILLS} kills: each decision and applied change has exactly one audit record; the chain verifies`, async () => {
    const started = Date.now();
    const random = seeded(20261206);
    const seen = new Set<string>();
    let graydesk = await restart();
    let kills = 0;
    let lost = 0;
    for (let i = 0; i < APPROVALS; i++) {
      const percent = 10 + (i % 8) * 10;
      const reject = i % REJECT_EVERY === 4;
      const kill = kills < KILLS && i > 0 && random() < (KILLS - kills) / (APPROVALS - i);
      // A third of the kills land while the request is made, the rest while the decision is carried out.
      const phase = random() < 1 / 3 ? "request" : "decision";
      const wait = Math.floor(random() * (phase === "request" ? 150 : 400));
      const since = Date.now();
      await graydesk.slack.command("/release", `shift reviews-audit ${percent}`, { user: ALICE });
      if (kill && phase === "request") {
        await delay(wait);
        await graydesk.kill();
        kills += 1;
        graydesk = await restart();
        continue;
      }
      const request = await requestPosted(percent, since, seen).catch(() => undefined);
      const id = request && requestIdOf(request.blocks ?? []);
      if (!request || !id) {
        lost += 1;
        continue;
      }
      seen.add(id);
      // A rejection is decided when its reason dialog is submitted: that submit is what a kill may interrupt.
      const dialog = reject
        ? await openRejectDialog(api, graydesk.slack, request, BOB, STEP_MS).catch(() => undefined)
        : undefined;
      if (reject && !dialog) {
        lost += 1;
        continue;
      }
      const click = (
        dialog
          ? submitRejection(graydesk.slack, dialog, BOB)
          : graydesk.slack.clickButton(request, "approval_approve", { user: BOB })
      ).catch(() => undefined);
      if (kill) {
        await delay(wait);
        await graydesk.kill();
        kills += 1;
        graydesk = await restart();
        continue;
      }
      await click;
      const closed = await recorded(id, reject ? ["rejected"] : ["applied", "failed"]).catch(() => false);
      if (!closed) lost += 1;
    }
    expect(kills).toBe(KILLS);
    await graydesk.kill();
    // One last start: recovery and reconciliation run, as after any crash.
    graydesk = await restart();
    await graydesk.kill();

    const lines = readFileSync(path.join(dataDir, AUDIT_FILE), "utf8").split("\n").filter(Boolean);
    expect(firstBreak(lines)).toBeUndefined();
    const records = lines.map((l) => JSON.parse(l) as FollowedRecord);
    // The state as the store reads it (whatever its files' layout), after the last SIGKILL.
    const store = await openFileStore(dataDir);
    const requests = Object.values(store.data().approvals) as unknown as {
      id: string;
      state: string;
      decidedBy?: string;
    }[];
    await store.close();
    // A decision written ahead of a commit that a kill prevented is followed by a "voided" record naming it.
    const voided = new Set(records.flatMap((r) => (r.kind === "voided" ? [r.detail?.voids?.seq] : [])));
    const byRequest = new Map<string, string[]>();
    for (const r of records) {
      const requestId = r.detail?.requestId;
      if (requestId && r.kind !== "voided" && !voided.has(r.seq))
        byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), r.kind]);
    }
    const count = (id: string, kind: string) => (byRequest.get(id) ?? []).filter((k) => k === kind).length;
    const wrong: string[] = [];
    const expectOne = (id: string, kind: string) => {
      if (count(id, kind) !== 1) wrong.push(`${id}: ${count(id, kind)} × ${kind} (${byRequest.get(id)})`);
    };
    for (const request of requests) {
      expectOne(request.id, "requested");
      if (request.state === "applied") {
        expectOne(request.id, "approved");
        expectOne(request.id, "applying");
        expectOne(request.id, "applied");
      }
      // A request superseded by the next one before anyone decided it changed nothing and has no outcome.
      if ((request.state === "failed" || request.state === "stale") && request.decidedBy)
        expectOne(request.id, "failed");
      if (request.state === "rejected") expectOne(request.id, "rejected");
    }
    expect(wrong).toEqual([]);
    const applied = requests.filter((r) => r.state === "applied").length;
    const rejected = requests.filter((r) => r.state === "rejected").length;
    expect(applied).toBeGreaterThan(APPROVALS / 2);
    expect(rejected).toBeGreaterThan(0);
    // Torn lines were set aside at start-up, never merged into the chain.
    const aside = readdirSync(dataDir).filter((f) => f.startsWith(`${AUDIT_FILE}.torn-`));
    console.info(
      JSON.stringify({
        approvals: APPROVALS,
        kills,
        requests: requests.length,
        applied,
        rejected,
        lost,
        records: records.length,
        voided: voided.size,
        tornSetAside: aside.length,
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
  }, 3_600_000);
});
