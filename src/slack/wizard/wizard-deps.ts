import type { NamespaceData, NewVersionGuard } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";
import type { WizardDrafts } from "./drafts.ts";

/** What the wizard's listeners use: the shared Slack deps plus the wizard's drafts and config cache. */
export interface WizardDeps
  extends Pick<
    SlackDeps,
    | "logger"
    | "inFlight"
    | "desk"
    | "approvals"
    | "cards"
    | "audit"
    | "clock"
    | "authorizer"
    | "promises"
    | "policy"
  > {
  drafts: WizardDrafts;
  /** ConfigMaps and Secrets per namespace, read when the advanced form opens, to check env references. */
  namespaceData: Map<string, NamespaceData>;
  /** The pod-spec guard per `namespace/service`, read when a container form opens, to refuse raises inline. */
  guards: Map<string, NewVersionGuard>;
}
