/** The progressive-delivery controllers whose pauses Graydesk gates. */
export type Controller = "flagger" | "argo-rollouts";

/** What a gate request asks for: a Flagger webhook to pass, or an Argo Rollouts CLI action to run. */
export type GateKind =
  | "confirm-rollout"
  | "confirm-traffic-increase"
  | "confirm-promotion"
  | "rollback"
  | "promote"
  | "promote-full";

/** A line of what the controller reports, shown on the card (step, weight, images, analysis figures). */
export interface Fact {
  label: string;
  value: string;
}

/**
 * A release run by a controller, not by Graydesk: a Flagger Canary or an Argo Rollout that called or paused at
 * one of Graydesk's gates. One per resource, keyed `controller/namespace/name`; its card follows it.
 */
export interface GatedRelease {
  id: string;
  controller: Controller;
  namespace: string;
  name: string;
  /** Where its card and requests are posted. */
  channel: string;
  card?: { channel: string; ts: string };
  /** The controller's word for where it is (Flagger's canary phase, the Rollout's status.phase). */
  phase: string;
  /** What identifies the revision being released: Flagger's checksum, the Rollout's current pod hash. */
  revision: string;
  facts: Fact[];
  /** Finished: healthy/promoted, or aborted/rolled back; the card stops offering actions. */
  done?: string;
  updatedAt: string;
}

/** The fields a gate request keeps beside the approval gate's own, in the same stored record. */
export interface GateFields {
  controller: Controller;
  gate: GateKind;
  releaseId: string;
  /** The revision the request was opened for; a different one is a different request. */
  revision: string;
  /** Argo: the Rollout's state when the request was opened, to refuse a Rollout that moved on since. */
  snapshot?: { stepIndex?: number; podHash?: string; pausedAt?: string };
}

export function releaseId(controller: Controller, namespace: string, name: string): string {
  return `${controller}/${namespace}/${name}`;
}

/** The gate's key for a release's requests of one kind: a newer one supersedes the older pending one. */
export function gateSubject(id: string, gate: GateKind): string {
  return `${id}#${gate}`;
}

export const CONTROLLER_NAMES: Record<Controller, string> = {
  flagger: "Flagger",
  "argo-rollouts": "Argo Rollouts",
};
