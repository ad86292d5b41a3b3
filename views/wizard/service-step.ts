import type { ModalView, PlainTextOption } from "@slack/types";
import { validateServiceChoice } from "../../src/release/index.ts";
import { escapeText } from "../escape.ts";
import { ids } from "../ids.ts";
import { ROUTER_NAMES, routerWords } from "../router-names.ts";
import { context, externalSelect, option, selectInput } from "./blocks.ts";
import { blockErrors, wizardModal } from "./modal.ts";
import type { StableInfo, WizardState } from "./state.ts";
import { readOption, type StateValues } from "./values.ts";

/**
 * Service Settings: namespace, then the composed app's service, both searched in the live cluster (external
 * selects, so the modal opens before any cluster call). Picking a service shows its versions and replicas.
 */
export function buildServiceStep(state: WizardState): ModalView {
  const service =
    state.app && state.service ? serviceOption(state.app, state.service, state.template) : undefined;
  return wizardModal(state, [
    externalSelect(ids.wizard.namespace, "Namespace", {
      dispatch: true,
      placeholder: "Type to search namespaces",
      ...(state.namespace ? { initial: option(state.namespace, state.namespace) } : {}),
    }),
    ...(state.namespace
      ? [
          externalSelect(ids.wizard.service, "Composed app and service", {
            dispatch: true,
            placeholder: "Type to search services",
            hint: "Grayscale release only supports composed apps, not apps based on templates.",
            ...(service ? { initial: service } : {}),
          }),
        ]
      : []),
    ...(state.stable ? [context(ids.wizard.serviceInfo, describeStable(state))] : []),
    ...routerChoice(state),
  ]);
}

/** The traffic router, once the service is known: the ones that can split it here, the detected one first. */
function routerChoice(state: WizardState) {
  const routers = state.stable?.routers ?? [];
  const [detected] = routers;
  if (!detected) return [];
  const options = routers.map((kind) =>
    option(kind, `${ROUTER_NAMES[kind]}${kind === detected ? " (detected)" : ""}`),
  );
  return [
    selectInput(ids.wizard.router, "Traffic router", options, {
      initial: state.router && routers.includes(state.router) ? state.router : detected,
      hint: `What splits the traffic between versions. Detected for this service: ${ROUTER_NAMES[detected]}.`,
    }),
  ];
}

/** The service select's option: the value carries the app and whether it came from a template. */
export function serviceOption(
  app: string,
  service: string,
  template?: boolean,
  text?: string,
): PlainTextOption {
  return option(`${template ? "t" : "c"}:${app}/${service}`, text ?? `${service} (${app})`);
}

export function parseServiceValue(
  value: string,
): { app: string; service: string; template: boolean } | undefined {
  const m = /^([tc]):([^/]+)\/(.+)$/.exec(value);
  return m ? { template: m[1] === "t", app: m[2] as string, service: m[3] as string } : undefined;
}

function describeStable(state: WizardState): string {
  const stable = state.stable as StableInfo;
  const versions = stable.versions.map((v) => `\`${v.version}\` ${v.readyReplicas}/${v.replicas} ready`);
  const lines = [
    `*${escapeText(state.service ?? "")}* in ${escapeText(state.namespace ?? "")}: ${versions.length > 0 ? versions.join(", ") : "no versions deployed"}`,
  ];
  if (stable.containers.length > 0)
    lines.push(
      `Containers: ${escapeText(stable.containers.map((c) => `${c.name} (${c.image})`).join(", "))}`,
    );
  if (stable.activeJob) lines.push(`:warning: Release job *${stable.activeJob}* is already running on it.`);
  return lines.join("\n");
}

export function readServiceStep(values: StateValues, state: WizardState): WizardState {
  const namespace = readOption(values, ids.wizard.namespace) ?? state.namespace;
  if (namespace !== state.namespace) {
    return {
      ...state,
      namespace,
      app: undefined,
      service: undefined,
      template: undefined,
      stable: undefined,
      router: undefined,
    };
  }
  const picked = parseServiceValue(readOption(values, ids.wizard.service) ?? "");
  if (!picked) return state;
  if (picked.app === state.app && picked.service === state.service) {
    const router = readOption(values, ids.wizard.router);
    return router ? { ...state, router: router as WizardState["router"] } : state;
  }
  return { ...state, ...picked, stable: undefined, router: undefined };
}

export function parseServiceStep(
  values: StateValues,
  state: WizardState,
): { state: WizardState; errors: Record<string, string> } {
  const next = readServiceStep(values, state);
  if (!next.namespace) return { state: next, errors: { [ids.wizard.namespace]: "Choose the namespace." } };
  if (!next.app || !next.service)
    return { state: next, errors: { [ids.wizard.service]: "Choose the service to release." } };
  if (!next.stable && !next.template) {
    return {
      state: next,
      errors: { [ids.wizard.service]: "Still reading this service's versions; try Next again in a moment." },
    };
  }
  const errors = validateServiceChoice({
    app: { name: next.app, kind: next.template ? "template" : "composed" },
    service: { name: next.service, versions: next.stable?.versions.map((v) => v.version) ?? [] },
  });
  if (errors.length === 0 && next.stable?.activeJob) {
    errors.push({
      field: "service",
      message: `Release job ${next.stable.activeJob} is already running on ${next.service}; finish it first.`,
    });
  }
  const routers = next.stable?.routers;
  if (next.router && routers && !routers.includes(next.router)) {
    return {
      state: next,
      errors: {
        [ids.wizard.router]:
          `${next.service} cannot be split by ${ROUTER_NAMES[next.router]} here; choose ${routerWords(routers)}.`,
      },
    };
  }
  return { state: next, errors: blockErrors(errors, () => ids.wizard.service, ids.wizard.service) };
}
