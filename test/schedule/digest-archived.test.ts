// A digest lists the jobs finished since the last one; finished jobs the store keeps archived say when they
// last changed without their history being read, so a digest over thousands of them reads none it does not list.
import { describe, expect, it } from "vitest";
import { openPolicy } from "../../src/approvals/index.ts";
import { buildDigest, gatherDigest } from "../../src/schedule/index.ts";
import { isUnread, openFileStore, type StoredRecord } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const NOW = new Date("2026-12-06T09:00:00Z");
const LAST_DIGEST = new Date("2026-12-05T09:00:00Z");

const finished = (id: string, name: string, lastAt: string): StoredRecord => ({
  id,
  name,
  namespace: "bookinfo",
  app: "reviews",
  service: { name: "reviews", ports: [] },
  strategy: "canary",
  router: "istio",
  stableVersion: "v1",
  newVersion: { version: "v2", settings: {} },
  traffic: { kind: "serve", version: "v1" },
  state: "offline",
  history: [
    { at: "2026-11-01T09:00:00.000Z", actor: "U1", kind: "created" },
    { at: lastAt, actor: "U1", kind: "offline" },
  ],
  createdAt: "2026-11-01T09:00:00.000Z",
  createdBy: "U1",
  originals: [],
});

describe("digest over archived finished jobs", () => {
  it("lists the job finished since the last digest and leaves the older one unread", async () => {
    const dir = tempDir("graydesk-digest-archive-");
    let store = await openFileStore(dir, { compactAbove: 0 });
    await store.update((d) => {
      d.jobs.old = finished("old", "ratings-old", "2026-11-20T09:00:00.000Z");
      d.jobs.recent = finished("recent", "reviews-recent", "2026-12-06T08:00:00.000Z");
    });
    await store.close();
    // Folded into the archive, then read from it.
    await (await openFileStore(dir, { compactAbove: 0 })).close();
    store = await openFileStore(dir);
    const input = await gatherDigest(
      {
        store,
        list: () => Promise.reject(new Error("no live job: nothing to list")),
        policy: openPolicy(),
        now: () => NOW,
      },
      { lastDigestAt: LAST_DIGEST },
    );
    const text = JSON.stringify(buildDigest(input).map((m) => m.blocks));
    expect(text).toContain("Finished since the last digest (1)");
    expect(text).toContain("*reviews-recent* — ");
    expect(text).not.toContain("ratings-old");
    expect(isUnread(store.data().jobs.old)).toBe(true);
    await store.close();
  });
});
