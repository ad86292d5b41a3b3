import type { App } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import { namespaceOptions, serviceOptions } from "../../../views/wizard/index.ts";
import { actorOf } from "../actor.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { type ViewPayload, wizardOf } from "./wizard-view.ts";

/**
 * The external selects: namespaces and services come from the live cluster as the user types. Slack waits
 * 3 s for options, so a slow or failing cluster answers with an empty list and a log line, not a timeout.
 */
export function registerSuggestions(app: App, deps: WizardDeps): void {
  app.options(ids.wizard.namespace, async ({ ack, body }) => {
    try {
      await ack(namespaceOptions(await deps.desk.namespaces(), body.value ?? ""));
    } catch (error) {
      deps.logger.warn({ err: error }, "wizard: namespaces could not be listed");
      await ack({ options: [] });
    }
  });

  app.options(ids.wizard.service, async ({ ack, body }) => {
    const view = (body as { view?: ViewPayload }).view;
    const namespace = view && wizardOf(view, deps.drafts)?.namespace;
    const actor = actorOf(body as Parameters<typeof actorOf>[0]);
    if (!namespace || !(await deps.authorizer.authorize(actor, "job.create", namespace)).ok) {
      await ack({ options: [] });
      return;
    }
    try {
      const [apps, services] = await Promise.all([deps.desk.apps(namespace), deps.desk.services(namespace)]);
      await ack(serviceOptions(apps, services, body.value ?? ""));
    } catch (error) {
      deps.logger.warn({ err: error, namespace }, "wizard: services could not be listed");
      await ack({ options: [] });
    }
  });
}
