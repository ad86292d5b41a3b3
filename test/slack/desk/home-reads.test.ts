// Opening App Home reads recent activity from the audit log's in-memory tail: the reads it makes do not grow as
// the log does (counted, not timed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAIL_RECORDS } from "../../../src/store/audit-tail.ts";
import type { AuditLog } from "../../../src/store/index.ts";
import { loadBookinfo } from "../../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../../harness/slack/index.ts";
import { ALICE, BOB, POLICY } from "./world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let app: RunningGraydesk;
const reads = { readAll: 0, records: 0 };

/** The real trail, counting what is read from it. */
const counted = (audit: AuditLog): AuditLog => ({
  ...audit,
  append: (event) => audit.append(event),
  readAll: async () => {
    const all = await audit.readAll();
    reads.readAll++;
    reads.records += all.length;
    return all;
  },
  recent: async (limit) => {
    const some = await audit.recent(limit);
    reads.records += some.length;
    return some;
  },
  close: () => audit.close(),
});

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB]);
  app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    wrapAudit: counted,
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await api?.close();
  await kube?.close();
});

async function grow(to: number, label: string): Promise<void> {
  const { audit } = app.graydesk;
  const have = (await audit.recent(1))[0]?.seq ?? 0;
  for (let i = have; i < to; i++)
    await audit.append({ kind: "digest.set", actor: ALICE.id, namespace: "bookinfo", detail: { label, i } });
}

/** Reads made by opening Home `times` times, per open. */
async function homeOpens(times: number) {
  const before = { ...reads };
  for (let i = 0; i < times; i++) {
    const published = api.callsTo("views.publish").length;
    await app.slack.appHomeOpened({ user: BOB });
    await api.waitFor("views.publish", () => api.callsTo("views.publish").length > published, 5_000);
  }
  return {
    readAll: (reads.readAll - before.readAll) / times,
    records: (reads.records - before.records) / times,
  };
}

describe("App Home's reads of the audit log", () => {
  it("do not grow with the log: the same at 1,200 and 2,600 records, and the log is never read whole", async () => {
    await grow(1_200, "first");
    const short = await homeOpens(5);
    await grow(2_600, "second");
    const long = await homeOpens(5);
    expect(short.readAll).toBe(0);
    expect(long.readAll).toBe(0);
    expect(short.records).toBeLessThanOrEqual(TAIL_RECORDS);
    expect(long.records).toBe(short.records);
    // And Home still shows the newest activity.
    expect(JSON.stringify(api.home(BOB.id))).toContain("Recent activity");
  }, 120_000);
});
