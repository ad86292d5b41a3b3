import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import {
  buildWizardOutcome,
  decodeState,
  type StateValues,
  type WizardState,
} from "../../../views/wizard/index.ts";
import type { WizardDrafts } from "./drafts.ts";

/** The parts of a view payload the wizard reads. */
export interface ViewPayload {
  id: string;
  hash?: string;
  private_metadata?: string;
  state?: { values: unknown };
}

export const valuesOf = (view: ViewPayload): StateValues => (view.state?.values ?? {}) as StateValues;

/** The view's values with the action that just happened in them (Slack may send the state from before it). */
export function withAction(
  view: ViewPayload,
  action: { block_id?: string; action_id?: string },
): StateValues {
  const values = valuesOf(view);
  const { block_id: block, action_id: id } = action;
  if (!block || !id) return values;
  return { ...values, [block]: { ...values[block], [id]: action as StateValues[string][string] } };
}

/** The wizard state a view carries (from its draft when it outgrew private_metadata). */
export function wizardOf(view: ViewPayload, drafts: WizardDrafts): WizardState | undefined {
  const state = decodeState(drafts.resolve(view.private_metadata));
  // A notice is about the moment it was shown; whatever the user does next replaces it.
  return state ? { ...state, notice: undefined } : undefined;
}

/** A view ready to send: metadata that does not fit goes to a draft. */
export function fitted(view: ModalView, drafts: WizardDrafts): ModalView {
  return view.private_metadata ? { ...view, private_metadata: drafts.fit(view.private_metadata) } : view;
}

export const EXPIRED = buildWizardOutcome(
  "New release",
  "This wizard has expired (Graydesk restarted while it was open). Type `/release new` to start again.",
  true,
);

/** Redraws a wizard view in place; `hash` makes Slack refuse it when the user changed the view meanwhile. */
export async function redraw(
  client: WebClient,
  drafts: WizardDrafts,
  viewId: string,
  view: ModalView,
  hash?: string,
): Promise<void> {
  await client.views.update({ view_id: viewId, view: fitted(view, drafts), ...(hash ? { hash } : {}) });
}
