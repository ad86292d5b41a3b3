import type { NamespaceData } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";
import type { WizardDrafts } from "./drafts.ts";

/** What the wizard's listeners use: the shared Slack deps plus the wizard's drafts and config cache. */
export interface WizardDeps
  extends Pick<
    SlackDeps,
    "logger" | "inFlight" | "desk" | "approvals" | "cards" | "audit" | "clock" | "authorizer"
  > {
  drafts: WizardDrafts;
  /** ConfigMaps and Secrets per namespace, read when the advanced form opens, to check env references. */
  namespaceData: Map<string, NamespaceData>;
}
