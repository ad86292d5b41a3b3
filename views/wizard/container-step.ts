import type { ModalView } from "@slack/types";
import {
  type ContainerSettings,
  type ImagePullPolicy,
  MAX_CONTAINER_NAME,
  type NamespaceData,
  type NewVersionGuard,
  PORT_PROTOCOLS,
  type PortProtocol,
  type PortSettings,
  validateContainers,
} from "../../src/release/index.ts";
import { ids } from "../ids.ts";
import { numberInput, option, plain, radioInput, selectInput, textInput } from "./blocks.ts";
import { guardErrorsOf } from "./guard-errors.ts";
import {
  defaultPortsBlocks,
  imageBlock,
  NOTE,
  pullSecretBlock,
  readImage,
  readPullSecret,
} from "./image-blocks.ts";
import { blockErrors } from "./modal.ts";
import { errorsOfContainer, type SubFormMeta } from "./sub-form.ts";
import { onShownBlocks, readNumber, readOption, readRaw, readText, type StateValues } from "./values.ts";

const TYPES = [
  option("work", "Work container", "Runs the application"),
  option("init", "Init container", "Runs to completion before the work containers start"),
];
const PULL = [
  option("IfNotPresent", "Use Local Image First"),
  option("Always", "Pull Image Always"),
  option("Never", "Use Local Image Only"),
];
const PORT_LINE = "HTTP http-web 8080";

/** How a redrawn container form differs: the ports block's id (new when its value changes) and a note under it. */
export interface ContainerFormLook {
  portsBlock?: string;
  portsNote?: string;
}

/** Add Container / edit container: registry, image, name, type, resources, ports and image pull policy. */
export function buildContainerStep(
  container: ContainerSettings | undefined,
  meta: SubFormMeta,
  look: ContainerFormLook = {},
): ModalView {
  const r = container?.resources;
  const w = ids.wizard;
  return {
    type: "modal",
    callback_id: w.containerCallback,
    title: plain(container ? "Edit container" : "Add container"),
    submit: plain("Save container"),
    close: plain("Back"),
    private_metadata: JSON.stringify(meta),
    blocks: [
      pullSecretBlock(container?.pullSecret),
      imageBlock(container?.image),
      textInput(w.containerName, "Container name", {
        ...(container?.name ? { initial: container.name } : {}),
        max: MAX_CONTAINER_NAME,
        hint: "Lowercase letters, digits and hyphens, starting and ending with a letter or digit (up to 63).",
      }),
      radioInput(w.containerType, "Container type", TYPES, { initial: container?.type ?? "work" }),
      textInput(w.cpuRequest, "CPU request (cores)", {
        optional: true,
        ...initial(r?.cpuRequest),
        placeholder: "0.5",
      }),
      textInput(w.cpuLimit, "CPU limit (cores)", {
        optional: true,
        ...initial(r?.cpuLimit),
        placeholder: "1",
      }),
      numberInput(w.memoryRequest, "Memory request (MiB)", {
        optional: true,
        decimal: true,
        ...num(r?.memoryRequestMiB),
      }),
      numberInput(w.memoryLimit, "Memory limit (MiB)", {
        optional: true,
        decimal: true,
        ...num(r?.memoryLimitMiB),
      }),
      {
        ...textInput(w.ports, "Ports", {
          optional: true,
          multiline: true,
          ...initial(container?.ports?.map(formatPort).join("\n")),
          placeholder: PORT_LINE,
          hint: `One port per line: protocol, name, number. Protocols: ${Object.keys(PORT_PROTOCOLS).join(", ")}. Name ports after their protocol (http-…) for governance.`,
        }),
        block_id: look.portsBlock ?? w.ports,
      },
      ...defaultPortsBlocks(look.portsNote),
      selectInput(w.pullPolicy, "Image pull policy", PULL, {
        initial: container?.imagePullPolicy ?? "IfNotPresent",
      }),
    ],
  };
}

const initial = (value: string | number | undefined) =>
  value === undefined || value === "" ? {} : { initial: String(value) };
const num = (value: number | undefined) => (value === undefined ? {} : { initial: value });

export const formatPort = (p: PortSettings) => `${p.protocol} ${p.name} ${p.containerPort}`;

/** Reads the ports field; lines that are not "protocol name number" come back as problems. */
export function parsePorts(text: string | undefined): { ports: PortSettings[]; problems: string[] } {
  const ports: PortSettings[] = [];
  const problems: string[] = [];
  (text ?? "")
    .split("\n")
    .map((l) => l.trim())
    .forEach((line, i) => {
      if (line === "") return;
      const [protocol, name, number, ...rest] = line.split(/\s+/);
      if (!protocol || !name || !number || rest.length > 0) {
        problems.push(`Line ${i + 1}: write protocol, name and number, e.g. ${PORT_LINE}.`);
        return;
      }
      ports.push({ protocol: protocol.toUpperCase() as PortProtocol, name, containerPort: Number(number) });
    });
  return { ports, problems };
}

/** The container as entered, on top of what it had (the advanced settings are kept). */
export function readContainerStep(
  values: StateValues,
  base: ContainerSettings | undefined,
): ContainerSettings {
  const w = ids.wizard;
  const resources = {
    cpuRequest: readText(values, w.cpuRequest),
    cpuLimit: readText(values, w.cpuLimit),
    memoryRequestMiB: readNumber(values, w.memoryRequest),
    memoryLimitMiB: readNumber(values, w.memoryLimit),
  };
  const hasResources = Object.values(resources).some((v) => v !== undefined);
  const { ports } = parsePorts(readRaw(values, w.ports));
  return {
    ...base,
    name: readText(values, w.containerName) ?? "",
    type: readOption(values, w.containerType) === "init" ? "init" : "work",
    image: readImage(values) ?? "",
    pullSecret: readPullSecret(values),
    imagePullPolicy: (readOption(values, w.pullPolicy) ?? "IfNotPresent") as ImagePullPolicy,
    resources: hasResources ? resources : undefined,
    ports,
  };
}

const FIELD_BLOCKS: [RegExp, string][] = [
  [/^name$/, ids.wizard.containerName],
  [/^image$/, ids.wizard.containerImage],
  [/^pullSecret$/, ids.wizard.pullSecret],
  [/^type$/, ids.wizard.containerType],
  [/^imagePullPolicy$/, ids.wizard.pullPolicy],
  [/^resources\.cpuRequest$/, ids.wizard.cpuRequest],
  [/^resources\.cpuLimit$/, ids.wizard.cpuLimit],
  [/^resources\.memoryRequestMiB$/, ids.wizard.memoryRequest],
  [/^resources\.memoryLimitMiB$/, ids.wizard.memoryLimit],
  [/^ports/, ids.wizard.ports],
];

export function parseContainerStep(
  values: StateValues,
  meta: SubFormMeta,
  namespace?: NamespaceData,
  guard?: NewVersionGuard,
): { container: ContainerSettings; containers: ContainerSettings[]; errors: Record<string, string> } {
  const list = meta.wizard.containers ?? [];
  const container = readContainerStep(values, list[meta.index]);
  const containers =
    meta.index >= 0 && meta.index < list.length ? list.with(meta.index, container) : [...list, container];
  const at = meta.index >= 0 && meta.index < list.length ? meta.index : containers.length - 1;
  const portProblems = parsePorts(readRaw(values, ids.wizard.ports)).problems;
  const errors = errorsOfContainer(
    validateContainers(containers, namespace ?? { configMaps: {}, secrets: {} }),
    at,
  )
    // "A pod needs a work container" is checked on Next: the first container added may be an init one.
    .filter((e) => e.field !== "" && (namespace || !/^env\[\d+\]\.from/.test(e.field)))
    .map((e) => {
      const port = /^ports\[(\d+)\]/.exec(e.field);
      return port ? { ...e, message: `Port ${Number(port[1]) + 1}: ${e.message}` } : e;
    });
  const blockOf = (field: string) => FIELD_BLOCKS.find(([re]) => re.test(field))?.[1];
  // Advanced settings are checked in their own form; only this form's fields can show errors here.
  const blocks = blockErrors(
    errors.filter((e) => blockOf(e.field)),
    blockOf,
    ids.wizard.containerName,
  );
  if (portProblems[0]) blocks[ids.wizard.ports] = portProblems[0];
  const picked = (id: string) =>
    (values[id]?.[id] as { selected_option?: { value?: string } } | undefined)?.selected_option?.value;
  if (picked(ids.wizard.containerImage) === NOTE)
    blocks[ids.wizard.containerImage] = "Pick an image from the list or type its reference, e.g. nginx:1.27.";
  if (picked(ids.wizard.pullSecret) === NOTE)
    blocks[ids.wizard.pullSecret] = "Pick an image pull Secret of this project, or none for Docker Hub.";
  const all = { ...guardErrorsOf(guard, containers, at, blockOf), ...blocks };
  return { container, containers, errors: onShownBlocks(all, values) };
}
