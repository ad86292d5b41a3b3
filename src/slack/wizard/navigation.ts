import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import { buildStep, nextStep, parseStep, previousStep, readStep } from "../../../views/wizard/index.ts";
import { requestLogger } from "../../log.ts";
import { actorOf } from "../actor.ts";
import { finishWizard } from "./finish.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { EXPIRED, fitted, redraw, valuesOf, wizardOf } from "./wizard-view.ts";

/**
 * Next and Create are the modal's submit: the step is parsed and checked before ack() (pure, no cluster call),
 * so problems come back inline on their fields; otherwise the same modal moves to the next tab.
 */
export function registerNavigation(app: App, deps: WizardDeps): void {
  app.view<ViewSubmitAction>(ids.wizard.callback, async ({ ack, body, view, client }) => {
    const state = wizardOf(view, deps.drafts);
    if (!state) {
      await ack({ response_action: "update", view: EXPIRED });
      return;
    }
    const parsed = parseStep(valuesOf(view), state);
    if (Object.keys(parsed.errors).length > 0) {
      await ack({ response_action: "errors", errors: parsed.errors });
      return;
    }
    const next = nextStep(parsed.state);
    if (next) {
      await ack({
        response_action: "update",
        view: fitted(buildStep({ ...parsed.state, step: next }), deps.drafts),
      });
      return;
    }
    const logger = requestLogger(deps.logger, { team: body.team?.id, user: body.user.id, kind: "wizard" });
    await finishWizard({ deps, ack, client, logger, view, state: parsed.state, actor: actorOf(body) });
  });

  // Back keeps what was typed on this tab too: it is read (without checks) before the previous tab shows.
  app.action<BlockAction<ButtonAction>>(ids.wizard.back, async ({ ack, body, client }) => {
    await ack();
    const view = body.view;
    const state = view && wizardOf(view, deps.drafts);
    if (!view || !state) return;
    const read = readStep(valuesOf(view), state);
    const back = previousStep(read) ?? read.step;
    const work = redraw(client, deps.drafts, view.id, buildStep({ ...read, step: back }), view.hash).catch(
      (error) => deps.logger.warn({ err: error }, "wizard: could not go back"),
    );
    await deps.inFlight.track(work);
  });
}
