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
export async function benchStoreScale(samples = 40): Promise<void> {
  const results: Record<string, number> = {};
  for (const seed of SIZES) {
    const dir = await mkdtemp(path.join(tmpdir(), "graydesk-bench-scale-"));
    try {
      const seededAt = performance.now();
      const records = seedDataDir(dir, seed);
      const seedSeconds = round((performance.now() - seededAt) / 1000, 1);
      const opened = performance.now();
      const store = await openFileStore(dir);
      const startupMs = performance.now() - opened;
      const floor: number[] = [];
      const approve = await approvePath(store, seed, samples, rawWrite(dir, floor));
      const open = await openRequests(store, seed, samples);
      const list = timeSync(samples, () =>
        Object.values(store.data().jobs)
          .filter((j) => j.state === "active")
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      );
      await store.close();
      const label = `${seed.active} active + ${seed.finished} finished`;
      results[label] = percentile(approve, 50);
      emit({
        bench: "store-scale",
        what: "per-record store",
        activeJobs: seed.active,
        finishedJobs: seed.finished,
        records,
        seedSeconds,
        startupMs: round(startupMs, 0),
        approveToApplyingP50Ms: round(percentile(approve, 50), 3),
        approveToApplyingP99Ms: round(percentile(approve, 99), 3),
        openRequestP50Ms: round(percentile(open, 50), 3),
        listActiveJobsP50Ms: round(percentile(list, 50), 3),
        floorWriteP50Ms: round(percentile(floor, 50), 3),
        p50Ratio: round(percentile(approve, 50) / percentile(floor, 50), 2),
        target: "startup < 3000 ms, every operation < 1000 ms",
        met: startupMs < 3000 && percentile(approve, 99) < 1000 && percentile(open, 99) < 1000,
      });
      if (seed.finished === 0) {
        const lowdb = await singleFileStore(path.join(dir, "single"), readStateDir(dir));
        const before = await approvePath(lowdb, seed, Math.min(samples, seed.active > 100 ? 5 : samples));
        emit({
          bench: "store-scale",
          what: "single-file lowdb store (the release before)",
          activeJobs: seed.active,
          finishedJobs: seed.finished,
          approveToApplyingP50Ms: round(percentile(before, 50), 3),
          p50Ratio: round(percentile(before, 50) / percentile(floor, 50), 2),
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const values = Object.values(results);
  const growth = round((values.at(-1) as number) / (values[0] as number), 2);
  emit({
    bench: "store-scale",
    what: "write cost against history",
    p50ByStore: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v, 3)])),
    growth,
    target: "approve → applying p50 at 55,000 jobs <= 2 x at 10 jobs",
    flat: growth <= 2,
  });
}

/** gate.decide + (plan proposed → applying, journal opened) per sample, on a pending request made untimed. */
async function approvePath(
  store: Store,
  seed: Seed,
  samples: number,
  floor: () => void = () => undefined,
): Promise<number[]> {
  const gate = new ApprovalGate(store);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const jobId = `seeded-${i % seed.active}`;
    const planId = `bench-plan-${i}`;
    const request = await gate.open({
      jobId,
      jobName: `svc-${i % seed.active}`,
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
    floor();
    const start = performance.now();
    const decision = await gate.decide(request.id, "U0BOB", "approve");
    if (decision.kind !== "apply") throw new Error(`expected apply, got ${decision.kind}`);
    const moved = await store.update((d) => {
      if (!movePlanIn(d, planId, "proposed", "applying")) return false;
      openJournal(d, planId, jobId, new Date().toISOString(), 0);
      return true;
    });
    times.push(performance.now() - start);
    if (!moved) throw new Error("the plan did not move to applying");
  }
  return times;
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

if (import.meta.main) await benchStoreScale();
