import type { ObjectRef, Plan, PlanStep, Precondition } from "../release/index.ts";
import { plainText, ReleaseError } from "../release/index.ts";
import type { Store } from "../store/index.ts";
import type { WrittenObjects } from "./after-writes.ts";
import { ClusterError, describeRef } from "./client.ts";
import { Journal, TakenOver } from "./journal.ts";
import type { Kube, KubeObject } from "./kube.ts";
import { refKey } from "./routers/types.ts";
import { type WaitReadyOptions, waitReady } from "./wait-ready.ts";

export interface ApplyDeps {
  kube: Kube;
  store: Store;
  clock: () => Date;
  waitReady: WaitReadyOptions;
  /** Called after each step is journaled done; tests throw from it to simulate a crash. */
  afterStep?: (index: number, step: PlanStep) => void | Promise<void>;
  /** Collects what each write answered, so what is drawn after the apply needs no new read. */
  written?: WrittenObjects;
  /** This process's identity, written on the journal it opens (see JournalEntry.owner). */
  owner?: string;
}

export interface StepResult {
  step: string;
  result: "done" | "skipped";
}

/** The apply stopped between steps as a crash would stop it: nothing is rolled back or marked failed. */
export class Interrupted extends Error {
  readonly planId: string;
  readonly afterStep: number;

  constructor(planId: string, afterStep: number, cause: unknown) {
    super(`apply of plan ${planId} interrupted after step ${afterStep}`, { cause });
    this.name = "Interrupted";
    this.planId = planId;
    this.afterStep = afterStep;
  }
}

/** The resourceVersion of each precondition object as just read, by refKey. */
export type Versions = Map<string, string | undefined>;

/**
 * Reads every object the plan assumes and refuses the plan when one moved on: one read per object,
 * which the writes then reuse as their condition. The object the first step patches is not read: that
 * patch carries the plan's resourceVersion, so the API server refuses it (409) if the object moved on, and
 * being first it fails before anything else is written; the plan stays all-or-nothing with one request less.
 * `createsProveAbsence`: the caller undoes the steps before a failed one (a job's preparation, see undoPrepare),
 * so an object the plan creates is not read to see it is absent: its create is refused (409) if it exists, and
 * fails as AlreadyExists.
 */
export async function checkPreconditions(
  kube: Kube,
  plan: Plan,
  options: { createsProveAbsence?: boolean } = {},
): Promise<Versions> {
  const versions: Versions = new Map();
  const proved = provedByFirstWrite(plan);
  if (proved) versions.set(refKey(proved.ref), proved.resourceVersion);
  const created = new Set(
    plan.steps.filter((step) => step.action === "create").map((step) => refKey(step.object)),
  );
  const provesItself = (pre: Precondition) =>
    pre === proved ||
    (options.createsProveAbsence === true &&
      pre.resourceVersion === undefined &&
      created.has(refKey(pre.ref)));
  await Promise.all(
    plan.preconditions
      .filter((pre) => !provesItself(pre))
      .map(async (pre) => {
        const current = await kube.get<KubeObject>(pre.ref);
        const now = current?.metadata.resourceVersion;
        if (now !== pre.resourceVersion) throw stale(pre, now);
        versions.set(refKey(pre.ref), now);
      }),
  );
  return versions;
}

/**
 * A create after the plan's first write was refused because the object exists: someone created it since the
 * plan was made. Nothing of it is Graydesk's, so undoing the plan must not delete it.
 */
export class AlreadyExists extends ReleaseError {
  readonly ref: ObjectRef;

  constructor(ref: ObjectRef, cause: unknown) {
    // Not "stale-plan": that says nothing was written, and the writes before this one were.
    super(
      "conflict",
      `The cluster changed while this plan was being applied: ${describeRef(ref)} was created by someone else, so Graydesk did not create it.`,
      { cause, retryable: false },
    );
    this.name = "AlreadyExists";
    this.ref = ref;
  }
}

/** A create refused as existing (409 AlreadyExists), as AlreadyExists; any other failure as it was. */
function refusedCreate(step: PlanStep, error: unknown): unknown {
  const exists = error instanceof ClusterError && error.status === 409 && error.reason === "AlreadyExists";
  return step.action === "create" && exists ? new AlreadyExists(step.object, error) : error;
}

/**
 * The precondition the plan's first write checks by itself: a patch or a delete conditioned on the version
 * planned, or a create (the API server refuses to create an object that exists). Waits for readiness before it
 * write nothing, so a refusal still leaves everything as it was.
 */
function provedByFirstWrite(plan: Plan): Precondition | undefined {
  const first = plan.steps[firstWrite(plan)];
  if (first?.action !== "patch" && first?.action !== "delete" && first?.action !== "create") return undefined;
  const key = refKey(first.object);
  const created = first.action === "create";
  return plan.preconditions.find(
    (pre) => (pre.resourceVersion === undefined) === created && refKey(pre.ref) === key,
  );
}

/** The index of the plan's first step that writes (-1 when none does). */
function firstWrite(plan: Plan): number {
  return plan.steps.findIndex((step) => step.action !== "wait-ready");
}

/** A refused conditional first write, worded as a stale plan: the object is read only on this path. */
async function staleFirstWrite(kube: Kube, plan: Plan, error: unknown): Promise<unknown> {
  const pre = provedByFirstWrite(plan);
  const status = error instanceof ClusterError ? error.status : undefined;
  if (!pre || (status !== 409 && status !== 404)) return error;
  const current = await kube.get<KubeObject>(pre.ref).catch(() => null);
  // Unread, or unchanged: the refusal was about something else, and it stands as it was.
  if (current === null || current?.metadata.resourceVersion === pre.resourceVersion) return error;
  return stale(pre, current?.metadata.resourceVersion);
}

function stale(pre: Precondition, now: string | undefined): ReleaseError {
  const what = describeRef(pre.ref);
  // People's words: what happened to the object, not the API server's version counters.
  const state =
    now === undefined
      ? "was deleted"
      : pre.resourceVersion === undefined
        ? "was created by someone else, though the plan creates it"
        : "was changed by someone else";
  return new ReleaseError(
    "stale-plan",
    `The cluster changed since this plan was made: ${what} ${state}; request the change again.`,
  );
}

/** Human words for a step, for the job's thread. */
export function describeStep(step: PlanStep): string {
  const what = describeRef(step.object);
  if (step.action === "wait-ready") return `wait until ${what} is ready`;
  if (step.action === "scale")
    return `scale ${what} to ${(step.after as { spec?: { replicas?: number } }).spec?.replicas} replicas`;
  return `${step.action} ${what}`;
}

/**
 * Runs the plan's steps in order from `from`, journaling each before and after. `opened`: the caller opened
 * the journal (openJournal, with step `from` started) in a store write of its own. Writes are conditional
 * on the versions read (`versions`); each write's answer updates them, so a second write to the same
 * object needs no new read.
 */
export async function runSteps(
  deps: ApplyDeps,
  plan: Plan,
  versions: Versions,
  options: { from?: number; skip?: Set<number>; opened?: boolean } = {},
): Promise<StepResult[]> {
  const journal = new Journal(deps.store, plan.id, deps.owner);
  // Another replica took the apply over (this process's word went stale): stop here, as a crash would.
  const ours = <T>(index: number, write: Promise<T>) =>
    write.catch((error: unknown) => {
      throw error instanceof TakenOver ? new Interrupted(plan.id, index, error) : error;
    });
  const from = options.from ?? 0;
  const first = from < plan.steps.length && !options.skip?.has(from) ? from : undefined;
  if (!options.opened) await journal.begin(plan.jobId, deps.clock().toISOString(), first);
  const results: StepResult[] = [];
  for (let index = from; index < plan.steps.length; index++) {
    const step = plan.steps[index] as PlanStep;
    if (options.skip?.has(index)) {
      results.push({ step: describeStep(step), result: "skipped" });
      continue;
    }
    if (index !== first) await ours(index - 1, journal.mark(index, "started"));
    const changed = await runStep(deps, step, versions).catch(async (error: unknown) => {
      if (index !== firstWrite(plan)) throw refusedCreate(step, error);
      const refused = await staleFirstWrite(deps.kube, plan, error);
      if (refused instanceof ReleaseError)
        await ours(index - 1, journal.end("failed", plainText(refused.message)));
      throw refused;
    });
    await ours(index, journal.mark(index, "done"));
    results.push({ step: describeStep(step), result: changed ? "done" : "skipped" });
    try {
      await deps.afterStep?.(index, step);
    } catch (cause) {
      throw new Interrupted(plan.id, index, cause);
    }
  }
  await ours(plan.steps.length - 1, journal.end("done"));
  return results;
}

async function runStep(deps: ApplyDeps, step: PlanStep, versions: Versions): Promise<boolean> {
  const { kube, written } = deps;
  const key = refKey(step.object);
  const ref = step.object;
  switch (step.action) {
    case "create": {
      const created = await kube.create(step.after as KubeObject);
      versions.set(key, created.metadata?.resourceVersion);
      written?.wrote(ref, created as KubeObject);
      return true;
    }
    case "patch": {
      const body = (step.patch?.body ?? {}) as { metadata?: Record<string, unknown> };
      const rv = versions.get(key);
      const conditional = rv
        ? { ...body, metadata: { ...(body.metadata ?? {}), resourceVersion: rv } }
        : body;
      const patched = await kube.mergePatch<KubeObject>(ref, conditional);
      versions.set(key, patched.metadata.resourceVersion);
      written?.wrote(ref, patched);
      return true;
    }
    case "scale": {
      // Replica counts are absolute, and a Deployment's version moves with every pod: no condition.
      const scaled = await kube.mergePatch<KubeObject>(ref, step.patch?.body ?? {});
      written?.wrote(ref, scaled);
      return true;
    }
    case "delete": {
      // Conditional on the version read (planned or checked): a delete needs no read of its own before it.
      const rv = versions.get(key);
      versions.delete(key);
      const deleted = await kube.delete(ref, rv ? { resourceVersion: rv } : {});
      written?.wrote(ref, undefined);
      return deleted;
    }
    case "wait-ready": {
      // Waited for whether or not the answers are collected (`written?.wrote(await …)` would skip the wait).
      const ready = await waitReady(kube, ref.namespace, ref.name, deps.waitReady);
      // The Deployment as it was found ready: what is drawn after the apply shows it so, with no new read.
      written?.wrote(ref, ready);
      return true;
    }
  }
}

/**
 * Sends each create and patch with dryRun=All, so the API server's schema and admission checks reject a
 * bad object before anyone approves it. Nothing is stored. A patch carries the resourceVersion planned, so an
 * object changed since it was read is refused (409) here too: the plan is then stale before anyone is asked.
 */
export async function dryRunPlan(kube: Kube, plan: Plan): Promise<void> {
  for (const step of plan.steps) {
    if (step.action === "create") await kube.create(step.after as KubeObject, { dryRun: true });
    if (step.action === "scale") await kube.mergePatch(step.object, step.patch?.body ?? {}, { dryRun: true });
    if (step.action === "patch") {
      const body = (step.patch?.body ?? {}) as { metadata?: Record<string, unknown> };
      const key = refKey(step.object);
      const rv = plan.preconditions.find((pre) => refKey(pre.ref) === key)?.resourceVersion;
      const conditional = rv
        ? { ...body, metadata: { ...(body.metadata ?? {}), resourceVersion: rv } }
        : body;
      await kube.mergePatch(step.object, conditional, { dryRun: true });
    }
  }
}

/** The objects the plan's dry run checks at the version planned: its patches with a precondition. */
export function checkedByDryRun(plan: Plan): Set<string> {
  const pinned = new Set(
    plan.preconditions.filter((pre) => pre.resourceVersion).map((pre) => refKey(pre.ref)),
  );
  return new Set(
    plan.steps
      .filter((step) => step.action === "patch" && pinned.has(refKey(step.object)))
      .map((step) => refKey(step.object)),
  );
}
