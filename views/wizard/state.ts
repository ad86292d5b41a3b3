import type {
  ClientOs,
  ContainerSettings,
  MatchKind,
  ReleaseStrategy,
  RouterKind,
  Version,
} from "../../src/release/index.ts";
import { stableVersionOf } from "./stable.ts";

/** The wizard's tabs, in order. `type` is only shown when `/release new` was typed without a strategy. */
export const STEPS = ["type", "basic", "service", "version", "strategy"] as const;
export type WizardStep = (typeof STEPS)[number];

/** What the cluster said about the chosen service when it was picked; the later steps validate against it. */
export interface StableInfo {
  versions: { version: Version; replicas: number; readyReplicas: number }[];
  /** The stable version's containers: "replace the image" offers one field per container. */
  containers: { name: string; image: string }[];
  /** The stable version's containers with every setting: "Describe the containers" starts from them. */
  described?: ContainerSettings[];
  /** A job already running on the service (one active job per service). */
  activeJob?: string;
  /** The routers that can split this service's traffic here, the detected default first. */
  routers?: RouterKind[];
}

/** A header, cookie, query parameter or URI condition row of a canary by request parameters, as typed. */
export interface ConditionRow {
  kind: "header" | "cookie" | "query" | "uri";
  name: string;
  match: MatchKind;
  value: string;
}

/** The Strategy Settings tab as filled in. Only the fields of the job's strategy matter. */
export interface StrategyForm {
  /** Blue-green: which version takes all traffic once approved. */
  serve?: "stable" | "new";
  canaryBy?: "weights" | "match";
  /** Canary: the new version's share, in percent. */
  percent?: number;
  conditions?: ConditionRow[];
  oses?: ClientOs[];
  /** Mirroring: the share of traffic copied to the new version. */
  mirror?: number;
}

/**
 * Everything entered so far. It travels in the modal's private_metadata (see drafts), so it holds only what
 * the user typed and what the next steps need to validate without calling the cluster.
 */
export interface WizardState {
  step: WizardStep;
  /** Where the command was typed: the job card goes there. */
  channel: string;
  /** Whether the strategy came with the command (then there is no `type` step to go back to). */
  fixedStrategy?: boolean;
  strategy?: ReleaseStrategy;
  name?: string;
  namespace?: string;
  app?: string;
  template?: boolean;
  service?: string;
  stable?: StableInfo;
  /** The traffic router chosen on the service step; the detected default when not chosen. */
  router?: RouterKind;
  version?: string;
  replicas?: number;
  mode?: "replace-image" | "full";
  images?: Record<string, string>;
  containers?: ContainerSettings[];
  traffic?: StrategyForm;
  /** A problem found after the step was left (the engine refused a field), shown on top of the step. */
  notice?: string;
}

export function newWizard(channel: string, strategy?: ReleaseStrategy): WizardState {
  return strategy ? { step: "basic", channel, strategy, fixedStrategy: true } : { step: "type", channel };
}

/** The steps this wizard walks through (without `type` when the strategy was given). */
export function stepsOf(state: Pick<WizardState, "fixedStrategy">): WizardStep[] {
  return state.fixedStrategy ? STEPS.filter((s) => s !== "type") : [...STEPS];
}

export function nextStep(state: WizardState): WizardStep | undefined {
  const steps = stepsOf(state);
  return steps[steps.indexOf(state.step) + 1];
}

export function previousStep(state: WizardState): WizardStep | undefined {
  const steps = stepsOf(state);
  const at = steps.indexOf(state.step);
  return at > 0 ? steps[at - 1] : undefined;
}

/** The version serving today, which the new version is released against. */
export function stableVersion(stable: StableInfo | undefined): Version | undefined {
  return stableVersionOf(stable?.versions ?? [])?.version;
}

export const STRATEGY_NAMES: Record<ReleaseStrategy, string> = {
  "blue-green": "Blue-Green Deployment",
  canary: "Canary Release",
  mirror: "Traffic Mirroring",
};
