import type { KnownBlock, ModalView } from "@slack/types";
import {
  type ContainersChange,
  type FieldError,
  MAX_REPLICAS,
  MAX_VERSION,
  type NamespaceData,
  validateNewVersion,
} from "../../src/release/index.ts";
import { escapeText } from "../escape.ts";
import { ids } from "../ids.ts";
import { numberInput, option, plain, radioInput, section, textInput } from "./blocks.ts";
import { blockErrors, wizardModal } from "./modal.ts";
import { stableVersionOf } from "./stable.ts";
import type { WizardState } from "./state.ts";
import { readNumber, readOption, readText, type StateValues } from "./values.ts";

const MODES = [
  option(
    "replace-image",
    "Replace the image, keep everything else",
    "The common path: same settings, new image",
  ),
  option("full", "Describe the containers", "Add or edit containers with every setting"),
];

export const imageBlock = (index: number) => `${ids.wizard.image}_${index}`;
export const containerBlock = (index: number) => `${ids.wizard.containerList}_${index}`;

/** New Version Settings: version number, replicas, and the containers (new images or full settings). */
export function buildVersionStep(state: WizardState): ModalView {
  const mode = state.mode ?? "replace-image";
  const stable = stableVersionOf(state.stable?.versions ?? []);
  return wizardModal(state, [
    textInput(ids.wizard.version, "New version number", {
      ...(state.version ? { initial: state.version } : {}),
      placeholder: "v2",
      max: MAX_VERSION,
      hint: `Lowercase letters and digits, up to ${MAX_VERSION} characters.${
        state.stable ? ` Deployed now: ${state.stable.versions.map((v) => v.version).join(", ")}.` : ""
      }`,
    }),
    numberInput(ids.wizard.replicas, "Replicas", {
      initial: state.replicas ?? stable?.replicas ?? 1,
      min: 1,
      max: MAX_REPLICAS,
    }),
    radioInput(ids.wizard.containersMode, "Containers", MODES, { initial: mode, dispatch: true }),
    ...(mode === "replace-image" ? imageInputs(state) : containerList(state)),
  ]);
}

function imageInputs(state: WizardState): KnownBlock[] {
  const containers = state.stable?.containers ?? [];
  if (containers.length === 0)
    return [section(ids.wizard.containerList, "The current version has no containers to take images from.")];
  return containers.map((c, i) =>
    textInput(imageBlock(i), `New image for ${c.name}`, {
      optional: true,
      ...(state.images?.[c.name] ? { initial: state.images[c.name] } : {}),
      placeholder: c.image,
      hint: `Now: ${c.image}. Leave empty to keep it.`,
    }),
  );
}

function containerList(state: WizardState): KnownBlock[] {
  const rows = (state.containers ?? []).map(
    (c, i): KnownBlock => ({
      type: "section",
      block_id: containerBlock(i),
      text: {
        type: "mrkdwn",
        text: `*${escapeText(c.name) || "(no name)"}* · ${c.type === "init" ? "init" : "work"} · \`${escapeText(c.image)}\``,
      },
      accessory: {
        type: "overflow",
        action_id: ids.wizard.editContainer,
        options: [
          option(`edit:${i}`, "Edit container"),
          option(`advanced:${i}`, "Advanced settings"),
          option(`remove:${i}`, "Remove"),
        ],
      },
    }),
  );
  return [
    ...rows,
    {
      type: "actions",
      block_id: ids.wizard.addContainer,
      elements: [{ type: "button", action_id: ids.wizard.addContainer, text: plain("+ Add container") }],
    },
  ];
}

export function readVersionStep(values: StateValues, state: WizardState): WizardState {
  const mode = readOption(values, ids.wizard.containersMode) === "full" ? "full" : "replace-image";
  const images: Record<string, string> = {};
  (state.stable?.containers ?? []).forEach((c, i) => {
    const image = readText(values, imageBlock(i));
    if (image !== undefined) images[c.name] = image;
  });
  return {
    ...state,
    version: readText(values, ids.wizard.version),
    replicas: readNumber(values, ids.wizard.replicas),
    mode,
    ...(mode === "replace-image" ? { images } : {}),
    // Describing the containers starts from the current version's with every setting, so the common edit is
    // one image away and the forms show what runs today.
    ...(mode === "full" && !state.containers?.length
      ? {
          containers:
            state.stable?.described ??
            (state.stable?.containers ?? []).map((c) => ({
              name: c.name,
              image: c.image,
              type: "work" as const,
            })),
        }
      : {}),
  };
}

export function containersChange(state: WizardState): ContainersChange {
  return state.mode === "full"
    ? { mode: "full", containers: state.containers ?? [] }
    : { mode: "replace-image", images: state.images ?? {} };
}

export function parseVersionStep(
  values: StateValues,
  state: WizardState,
  namespace?: NamespaceData,
): { state: WizardState; errors: Record<string, string> } {
  const next = readVersionStep(values, state);
  return { state: next, errors: versionErrors(next, namespace) };
}

/** Every New Version Settings problem, placed on the field that has it. */
export function versionErrors(state: WizardState, namespace?: NamespaceData): Record<string, string> {
  const stableContainers = (state.stable?.containers ?? []).map((c) => c.name);
  const errors = validateNewVersion(
    {
      version: state.version ?? "",
      settings: { replicas: state.replicas ?? Number.NaN, containers: containersChange(state) },
    },
    {
      existingVersions: (state.stable?.versions ?? []).map((v) => v.version),
      stableContainers,
      namespace: namespace ?? { configMaps: {}, secrets: {} },
    },
    // Without the namespace's ConfigMaps and Secrets at hand, references are checked on Create instead.
  ).filter((e) => namespace || !/\.(env\[\d+\]\.from|envFrom\[\d+\]\.name)/.test(e.field));
  return blockErrors(
    errors.map((e) => named(e, state)),
    (field) => blockOfField(field, stableContainers),
    ids.wizard.containersMode,
  );
}

function blockOfField(field: string, stableContainers: string[]): string | undefined {
  if (field === "version" || field === "replicas")
    return field === "version" ? ids.wizard.version : ids.wizard.replicas;
  if (field === "images") return stableContainers.length > 0 ? imageBlock(0) : undefined;
  const image = /^images\.(.+)$/.exec(field);
  if (image) {
    const at = stableContainers.indexOf(image[1] as string);
    return at >= 0 ? imageBlock(at) : undefined;
  }
  return undefined;
}

/** Errors about a listed container name it, since they all show on the Containers field. */
function named(error: FieldError, state: WizardState): FieldError {
  const m = /^containers\[(\d+)\]/.exec(error.field);
  const container = m ? state.containers?.[Number(m[1])] : undefined;
  return container
    ? { ...error, message: `Container ${container.name || Number(m?.[1]) + 1}: ${error.message}` }
    : error;
}
