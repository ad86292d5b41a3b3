import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../../views/ids.ts";
import {
  buildContainerStep,
  decodeSubForm,
  imageOptions,
  pullSecretOptions,
  readContainerStep,
  readImage,
  readPullSecret,
  type StateValues,
  type SubFormMeta,
} from "../../../views/wizard/index.ts";
import { type PortSettings, withImagePorts } from "../../release/index.ts";
import { actorOf } from "../actor.ts";
import type { WizardDeps } from "./wizard-deps.ts";
import { fitted, type ViewPayload, valuesOf } from "./wizard-view.ts";

/**
 * The container form's registry parts: the project's image pull Secrets and the registry's images as the user
 * types (Slack waits 3 s for options: the registry gets a deadline inside that, and a failure is an option that
 * says so), and "Use Default Port of Images", which reads the image's config and fills the ports.
 */
export function registerImageActions(app: App, deps: WizardDeps): void {
  /** The open container form and whether the person may create jobs in its namespace. */
  const formOf = async (body: unknown): Promise<{ view: ViewPayload; meta: SubFormMeta } | undefined> => {
    const view = (body as { view?: ViewPayload }).view;
    const meta = view && decodeSubForm(deps.drafts.resolve(view.private_metadata));
    const namespace = meta?.wizard.namespace;
    if (!view || !meta || !namespace) return undefined;
    const actor = actorOf(body as Parameters<typeof actorOf>[0]);
    return (await deps.authorizer.authorize(actor, "job.create", namespace)).ok ? { view, meta } : undefined;
  };

  app.options(ids.wizard.pullSecret, async ({ ack, body }) => {
    const started = performance.now();
    const form = await formOf(body);
    if (!form) {
      await ack({ options: [] });
      return;
    }
    // Slack waits 3 s for options: a slow cluster answers "could not be read" rather than nothing at all.
    const listed = deps.desk
      .namespaceConfig(form.meta.wizard.namespace ?? "")
      .then((config) => config.pullSecrets ?? []);
    const names = await within(left(started), listed).catch((error) => {
      deps.logger.warn({ err: error }, "wizard: image pull Secrets could not be listed");
      return undefined;
    });
    await ack(pullSecretOptions(names, body.value ?? ""));
  });

  app.options(ids.wizard.containerImage, async ({ ack, body }) => {
    const started = performance.now();
    const form = await formOf(body);
    if (!form) {
      await ack({ options: [] });
      return;
    }
    const { wizard } = form.meta;
    const pullSecret = readPullSecret(valuesOf(form.view));
    const search = await deps.desk
      .searchImages(wizard.namespace ?? "", wizard.service, {
        query: body.value ?? "",
        timeoutMs: left(started),
        ...(pullSecret ? { pullSecret } : {}),
      })
      .catch((error) => {
        // The search says its failures as a note; anything else still gets an answer, not Slack's silence.
        deps.logger.warn({ err: error }, "wizard: images could not be searched");
        return { images: [], note: "The registry could not be searched; type the image instead." };
      });
    await ack(imageOptions(body.value ?? "", search));
  });

  app.action<BlockAction>(ids.wizard.defaultPorts, async ({ ack, body, client }) => {
    await ack();
    const form = await formOf(body);
    if (!form) return;
    const { view, meta } = form;
    const values = valuesOf(view);
    const work = (async () => {
      const look = await defaultPorts(deps, meta, values);
      const base = meta.wizard.containers?.[meta.index];
      const typed = readContainerStep(values, base);
      const container = look.ports
        ? { ...typed, ports: withImagePorts(typed.ports ?? [], look.ports) }
        : typed;
      const next = buildContainerStep(container, meta, {
        portsBlock: look.ports ? nextBlockId(view, ids.wizard.ports) : shownBlockId(view, ids.wizard.ports),
        ...(look.note ? { portsNote: look.note } : {}),
      });
      await client.views.update({
        view_id: view.id,
        view: fitted(next, deps.drafts),
        ...(view.hash ? { hash: view.hash } : {}),
      });
    })().catch((error) => deps.logger.warn({ err: error }, "wizard: default ports could not be shown"));
    await deps.inFlight.track(work);
  });
}

async function defaultPorts(
  deps: WizardDeps,
  meta: SubFormMeta,
  values: StateValues,
): Promise<{ ports?: PortSettings[]; note?: string }> {
  const image = readImage(values);
  if (!image) return { note: "Choose the image first: its default ports are read from its registry." };
  const pullSecret = readPullSecret(values);
  const found = await deps.desk.imagePorts(meta.wizard.namespace ?? "", meta.wizard.service, {
    image,
    ...(pullSecret ? { pullSecret } : {}),
  });
  return "ports" in found ? { ports: found.ports } : { note: found.problem };
}

type Blocks = { blocks?: { block_id?: string }[] };

/** The id the block has in the view now (`id` or `id~n`). */
function shownBlockId(view: ViewPayload, id: string): string {
  const blocks = (view as ViewPayload & Blocks).blocks ?? [];
  return blocks.find((b) => b.block_id === id || b.block_id?.startsWith(`${id}~`))?.block_id ?? id;
}

/** A new id for the block, so Slack shows the new value instead of keeping what the field held. */
function nextBlockId(view: ViewPayload, id: string): string {
  const shown = shownBlockId(view, id);
  const n = Number(shown.split("~")[1] ?? 1);
  return `${id}~${n + 1}`;
}

/**
 * What an options request may spend from its arrival in the listener: Slack waits 3 s, and Graydesk's receiver
 * answers a request not acknowledged within 2 s itself; the rest is margin for a busy event loop and the answer.
 */
const OPTIONS_BUDGET_MS = 1200;
const left = (started: number) =>
  Math.max(100, Math.floor(OPTIONS_BUDGET_MS - (performance.now() - started)));

/** The promise's value, or undefined once `ms` passed (it is then left to settle unread). */
function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
