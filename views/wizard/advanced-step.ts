import type { KnownBlock, ModalView } from "@slack/types";
import {
  type ActionSettings,
  type ContainerSettings,
  type NamespaceData,
  type NewVersionGuard,
  type ProbeKind,
  type ProbeSettings,
  type SecuritySettings,
  validateContainers,
} from "../../src/release/index.ts";
import { escapeText } from "../escape.ts";
import { ids } from "../ids.ts";
import {
  ACTION_EXAMPLE,
  formatAction,
  formatTiming,
  parseAction,
  parseTiming,
  TIMING_EXAMPLE,
} from "./action-text.ts";
import { checkboxInput, context, numberInput, option, plain, textInput } from "./blocks.ts";
import { ENV_EXAMPLE, formatEnv, parseEnv } from "./env-text.ts";
import { guardErrorsOf } from "./guard-errors.ts";
import { blockErrors } from "./modal.ts";
import {
  ENV_FROM_EXAMPLE,
  formatEnvFrom,
  formatMounts,
  MOUNT_EXAMPLE,
  parseEnvFrom,
  parseMounts,
} from "./reference-text.ts";
import { errorsOfContainer, type SubFormMeta } from "./sub-form.ts";
import { readNumber, readOptions, readRaw, readText, type StateValues } from "./values.ts";

const PROBES: ProbeKind[] = ["liveness", "readiness", "startup"];
const PROBE_NAMES: Record<ProbeKind, string> = {
  liveness: "Liveness check",
  readiness: "Readiness check",
  startup: "Startup check",
};
const ACCESS = [
  option("privileged", "Privileged mode"),
  option("allowPrivilegeEscalation", "Allow privilege escalation"),
  option("readOnlyRootFilesystem", "Root directory read-only"),
  option("runAsNonRoot", "Run as non-root"),
];
type AccessFlag = "privileged" | "allowPrivilegeEscalation" | "readOnlyRootFilesystem" | "runAsNonRoot";

export const probeBlock = (kind: ProbeKind) => `${ids.wizard.probe}_${kind}`;
export const timingBlock = (kind: ProbeKind) => `${ids.wizard.probeTiming}_${kind}`;

const text = (value: string | undefined) => (value ? { initial: value } : {});

/** The rarely used container settings: health checks, lifecycle, start command, environment, security. */
export function buildAdvancedStep(container: ContainerSettings, meta: SubFormMeta): ModalView {
  const w = ids.wizard;
  const security = container.securityContext ?? {};
  const probeBlocks = PROBES.flatMap((kind): KnownBlock[] => {
    const probe = container.probes?.[kind];
    return [
      textInput(probeBlock(kind), PROBE_NAMES[kind], {
        optional: true,
        ...text(probe && formatAction(probe)),
        placeholder: "http /healthz 8080",
        hint: ACTION_EXAMPLE,
      }),
      textInput(timingBlock(kind), `${PROBE_NAMES[kind]} timings`, {
        optional: true,
        ...text(probe && formatTiming(probe)),
        placeholder: TIMING_EXAMPLE,
        hint: "Seconds for delay, timeout and period; success and failure are counts.",
      }),
    ];
  });
  const capabilities = security.capabilities ?? {};
  return {
    type: "modal",
    callback_id: w.advancedCallback,
    title: plain("Advanced settings"),
    submit: plain("Save settings"),
    close: plain("Back"),
    private_metadata: JSON.stringify(meta),
    blocks: [
      context(w.progress, `Container *${escapeText(container.name)}* · all optional`),
      ...probeBlocks,
      textInput(w.postStart, "Post-start action", {
        optional: true,
        ...text(container.lifecycle?.postStart && formatAction(container.lifecycle.postStart)),
        hint: ACTION_EXAMPLE,
      }),
      textInput(w.preStop, "Pre-stop action", {
        optional: true,
        ...text(container.lifecycle?.preStop && formatAction(container.lifecycle.preStop)),
        hint: ACTION_EXAMPLE,
      }),
      textInput(w.command, "Start command", {
        optional: true,
        ...text(container.command),
        placeholder: "sh,-c",
        hint: "Commas between the command's parts.",
      }),
      textInput(w.args, "Parameters", {
        optional: true,
        ...text(container.args),
        placeholder: "--port,8080",
        hint: "Commas between parameters.",
      }),
      textInput(w.env, "Environment variables", {
        optional: true,
        multiline: true,
        ...text(container.env && formatEnv(container.env)),
        placeholder: ENV_EXAMPLE,
        hint: "One per line: KEY=value, KEY=configmap:name/key or KEY=secret:name/key (same namespace).",
      }),
      textInput(w.envFrom, "Batch reference", {
        optional: true,
        multiline: true,
        ...text(container.envFrom && formatEnvFrom(container.envFrom)),
        placeholder: ENV_FROM_EXAMPLE,
        hint: "Every key of a ConfigMap or Secret of this project becomes a variable: one per line, configmap:name or secret:name. Values do not follow later changes.",
      }),
      textInput(w.mounts, "Volume mounts", {
        optional: true,
        multiline: true,
        ...text(container.volumeMounts && formatMounts(container.volumeMounts)),
        placeholder: MOUNT_EXAMPLE,
        hint: "The pod's existing volumes: one per line, the volume, the path, then ro for read-only and sub=path for a sub-path.",
      }),
      checkboxInput(w.access, "Access control", ACCESS, {
        optional: true,
        initial: ACCESS.map((o) => o.value ?? "").filter((flag) => security[flag as AccessFlag]),
      }),
      numberInput(w.runAsUser, "User (UID)", {
        optional: true,
        min: 0,
        ...(security.runAsUser !== undefined ? { initial: security.runAsUser } : {}),
      }),
      numberInput(w.runAsGroup, "User group (GID)", {
        optional: true,
        min: 0,
        ...(security.runAsGroup !== undefined ? { initial: security.runAsGroup } : {}),
      }),
      textInput(w.seLinux, "SELinux context", {
        optional: true,
        ...text(formatPairs(security.seLinux)),
        placeholder: "level=s0:c123,c456 role=… type=… user=…",
      }),
      textInput(w.capAdd, "Add capabilities", {
        optional: true,
        ...text(capabilities.add?.join(",")),
        placeholder: "NET_ADMIN,SYS_TIME",
        hint: "Without the CAP_ prefix, commas between.",
      }),
      textInput(w.capDrop, "Drop capabilities", {
        optional: true,
        ...text(capabilities.drop?.join(",")),
        placeholder: "ALL",
        hint: "Without the CAP_ prefix, commas between.",
      }),
      checkboxInput(w.timezone, "Timezone", [option("sync", "Synchronize host timezone")], {
        optional: true,
        initial: container.syncHostTimezone ? ["sync"] : [],
      }),
    ],
  };
}

function formatPairs(pairs: Record<string, string | undefined> | undefined): string | undefined {
  const words = Object.entries(pairs ?? {})
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`);
  return words.length > 0 ? words.join(" ") : undefined;
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);

/** Reads the form; lines and words it cannot read become problems on their own fields. */
export function readAdvancedStep(
  values: StateValues,
  base: ContainerSettings,
): { container: ContainerSettings; problems: Record<string, string> } {
  const w = ids.wizard;
  const problems: Record<string, string> = {};
  const action = (block: string): ActionSettings | undefined => {
    const typed = readText(values, block);
    if (typed === undefined) return undefined;
    const parsed = parseAction(typed);
    if ("problem" in parsed) problems[block] = parsed.problem;
    return "action" in parsed ? parsed.action : undefined;
  };
  const probes: Partial<Record<ProbeKind, ProbeSettings>> = {};
  for (const kind of PROBES) {
    const check = action(probeBlock(kind));
    const timing = parseTiming(readText(values, timingBlock(kind)));
    if ("problem" in timing) problems[timingBlock(kind)] = timing.problem;
    if (check) probes[kind] = { ...check, ...("timing" in timing ? timing.timing : {}) };
    else if (readText(values, timingBlock(kind)) !== undefined && !problems[probeBlock(kind)])
      problems[probeBlock(kind)] = "Say how to check, e.g. http /healthz 8080, before the timings.";
  }
  const postStart = action(w.postStart);
  const preStop = action(w.preStop);
  const env = parseEnv(readRaw(values, w.env));
  if (env.problems[0]) problems[w.env] = env.problems[0];
  const envFrom = parseEnvFrom(readRaw(values, w.envFrom));
  if (envFrom.problems[0]) problems[w.envFrom] = envFrom.problems[0];
  const mounts = parseMounts(readRaw(values, w.mounts));
  if (mounts.problems[0]) problems[w.mounts] = mounts.problems[0];
  const access = readOptions(values, w.access);
  const seLinux: Record<string, string> = {};
  for (const word of (readText(values, w.seLinux) ?? "").split(/\s+/).filter(Boolean)) {
    const [key, ...value] = word.split("=");
    if (!["level", "role", "type", "user"].includes(key ?? "") || value.length === 0) {
      problems[w.seLinux] = "Write the SELinux context as level=… role=… type=… user=… (any of them).";
    } else seLinux[key as string] = value.join("=");
  }
  const add = list(readText(values, w.capAdd));
  const drop = list(readText(values, w.capDrop));
  const securityContext: SecuritySettings = {
    ...Object.fromEntries(access.map((flag) => [flag, true])),
    ...(access.includes("privileged") && !access.includes("allowPrivilegeEscalation")
      ? { allowPrivilegeEscalation: false }
      : {}),
    runAsUser: readNumber(values, w.runAsUser),
    runAsGroup: readNumber(values, w.runAsGroup),
    ...(Object.keys(seLinux).length > 0 ? { seLinux } : {}),
    ...(add || drop ? { capabilities: { ...(add ? { add } : {}), ...(drop ? { drop } : {}) } } : {}),
  };
  const container: ContainerSettings = {
    ...base,
    probes: Object.keys(probes).length > 0 ? probes : undefined,
    lifecycle:
      postStart || preStop
        ? { ...(postStart ? { postStart } : {}), ...(preStop ? { preStop } : {}) }
        : undefined,
    command: readText(values, w.command),
    args: readText(values, w.args),
    env: env.env.length > 0 ? env.env : undefined,
    // Emptied: none; never shown (a new container without any): left out.
    envFrom: envFrom.envFrom.length > 0 ? envFrom.envFrom : base.envFrom ? [] : undefined,
    volumeMounts: mounts.mounts.length > 0 ? mounts.mounts : base.volumeMounts ? [] : undefined,
    securityContext: JSON.stringify(securityContext) === "{}" ? undefined : securityContext,
    syncHostTimezone: readOptions(values, w.timezone).includes("sync") || undefined,
  };
  return { container: JSON.parse(JSON.stringify(container)) as ContainerSettings, problems };
}

const TIMING_FIELDS =
  /^(initialDelaySeconds|timeoutSeconds|periodSeconds|successThreshold|failureThreshold)$/;

function blockOf(field: string): string | undefined {
  const w = ids.wizard;
  const probe = /^probes\.(liveness|readiness|startup)(?:\.(\w+))?/.exec(field);
  if (probe)
    return TIMING_FIELDS.test(probe[2] ?? "")
      ? timingBlock(probe[1] as ProbeKind)
      : probeBlock(probe[1] as ProbeKind);
  if (field === "probes") return probeBlock("liveness");
  if (field.startsWith("lifecycle.postStart")) return w.postStart;
  if (field.startsWith("lifecycle.preStop")) return w.preStop;
  if (field === "command" || field === "args") return field === "command" ? w.command : w.args;
  if (field.startsWith("envFrom")) return w.envFrom;
  if (field.startsWith("volumeMounts")) return w.mounts;
  if (field.startsWith("env")) return w.env;
  if (field.startsWith("securityContext.capabilities.add")) return w.capAdd;
  if (field.startsWith("securityContext.capabilities.drop")) return w.capDrop;
  if (field.startsWith("securityContext.seLinux")) return w.seLinux;
  if (field === "securityContext.runAsUser") return w.runAsUser;
  if (field === "securityContext.runAsGroup") return w.runAsGroup;
  if (field.startsWith("securityContext")) return w.access;
  if (field === "syncHostTimezone") return w.timezone;
  return undefined;
}

export function parseAdvancedStep(
  values: StateValues,
  meta: SubFormMeta,
  namespace?: NamespaceData,
  guard?: NewVersionGuard,
): { container: ContainerSettings; containers: ContainerSettings[]; errors: Record<string, string> } {
  const all = meta.wizard.containers ?? [];
  const base = all[meta.index];
  if (!base) throw new RangeError(`no container ${meta.index} in the wizard`);
  const { container, problems } = readAdvancedStep(values, base);
  const containers = all.with(meta.index, container);
  // Mounts name the volumes of the pod the new version derives from (known once the guard was read).
  const volumes = guard ? { volumes: (guard.stablePod.volumes ?? []).map((v) => v.name) } : {};
  const errors = errorsOfContainer(
    validateContainers(containers, { ...(namespace ?? { configMaps: {}, secrets: {} }), ...volumes }),
    meta.index,
  )
    // ConfigMap and Secret names are checked only once the namespace's were read.
    .filter(
      (e) => blockOf(e.field) && (namespace || !/^(env\[\d+\]\.from|envFrom\[\d+\]\.name)/.test(e.field)),
    )
    .map((e) => {
      const variable = /^env\[(\d+)\]/.exec(e.field);
      const key = variable ? container.env?.[Number(variable[1])]?.key : undefined;
      return key ? { ...e, message: `${key}: ${e.message}` } : e;
    });
  return {
    container,
    containers,
    errors: {
      ...guardErrorsOf(guard, containers, meta.index, blockOf),
      ...blockErrors(errors, blockOf, ids.wizard.access),
      ...problems,
    },
  };
}
