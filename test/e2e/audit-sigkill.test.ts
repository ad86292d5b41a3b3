// Approvals on the real entry point, SIGKILLed at random points (20 times or more): after the last restart,
// every change the store says was applied has exactly one "applied" record in the audit trail (every failed one
// exactly one "failed"), and the whole chain verifies. Long (minutes): in the e2e suite, `npm run test:e2e`.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_FILE, firstBreak, STATE_FILE } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
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

const APPROVALS = 60;
const KILLS = 20;

let kube: KubeTestServer;
let api: SlackApiServer;
let dataDir: string;
let current: Replica | undefined;
let generation = 0;

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  dataDir = tempDir("graydesk-audit-sigkill-");
  const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile: POLICY, dataDir });
  try {
    await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    await createReviewsJob({ kube, api, app } as unknown as World, "reviews-audit");
  } finally {
    await app.stop();
  }
}, 60_000);
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
    120_000,
  );
  return current;
}

/** A seeded random number, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stored = () =>
  JSON.parse(readFileSync(path.join(dataDir, STATE_FILE), "utf8")) as {
    approvals: Record<string, { id: string; state: string; messages: { ts: string }[] }>;
  };

/** The request posted as message `ts` is decided and closed (applied, failed or stale). */
const closed = (ts: unknown) =>
  Object.values(stored().approvals).some(
    (a) => a.messages.some((m) => m.ts === ts) && ["applied", "failed", "stale"].includes(a.state),
  ) || undefined;

describe("SIGKILL at random points during approvals", () => {
  it(`${APPROVALS} approvals, ${KILLS}+ kills: each applied change has exactly one audit record; the chain verifies`, async () => {
    const random = seeded(20261206);
    let graydesk = await restart();
    let kills = 0;
    for (let i = 0; i < APPROVALS; i++) {
      const before = approvalMessage(api)?.ts;
      await graydesk.slack.command("/release", `shift reviews-audit ${10 + (i % 8) * 10}`, { user: ALICE });
      const request = await until(() => {
        const m = approvalMessage(api);
        return m && m.ts !== before ? m : undefined;
      }, 30_000).catch(() => undefined);
      if (request) {
        const click = graydesk.slack
          .clickButton(request, "approval_approve", { user: BOB })
          .catch(() => undefined);
        // Kill on about one approval in APPROVALS / KILLS, at a random moment around the click.
        if (kills < KILLS && random() < (KILLS - kills) / (APPROVALS - i)) {
          await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
          await graydesk.kill();
          kills += 1;
          graydesk = await restart();
          continue;
        }
        await click;
        await until(() => closed(request.ts), 30_000).catch(() => undefined);
      }
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    await graydesk.kill();
    // One last start: recovery and reconciliation run, as after any crash.
    graydesk = await restart();
    await graydesk.kill();

    const lines = readFileSync(path.join(dataDir, AUDIT_FILE), "utf8").split("\n").filter(Boolean);
    expect(firstBreak(lines)).toBeUndefined();
    const records = lines.map((l) => JSON.parse(l) as { kind: string; detail?: { requestId?: string } });
    const approvals = Object.values(stored().approvals);
    const applied = approvals.filter((a) => a.state === "applied");
    expect(applied.length).toBeGreaterThan(0);
    for (const request of approvals) {
      const count = (kind: string) =>
        records.filter((r) => r.kind === kind && r.detail?.requestId === request.id).length;
      if (request.state === "applied") expect([request.id, count("applied")]).toEqual([request.id, 1]);
      if (request.state === "failed" || request.state === "stale")
        expect([request.id, count("failed")]).toEqual([request.id, 1]);
    }
    // Torn lines were set aside at start-up, never merged into the chain.
    const aside = readdirSync(dataDir).filter((f) => f.startsWith(`${AUDIT_FILE}.torn-`));
    console.info(`kills ${kills}, applied ${applied.length}, torn lines set aside ${aside.length}`);
  }, 3_600_000);
});
