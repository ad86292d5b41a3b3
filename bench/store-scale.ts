import { renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { ApprovalGate } from "../src/approvals/index.ts";
import { openJournal } from "../src/cluster/index.ts";
import { movePlanIn } from "../src/desk/records.ts";
import { emptyData, openFileStore, readStateDir, type Store, type StoreData } from "../src/store/index.ts";
import { type Seed, seedDataDir } from "./seed-state.ts";
import { emit, percentile, round } from "./stats.ts";

const SIZES: Seed[] = [
  { active: 10, finished: 0 },
  { active: 5_000, finished: 0 },
  { active: 5_000, finished: 50_000 },
];

/**
 * The store's part of an approval at growing sizes: the request decided (ApprovalGate.decide) and the plan moved
 * to applying with its journal opened (one update), exactly the writes before the patch; timed against one raw
 * atomic write of a record-sized file in the same run (the floor). Also start-up (every record read) and, at
 * the sizes it can do in reasonable time, the single-file lowdb store of the release before (whole-state
 * structuredClone, pretty-printed rewrite) on the same code path.
 */
export async function benchStoreScale(rounds = 3, samples = 40): Promise<void> {
  const results: Record<string, number[]> = {};
  for (const seed of SIZES) {
    const dir = await mkdtemp(path.join(tmpdir(), "graydesk-bench-scale-"));
    try {
      const seededAt = performance.now();
      const records = seedDataDir(dir, seed);
      const seedSeconds = round((performance.now() - seededAt) / 1000, 1);
      const label = `${seed.active} active + ${seed.finished} finished`;
      for (let r = 1; r <= rounds; r++) {
        const opened = performance.now();
        const cpu = process.cpuUsage();
        const store = await openFileStore(dir);
        const startupMs = performance.now() - opened;
        // What start-up costs this process whatever else the machine runs (user + system CPU).
        const { user, system } = process.cpuUsage(cpu);
        const floor: number[] = [];
        const approvals = await approvePath(store, seed, samples, `r${r}`, rawWrite(dir, floor));
        const open = await openRequests(store, seed, samples);
        // One approval per job: a second request for a job supersedes the first.
        const many = await concurrentApprovals(store, seed, Math.min(50, seed.active), `r${r}`);
        const list = timeSync(samples, () =>
          Object.values(store.data().jobs)
            .filter((j) => j.state === "active")
            .sort((a, b) => String(a.name).localeCompare(String(b.name))),
        );
        await store.close();
        results[label] = [...(results[label] ?? []), percentile(approvals, 50)];
        const slowest = Math.max(percentile(approvals, 100), percentile(open, 100), percentile(many, 100));
        emit({
          bench: "store-scale",
          round: r,
          what: "per-record store",
          activeJobs: seed.active,
          finishedJobs: seed.finished,
          records,
          seedSeconds,
          startupMs: round(startupMs, 0),
          startupCpuMs: round((user + system) / 1000, 0),
          approveToApplyingP50Ms: round(percentile(approvals, 50), 3),
          approveToApplyingP99Ms: round(percentile(approvals, 99), 3),
          fiftyConcurrentApprovalsP99Ms: round(percentile(many, 99), 3),
          openRequestP50Ms: round(percentile(open, 50), 3),
          listActiveJobsP50Ms: round(percentile(list, 50), 3),
          floorWriteP50Ms: round(percentile(floor, 50), 3),
          p50Ratio: round(percentile(approvals, 50) / percentile(floor, 50), 2),
          target: "startup < 3000 ms; every store operation < 1000 ms; 50 concurrent approvals p99 < 200 ms",
          met: startupMs < 3000 && slowest < 1000 && percentile(many, 99) < 200,
        });
      }
      if (seed.finished === 0) {
        const lowdb = await singleFileStore(path.join(dir, "single"), readStateDir(dir));
        const floor: number[] = [];
        const before = await approvePath(
          lowdb,
          seed,
          seed.active > 100 ? 3 : samples,
          "old",
          rawWrite(dir, floor),
        );
        emit({
          bench: "store-scale",
          what: "single-file lowdb store (the release before)",
          activeJobs: seed.active,
          finishedJobs: seed.finished,
          approveToApplyingP50Ms: round(percentile(before, 50), 3),
          floorWriteP50Ms: round(percentile(floor, 50), 3),
          p50Ratio: round(percentile(before, 50) / percentile(floor, 50), 2),
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const medians = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, percentile(v, 50)]));
  const values = Object.values(medians);
  const growth = round((values.at(-1) as number) / (values[0] as number), 2);
  emit({
    bench: "store-scale",
    what: "write cost against history",
    p50ByStore: Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, round(v, 3)])),
    growth,
    target: "approve → applying p50 (median of rounds) at 55,000 jobs <= 2 x at 10 jobs",
    flat: growth <= 2,
  });
}

/** A pending request for a proposed plan of job `index` (made untimed). */
async function pending(store: Store, seed: Seed, index: number, tag: string) {
  const gate = new ApprovalGate(store);
  const jobId = `seeded-${index % seed.active}`;
  const planId = `bench-plan-${tag}-${index}`;
  const request = await gate.open({
    jobId,
    jobName: `svc-${index % seed.active}`,
    namespace: "seeded",
    operation: "shift traffic to v1 50 %, v2 50 %",
    planId,
    planHash: "0".repeat(64),
    summary: "svc: v1 80 → 50, v2 20 → 50",
    requestedBy: "U0ALICE",
    requiredApprovals: 1,
    expiryMinutes: 30,
  });
  const applied = structuredClone(store.data().plans[`${jobId}-plan`]);
  await store.update((d) => {
    d.plans[planId] = { ...applied, id: planId, status: "proposed" };
  });
  return { gate, requestId: request.id, planId, jobId };
}

/** The store's writes between an Approve click and the patch: the decision, then plan applying + journal. */
async function approve(
  store: Store,
  { gate, requestId, planId, jobId }: Awaited<ReturnType<typeof pending>>,
) {
  const decision = await gate.decide(requestId, "U0BOB", "approve");
  if (decision.kind !== "apply") throw new Error(`expected apply, got ${decision.kind}`);
  const moved = await store.update((d) => {
    if (!movePlanIn(d, planId, "proposed", "applying")) return false;
    openJournal(d, planId, jobId, new Date().toISOString(), 0);
    return true;
  });
  if (!moved) throw new Error("the plan did not move to applying");
}

/** One approval at a time, `samples` times, the floor timed just before each. */
async function approvePath(store: Store, seed: Seed, samples: number, tag: string, floor: () => void) {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const ready = await pending(store, seed, i, `one-${tag}`);
    floor();
    const start = performance.now();
    await approve(store, ready);
    times.push(performance.now() - start);
  }
  return times;
}

/** `count` approvals of `count` jobs clicked at the same moment (50 when the store has as many jobs): each one's time from the click to applying. */
async function concurrentApprovals(store: Store, seed: Seed, count: number, tag: string): Promise<number[]> {
  const ready = [];
  for (let i = 0; i < count; i++) ready.push(await pending(store, seed, i, `many-${tag}`));
  const start = performance.now();
  return Promise.all(ready.map((r) => approve(store, r).then(() => performance.now() - start)));
}

/** Opening a request: the gate supersedes the job's older pending ones (it looks at every request). */
async function openRequests(store: Store, seed: Seed, samples: number): Promise<number[]> {
  const gate = new ApprovalGate(store);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await gate.open({
      jobId: `seeded-${i % seed.active}`,
      jobName: "svc",
      namespace: "seeded",
      operation: "shift",
      planId: `open-plan-${i}`,
      planHash: "0".repeat(64),
      summary: "svc",
      requestedBy: "U0ALICE",
      requiredApprovals: 1,
      expiryMinutes: 30,
    });
    times.push(performance.now() - start);
  }
  return times;
}

/** The floor, timed into `times` before each sample: a record-sized file written and renamed into place. */
function rawWrite(dir: string, times: number[]): () => void {
  const file = path.join(dir, "floor.json");
  const text = JSON.stringify({ id: "x", padding: "x".repeat(1500) });
  return () => {
    const start = performance.now();
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    times.push(performance.now() - start);
  };
}

function timeSync(samples: number, run: () => unknown): number[] {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times;
}

/** The release before's lowdb store, reduced to its update: copy the whole state, rewrite the whole file. */
async function singleFileStore(file: string, data: StoreData): Promise<Store> {
  const db = new Low<StoreData>(new JSONFile<StoreData>(file), { ...emptyData(), ...data });
  await db.write();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    data: () => db.data,
    update(mutate) {
      const run = queue.then(async () => {
        const draft = structuredClone(db.data);
        const result = mutate(draft);
        db.data = draft;
        await db.write();
        return result;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    flush: () => queue.then(() => undefined),
    close: () => queue.then(() => undefined),
  };
}

if (import.meta.main) await benchStoreScale(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 40));
