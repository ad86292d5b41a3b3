import type { App, ViewClosedAction } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import type { SlackDeps } from "../deps.ts";
import { registerContainerActions } from "./containers.ts";
import { WizardDrafts } from "./drafts.ts";
import { registerFormActions } from "./form-actions.ts";
import { registerImageActions } from "./images.ts";
import { registerNavigation } from "./navigation.ts";
import { registerSuggestions } from "./suggestions.ts";
import type { WizardDeps } from "./wizard-deps.ts";

export { type CreatedRelease, createRelease, describeCreated } from "./create-release.ts";
export { METADATA_LIMIT, WizardDrafts } from "./drafts.ts";
export type { WizardDeps } from "./wizard-deps.ts";
export { fitted } from "./wizard-view.ts";

/** The `/release new` wizard's listeners: steps, form changes, container forms, cluster-backed selects. */
export function registerWizard(
  app: App,
  deps: SlackDeps & Partial<Pick<WizardDeps, "drafts" | "namespaceData" | "guards">>,
): WizardDeps {
  const wizard: WizardDeps = {
    ...deps,
    drafts: deps.drafts ?? new WizardDrafts(),
    namespaceData: deps.namespaceData ?? new Map(),
    guards: deps.guards ?? new Map(),
  };
  registerNavigation(app, wizard);
  registerFormActions(app, wizard);
  registerContainerActions(app, wizard);
  registerSuggestions(app, wizard);
  registerImageActions(app, wizard);
  app.view<ViewClosedAction>(
    { callback_id: ids.wizard.callback, type: "view_closed" },
    async ({ ack, view }) => {
      await ack();
      wizard.drafts.drop(view.private_metadata);
    },
  );
  return wizard;
}
