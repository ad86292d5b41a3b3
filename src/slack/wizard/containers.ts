import type { App, BlockAction, OverflowAction, ViewSubmitAction } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { ids } from "../../../views/ids.ts";
import {
  buildAdvancedStep,
  buildContainerStep,
  buildStep,
  decodeSubForm,
  parseAdvancedStep,
  parseContainerStep,
  readStep,
  type SubFormMeta,
  type WizardState,
} from "../../../views/wizard/index.ts";
import type { Actor } from "../../approvals/index.ts";
import type { ContainerSettings } from "../../release/index.ts";
import { actorOf } from "../actor.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { EXPIRED, fitted, redraw, type ViewPayload, valuesOf, wizardOf } from "./wizard-view.ts";

/**
 * "Add container", and each listed container's menu (edit, advanced settings, remove). Editing pushes a form
 * over the wizard; saving it closes the form and redraws the wizard with the container in its list.
 */
export function registerContainerActions(app: App, deps: WizardDeps): void {
  const opened = (view: ViewPayload | undefined): WizardState | undefined =>
    view &&
    wizardOf(view, deps.drafts) &&
    readStep(valuesOf(view), wizardOf(view, deps.drafts) as WizardState);

  app.action<BlockAction>(ids.wizard.addContainer, async ({ ack, body, client }) => {
    await ack();
    const state = opened(body.view);
    if (!body.view || !state) return;
    const meta: SubFormMeta = { parent: body.view.id, index: -1, wizard: state };
    const loading = deps.inFlight.track(
      Promise.all([
        loadNamespaceData(deps, state.namespace, actorOf(body)),
        loadGuard(deps, state, actorOf(body)),
      ]),
    );
    await push(deps, client, body.trigger_id, buildContainerStep(undefined, meta));
    await loading;
  });

  app.action<BlockAction<OverflowAction>>(ids.wizard.editContainer, async ({ ack, body, action, client }) => {
    await ack();
    const state = opened(body.view);
    const [what, at] = (action.selected_option?.value ?? "").split(":");
    const index = Number(at);
    const container = state?.containers?.[index];
    if (!body.view || !state || !container) return;
    const meta: SubFormMeta = { parent: body.view.id, index, wizard: state };
    if (what === "edit") {
      const loading = deps.inFlight.track(
        Promise.all([
          loadNamespaceData(deps, state.namespace, actorOf(body)),
          loadGuard(deps, state, actorOf(body)),
        ]),
      );
      await push(deps, client, body.trigger_id, buildContainerStep(container, meta));
      await loading;
    }
    if (what === "advanced") {
      const loading = deps.inFlight.track(
        Promise.all([
          loadNamespaceData(deps, state.namespace, actorOf(body)),
          loadGuard(deps, state, actorOf(body)),
        ]),
      );
      await push(deps, client, body.trigger_id, buildAdvancedStep(container, meta));
      await loading;
    }
    if (what === "remove") {
      const containers = (state.containers ?? []).filter((_, i) => i !== index);
      const work = redraw(
        client,
        deps.drafts,
        body.view.id,
        buildStep({ ...state, containers }),
        body.view.hash,
      );
      await deps.inFlight.track(
        work.catch((error) => deps.logger.warn({ err: error }, "wizard: remove failed")),
      );
    }
  });

  const save = (
    callbackId: string,
    parse: (
      meta: SubFormMeta,
      view: ViewPayload,
    ) => { containers: ContainerSettings[]; errors: Record<string, string> },
  ) => {
    app.view<ViewSubmitAction>(callbackId, async ({ ack, view, client }) => {
      const meta = decodeSubForm(deps.drafts.resolve(view.private_metadata));
      if (!meta) {
        await ack({ response_action: "update", view: EXPIRED });
        return;
      }
      const parsed = parse(meta, view);
      if (Object.keys(parsed.errors).length > 0) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      await ack();
      deps.drafts.drop(view.private_metadata);
      const next = buildStep({ ...meta.wizard, containers: parsed.containers });
      const work = redraw(client, deps.drafts, meta.parent, next).catch((error) =>
        deps.logger.warn({ err: error }, "wizard: could not show the saved container"),
      );
      await deps.inFlight.track(work);
    });
  };
  const data = (meta: SubFormMeta) => deps.namespaceData.get(meta.wizard.namespace ?? "");
  const guard = (meta: SubFormMeta) => deps.guards.get(guardKey(meta.wizard));
  save(ids.wizard.containerCallback, (meta, view) =>
    parseContainerStep(valuesOf(view), meta, data(meta), guard(meta)),
  );
  save(ids.wizard.advancedCallback, (meta, view) =>
    parseAdvancedStep(valuesOf(view), meta, data(meta), guard(meta)),
  );
}

async function push(deps: WizardDeps, client: WebClient, triggerId: string, view: ModalView): Promise<void> {
  await client.views.push({ trigger_id: triggerId, view: fitted(view, deps.drafts) }).catch((error) => {
    deps.logger.warn({ err: error }, "wizard: could not open the container form");
  });
}

/** ConfigMaps and Secrets of the namespace, so environment references are checked when the form is saved. */
async function loadNamespaceData(
  deps: WizardDeps,
  namespace: string | undefined,
  actor: Actor,
): Promise<void> {
  // Secret and ConfigMap names are for the namespace's requesters only.
  if (!namespace || !(await deps.authorizer.authorize(actor, "job.create", namespace)).ok) return;
  try {
    deps.namespaceData.set(namespace, await deps.desk.namespaceConfig(namespace));
  } catch (error) {
    deps.logger.warn({ err: error, namespace }, "wizard: ConfigMaps and Secrets could not be read");
  }
}

const guardKey = (state: Pick<WizardState, "namespace" | "service">) =>
  `${state.namespace ?? ""}/${state.service ?? ""}`;

/** The stable pod and the namespace's rules, so each container save is held to the pod-spec guard inline. */
async function loadGuard(deps: WizardDeps, state: WizardState, actor: Actor): Promise<void> {
  if (!state.namespace || !state.service) return;
  if (!(await deps.authorizer.authorize(actor, "job.create", state.namespace)).ok) return;
  try {
    const guard = await deps.desk.newVersionGuard(state.namespace, state.service);
    if (guard) deps.guards.set(guardKey(state), guard);
  } catch (error) {
    deps.logger.warn(
      { err: error, namespace: state.namespace },
      "wizard: the pod-spec guard could not be read",
    );
  }
}
