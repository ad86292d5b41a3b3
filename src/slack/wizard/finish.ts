import type { AckFn, ViewResponseAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { GENERIC_APOLOGY } from "../../../views/error.ts";
import {
  backToRefusedField,
  buildStep,
  buildWizardOutcome,
  createJobInput,
  requestedTraffic,
  type WizardState,
} from "../../../views/wizard/index.ts";
import type { Actor } from "../../approvals/index.ts";
import type { Logger } from "../../log.ts";
import { ReleaseError } from "../../release/index.ts";
import { userMessageOf } from "../errors.ts";
import { type CreatedRelease, createRelease, describeCreated } from "./create-release.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { redraw, type ViewPayload } from "./wizard-view.ts";

interface Finish {
  deps: WizardDeps;
  ack: AckFn<ViewResponseAction>;
  client: WebClient;
  logger: Logger;
  view: ViewPayload;
  state: WizardState;
  actor: Actor;
}

/**
 * Create: the modal turns into a "creating" note at once (ack), then the job is created, its card posted and
 * the first traffic change put up for approval. Fields the engine refuses take the wizard back to their tab
 * while it is open; once it was closed, the person hears it privately in the channel.
 */
export async function finishWizard({ deps, ack, client, logger, view, state, actor }: Finish): Promise<void> {
  const user = actor.user;
  await ack({
    response_action: "update",
    view: buildWizardOutcome("New release", `:hourglass_flowing_sand: Creating release job *${state.name}*…`),
  });
  const tell = async (text: string) => {
    await client.chat.postEphemeral({ channel: state.channel, user, text }).catch((error) => {
      logger.error({ err: error }, "wizard: could not tell the user the outcome");
    });
  };
  const show = async (next: Parameters<typeof redraw>[3], fallback: string) => {
    await redraw(client, deps.drafts, view.id, next).catch(() => tell(fallback));
  };
  const work = (async () => {
    const traffic = requestedTraffic(state);
    try {
      const deploying = async (created: CreatedRelease) => {
        const text = describeCreated(created, traffic);
        await redraw(client, deps.drafts, view.id, buildWizardOutcome("Release created", text, true)).catch(
          () => undefined,
        );
      };
      const created = await createRelease(
        deps,
        logger,
        createJobInput(state),
        traffic,
        actor,
        state.channel,
        deploying,
      );
      await show(
        buildWizardOutcome("Release created", describeCreated(created, traffic), true),
        describeCreated(created, traffic),
      );
    } catch (error) {
      if (error instanceof ReleaseError && error.code === "invalid-field" && error.fields?.length) {
        logger.info({ fields: error.fields }, "wizard: the engine refused fields");
        await show(buildStep(backToRefusedField(state, error.fields)), `:warning: ${error.message}`);
        return;
      }
      const message = userMessageOf(error);
      if (message === undefined) logger.error({ err: error }, "wizard: creating the job failed");
      const text = `:warning: Release job *${state.name}* was not created. ${message ?? GENERIC_APOLOGY}`;
      await show(buildWizardOutcome("Not created", text, true), text);
    }
  })();
  await deps.inFlight.track(work);
}
