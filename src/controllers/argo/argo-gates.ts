import type { RolloutObject } from "../../cluster/index.ts";
import type { Logger } from "../../log.ts";
import { UserFacingError } from "../../release/index.ts";
import type { GateDesk } from "../gate-desk.ts";
import { type GateRequest, gateRequestsOf } from "../gate-requests.ts";
import { type GatedRelease, gateSubject, releaseId } from "../types.ts";
import { ABORT_PATCH, type CliPatch, promotePatch } from "./cli-patches.ts";
import { doneOf, factsOf, pauseOf, revisionOf, stepIndexOf, stepsOf } from "./rollout-state.ts";

/** The Rollout reads and writes the gates need (RolloutsClient). */
export interface RolloutAccess {
  get(namespace: string, name: string): Promise<RolloutObject | undefined>;
  patch(namespace: string, name: string, body: object, subresource?: "status"): Promise<RolloutObject>;
}

export interface ArgoGatesOptions {
  desk: GateDesk;
  rollouts: RolloutAccess;
  logger: Logger;
  clock: () => Date;
}

/**
 * Argo Rollouts' pauses as approval requests. A Rollout paused at a `pause: {}` step (or a blue-green promotion)
 * gets one request per pause; approving it writes what `kubectl argo rollouts promote` writes, once, and only if
 * the Rollout is still at the pause the request was opened for. Abort writes what `abort` writes.
 */
export class ArgoGates {
  readonly #o: ArgoGatesOptions;
  readonly #lanes = new Map<string, Promise<unknown>>();

  constructor(options: ArgoGatesOptions) {
    this.#o = options;
  }

  /** A Rollout as the watch saw it: the card follows it; a new pause opens a request. */
  seen(rollout: RolloutObject): Promise<void> {
    const id = releaseId("argo-rollouts", rollout.metadata.namespace, rollout.metadata.name);
    return this.#inLane(id, () => this.#seen(rollout, id));
  }

  async #seen(rollout: RolloutObject, id: string): Promise<void> {
    const { desk } = this.#o;
    const known = desk.releases.get(id);
    const pause = pauseOf(rollout);
    // Nothing to show until a Rollout first waits for a person; after that its card follows it to the end.
    if (!known && !pause) return;
    const channel = known?.channel ?? desk.channelFor(rollout.metadata.namespace);
    if (!channel) {
      this.#o.logger.warn({ rollout: id }, "paused Rollout, but no Slack channel for its namespace");
      return;
    }
    const done = doneOf(rollout);
    const release: GatedRelease = {
      id,
      controller: "argo-rollouts",
      namespace: rollout.metadata.namespace,
      name: rollout.metadata.name,
      channel,
      phase: rollout.status?.phase ?? "Progressing",
      revision: revisionOf(rollout),
      facts: factsOf(rollout),
      ...(done ? { done } : {}),
      ...(known?.card ? { card: known.card } : {}),
      updatedAt: this.#o.clock().toISOString(),
    };
    const changed =
      !known || JSON.stringify({ ...known, updatedAt: "" }) !== JSON.stringify({ ...release, updatedAt: "" });
    if (changed) await desk.releases.save(release);
    if (pause && !done && !this.#asked(id, rollout, pause.startTime)) {
      const steps = stepsOf(rollout);
      const where = rollout.spec.strategy?.blueGreen
        ? "before switching the active Service"
        : `at step ${stepIndexOf(rollout) + 1} of ${steps.length}`;
      await desk.open({
        release,
        gate: "promote",
        requestedBy: "argo-rollouts",
        summary: `Argo Rollouts paused ${release.namespace}/${release.name} ${where} (${pause.reason}); approving does what kubectl argo rollouts promote does`,
        snapshot: { stepIndex: stepIndexOf(rollout), podHash: release.revision, pausedAt: pause.startTime },
      });
      return;
    }
    // A request for a pause the Rollout has left can no longer be approved: close it, so the card stops offering it.
    const left = await desk.closeStale(
      id,
      "promote",
      (r) => !this.#stillAt(rollout, r),
      "the Rollout moved on before anyone approved it",
    );
    if (changed || left > 0) await desk.cards.redraw(id);
  }

  #stillAt(rollout: RolloutObject, request: GateRequest): boolean {
    const pause = pauseOf(rollout);
    return (
      pause !== undefined &&
      !doneOf(rollout) &&
      request.snapshot?.podHash === revisionOf(rollout) &&
      request.snapshot?.stepIndex === stepIndexOf(rollout) &&
      request.snapshot?.pausedAt === pause.startTime
    );
  }

  /** Whether this pause already has a request (any state: a rejected pause is not asked again). */
  #asked(id: string, rollout: RolloutObject, pausedAt: string): boolean {
    const subject = gateSubject(id, "promote");
    return gateRequestsOf(this.#o.desk.store, id).some(
      (r) =>
        r.jobId === subject &&
        r.snapshot?.podHash === revisionOf(rollout) &&
        r.snapshot?.stepIndex === stepIndexOf(rollout) &&
        r.snapshot?.pausedAt === pausedAt,
    );
  }

  /** Carries out an approved promote or full promotion (the gate hands each request out once). */
  carryOut = async (request: GateRequest): Promise<string> => {
    const rollout = await this.#o.rollouts.get(request.namespace, request.jobName);
    const name = `Rollout ${request.namespace}/${request.jobName}`;
    if (!rollout) throw new UserFacingError("stale-plan", `${name} no longer exists: nothing was promoted.`);
    if (revisionOf(rollout) !== request.revision)
      throw new UserFacingError(
        "stale-plan",
        `${name} moved on to another revision since this request: not promoted.`,
      );
    if (request.gate === "promote") {
      const pause = pauseOf(rollout);
      const at = request.snapshot;
      if (!pause || pause.startTime !== at?.pausedAt || stepIndexOf(rollout) !== at?.stepIndex) {
        const now = pause
          ? `paused at step ${stepIndexOf(rollout) + 1}`
          : `at step ${stepIndexOf(rollout) + 1}, not paused`;
        throw new UserFacingError(
          "stale-plan",
          `${name} moved on since this request (asked at step ${(at?.stepIndex ?? 0) + 1}, now ${now}): not promoted again.`,
        );
      }
    }
    const full = request.gate === "promote-full";
    const written = await this.#write(rollout, promotePatch(rollout, full));
    return `${full ? "fully promoted" : "promoted"} as kubectl argo rollouts promote${full ? " --full" : ""} does (${written})`;
  };

  /** `kubectl argo rollouts abort`, by someone who may approve in the namespace; pending requests close with it. */
  async abort(id: string, user: string): Promise<string> {
    const { desk } = this.#o;
    const release = desk.releases.get(id);
    if (release?.controller !== "argo-rollouts")
      throw new UserFacingError("not-found", "That Rollout is no longer tracked by Graydesk.");
    const allowed = await desk.mayDecide(release.namespace, user);
    if (!allowed.ok) throw new UserFacingError("not-allowed", allowed.rule);
    const rollout = await this.#o.rollouts.get(release.namespace, release.name);
    if (!rollout)
      throw new UserFacingError(
        "not-found",
        `Rollout ${release.namespace}/${release.name} no longer exists.`,
      );
    // Pending requests close first: the watcher sees the abort's own write and must find none left to call stale.
    await desk.aborting(release, user);
    const written = await this.#write(rollout, ABORT_PATCH);
    await desk.aborted(release, user, written);
    return `:octagonal_sign: Aborted Rollout ${release.namespace}/${release.name} as kubectl argo rollouts abort does (${written}).`;
  }

  /** Writes a CLI patch as the CLI does: status subresource first, the whole patch on the Rollout if it is not served. */
  async #write(rollout: RolloutObject, patch: CliPatch): Promise<string> {
    const { namespace, name } = rollout.metadata;
    let spec = patch.spec;
    const written: string[] = [];
    if (patch.status) {
      try {
        await this.#o.rollouts.patch(namespace, name, patch.status, "status");
        written.push(`rollouts/status ${JSON.stringify(patch.status)}`);
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        spec = patch.unified;
      }
    }
    if (spec) {
      await this.#o.rollouts.patch(namespace, name, spec);
      written.push(`rollouts ${JSON.stringify(spec)}`);
    }
    return written.join(", ") || "nothing needed writing";
  }

  #inLane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#lanes.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.#lanes.set(key, settled);
    void settled.then(() => {
      if (this.#lanes.get(key) === settled) this.#lanes.delete(key);
    });
    return run;
  }
}
