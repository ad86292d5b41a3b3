import { rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pruneStore } from "../src/desk/index.ts";
import { emptyData, openFileStore, STATE_FILE, type StoreData } from "../src/store/index.ts";
import { emit, percentile, round } from "./stats.ts";

const DAY = 24 * 3600_000;
const NOW = new Date("2025-06-30T12:00:00Z");
const iso = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A VirtualService spec as a shift's plan carries it twice (before and after), with a few routes. */
function routes(v2: number) {
  return {
    hosts: ["reviews"],
    http: [
      {
        match: [{ headers: { "end-user": { exact: "jason" } } }],
        route: [{ destination: { host: "reviews", subset: "v2" } }],
      },
      ...["/"].map((prefix) => ({
        match: [{ uri: { prefix } }],
        route: [
          { destination: { host: "reviews", subset: "v1", port: { number: 9080 } }, weight: 100 - v2 },
          { destination: { host: "reviews", subset: "v2", port: { number: 9080 } }, weight: v2 },
        ],
        retries: { attempts: 3, perTryTimeout: "2s", retryOn: "gateway-error,connect-failure" },
        timeout: "10s",
      })),
    ],
  };
}

/** 1,000 jobs taken offline over the last 30 days, each after 6 shifts: plans, journals, requests, history. */
function history(jobs: number): StoreData {
  const data = emptyData();
  const vs = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    namespace: "bookinfo",
    name: "reviews",
  };
  for (let j = 0; j < jobs; j++) {
    const age = (j / jobs) * 30 * DAY;
    const jobId = `job-${j}`;
    const events = [];
    for (let s = 0; s < 6; s++) {
      const planId = `plan-${j}-${s}`;
      data.plans[planId] = {
        id: planId,
        plan: {
          id: planId,
          jobId,
          operation: "shift",
          steps: [
            {
              action: "patch",
              object: vs,
              before: { spec: routes(s * 10) },
              after: { spec: routes(s * 10 + 10) },
              patch: { type: "merge", body: { spec: routes(s * 10 + 10) } },
            },
          ],
          preconditions: [{ ref: vs, resourceVersion: String(1000 + s) }],
          summary: `reviews: v2 ${s * 10} % -> ${s * 10 + 10} %`,
          notes: [],
          hash: "0".repeat(64),
        },
        change: {
          kind: "shift",
          traffic: { kind: "weights", weights: { v1: 90 - s * 10, v2: s * 10 + 10 } },
        },
        status: "applied",
        requestedBy: "U1",
        createdAt: iso(age),
      };
      data.journal[planId] = {
        id: planId,
        planId,
        jobId,
        state: "done",
        steps: ["done"],
        startedAt: iso(age),
      };
      data.approvals[`req-${j}-${s}`] = {
        id: `req-${j}-${s}`,
        jobId,
        planId,
        state: "applied",
        requestedAt: iso(age),
        decidedAt: iso(age),
        summary: `reviews: v2 ${s * 10} % -> ${s * 10 + 10} %`,
        approvals: [{ user: "U2", at: iso(age) }],
        messages: [{ channel: "C1", ts: "1.1" }],
      };
      events.push({ at: iso(age), actor: "U2", kind: "shifted", detail: `v2 at ${s * 10 + 10} %` });
    }
    data.jobs[jobId] = {
      id: jobId,
      name: `reviews-${j}`,
      namespace: "bookinfo",
      state: "offline",
      history: events,
      originals: [],
    };
  }
  return data;
}

/** One store update of the size a step of a shift makes (a plan's status), timed on a store of that size. */
async function timeWrites(dir: string, samples: number): Promise<number[]> {
  const store = await openFileStore(dir);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await store.update((draft) => {
      draft.channels.C1 = { id: "C1", touched: i };
    });
    times.push(performance.now() - start);
  }
  await store.close();
  return times;
}

/**
 * A shift's store time with 1,000 finished jobs in the store, before and after pruning (the state written as the
 * release before kept it, one file, which the store migrates when it opens): a write now costs the records it
 * changes, so its time no longer follows the state's size. A shift makes about 9 writes
 * (request, gate, plan + journal, steps, job, plan applied, approval finished), one of them before its patch.
 */
export async function benchStoreSize(jobs = 1_000, samples = 10): Promise<void> {
  const data = history(jobs);
  for (const phase of ["before pruning", "after pruning"]) {
    const dir = await mkdtemp(path.join(tmpdir(), "graydesk-bench-store-"));
    const pruned = phase === "after pruning" ? pruneStore(data, NOW) : undefined;
    writeFileSync(path.join(dir, STATE_FILE), JSON.stringify(data));
    // The single file of the release before: the store moves it into one file per record when it opens.
    const fileKB = round(statSync(path.join(dir, STATE_FILE)).size / 1024, 0);
    const times = await timeWrites(dir, samples);
    const p50 = percentile(times, 50);
    emit({
      bench: "store-size",
      phase,
      finishedJobs: jobs,
      fileKB,
      writeP50Ms: round(p50, 2),
      writeP99Ms: round(percentile(times, 99), 2),
      shiftStoreMs: round(p50 * 9, 1),
      ...(pruned ? { pruned } : {}),
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchStoreSize();
