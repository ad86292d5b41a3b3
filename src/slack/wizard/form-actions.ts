import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import {
  blankRow,
  buildStep,
  readStep,
  stableInfoOf,
  type WizardState,
} from "../../../views/wizard/index.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { redraw, type ViewPayload, withAction, wizardOf } from "./wizard-view.ts";

type Change = (state: WizardState, action: { value?: string }) => WizardState | Promise<WizardState>;

/**
 * Choices that change the form itself: picking the namespace or the service, switching how containers or
 * canary traffic are given, adding or removing a condition. Each reads what is typed so far (nothing is lost)
 * and redraws the tab.
 */
export function registerFormActions(app: App, deps: WizardDeps): void {
  const on = (actionId: string, change: Change) => {
    app.action<BlockAction>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const view = body.view as ViewPayload | undefined;
      const state = view && wizardOf(view, deps.drafts);
      if (!view || !state) return;
      const work = (async () => {
        const next = await change(readStep(withAction(view, action), state), action as { value?: string });
        await redraw(client, deps.drafts, view.id, buildStep(next), view.hash);
      })().catch((error) => deps.logger.warn({ err: error, action: actionId }, "wizard: could not redraw"));
      await deps.inFlight.track(work);
    });
  };
  const same: Change = (state) => state;

  on(ids.wizard.namespace, same);
  on(ids.wizard.service, (state) => withServiceInfo(deps, state));
  on(ids.wizard.containersMode, same);
  on(ids.wizard.canaryBy, same);
  on(ids.wizard.addCondition, (state) => ({
    ...state,
    traffic: { ...state.traffic, conditions: [...(state.traffic?.conditions ?? [blankRow()]), blankRow()] },
  }));
  on(ids.wizard.removeCondition, (state, action) => ({
    ...state,
    traffic: {
      ...state.traffic,
      conditions: (state.traffic?.conditions ?? []).filter((_, i) => i !== Number(action.value)),
    },
  }));
}

/** The picked service's versions, replicas and containers, read once from the cluster when it is picked. */
async function withServiceInfo(deps: WizardDeps, state: WizardState): Promise<WizardState> {
  if (!state.namespace || !state.service || state.stable) return state;
  const services = await deps.desk.services(state.namespace, state.app);
  const found = services.find((s) => s.name === state.service);
  return found ? { ...state, stable: stableInfoOf(found) } : state;
}
