import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { FieldError } from "../errors.ts";
import { containersOf, effectiveUser } from "./pod-walk.ts";

/** The label Pod Security Admission enforces a namespace's level by. */
export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUMES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

export function podSecurityLevel(label: string | undefined): PodSecurityLevel | undefined {
  return label === "baseline" || label === "restricted" || label === "privileged" ? label : undefined;
}

/** The fields of a pod that the Pod Security Standards level refuses, as Pod Security Admission would. */
export function podSecurityViolations(spec: IPodSpec, level: PodSecurityLevel): FieldError[] {
  if (level === "privileged") return [];
  const rule = `the namespace enforces the Pod Security "${level}" level`;
  const errors: FieldError[] = [];
  const refuse = (field: string, what: string) => {
    if (!errors.some((error) => error.field === field))
      errors.push({ field, message: `${field}: ${what} — ${rule}.` });
  };
  baseline(spec, refuse);
  if (level === "restricted") restricted(spec, refuse);
  return errors;
}

type Refuse = (field: string, what: string) => void;

function baseline(spec: IPodSpec, refuse: Refuse): void {
  for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[key] === true) refuse(key, `sharing the node's ${key.slice(4)} namespace is not allowed`);
  }
  for (const volume of spec.volumes ?? []) {
    if (volume.hostPath) refuse(`volumes[${volume.name}].hostPath`, "hostPath volumes are not allowed");
  }
  (spec.securityContext?.sysctls ?? []).forEach((sysctl, index) => {
    if (!SAFE_SYSCTLS.has(sysctl.name))
      refuse(`securityContext.sysctls[${index}]`, `the sysctl ${sysctl.name} is not allowed`);
  });
  profileChecks(spec.securityContext, "securityContext", refuse);
  for (const { container, at } of containersOf(spec)) {
    const security = container.securityContext;
    const field = `${at}.securityContext`;
    if (security?.privileged === true) refuse(`${field}.privileged`, "privileged containers are not allowed");
    (security?.capabilities?.add ?? []).forEach((cap, index) => {
      if (!BASELINE_CAPABILITIES.has(cap.toUpperCase()))
        refuse(`${field}.capabilities.add[${index}]`, `the capability ${cap} is not allowed`);
    });
    if (security?.procMount !== undefined && security.procMount !== "Default")
      refuse(`${field}.procMount`, "only the default /proc mount is allowed");
    profileChecks(security, field, refuse);
    (container.ports ?? []).forEach((port, index) => {
      if (port.hostPort) refuse(`${at}.ports[${index}].hostPort`, "host ports are not allowed");
    });
  }
}

/** Checks pod and container security contexts share: Windows host processes, AppArmor, SELinux, seccomp. */
function profileChecks(
  security:
    | Pick<ISecurityContext, "windowsOptions" | "appArmorProfile" | "seLinuxOptions" | "seccompProfile">
    | undefined,
  field: string,
  refuse: Refuse,
): void {
  if (security?.windowsOptions?.hostProcess === true)
    refuse(`${field}.windowsOptions.hostProcess`, "Windows host processes are not allowed");
  if (security?.appArmorProfile?.type === "Unconfined")
    refuse(`${field}.appArmorProfile.type`, "AppArmor may not be switched off");
  if (security?.seccompProfile?.type === "Unconfined")
    refuse(`${field}.seccompProfile.type`, "seccomp may not be switched off");
  const selinux = security?.seLinuxOptions;
  if (selinux?.type !== undefined && !SELINUX_TYPES.has(selinux.type))
    refuse(`${field}.seLinuxOptions.type`, `the SELinux type ${selinux.type} is not allowed`);
  for (const key of ["user", "role"] as const) {
    if (selinux?.[key]) refuse(`${field}.seLinuxOptions.${key}`, `a custom SELinux ${key} is not allowed`);
  }
}

function restricted(spec: IPodSpec, refuse: Refuse): void {
  for (const volume of spec.volumes ?? []) {
    const kinds = Object.keys(volume).filter((key) => key !== "name");
    const other = kinds.find((kind) => !RESTRICTED_VOLUMES.includes(kind));
    if (other) refuse(`volumes[${volume.name}].${other}`, `${other} volumes are not allowed`);
  }
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  for (const placed of containersOf(spec)) {
    const { container, at } = placed;
    const security = container.securityContext;
    const field = `${at}.securityContext`;
    if (security?.allowPrivilegeEscalation !== false)
      refuse(`${field}.allowPrivilegeEscalation`, "must be set to false");
    const user = effectiveUser(spec, placed);
    if (user.runAsNonRoot?.value !== true)
      refuse(user.runAsNonRoot?.field ?? `${field}.runAsNonRoot`, "must be set to true");
    if (user.runAsUser?.value === 0) refuse(user.runAsUser.field, "running as user 0 (root) is not allowed");
    const seccomp = security?.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      refuse(`${field}.seccompProfile.type`, "must be RuntimeDefault or Localhost");
    const capabilities = security?.capabilities;
    if (!(capabilities?.drop ?? []).some((cap) => cap.toUpperCase() === "ALL"))
      refuse(`${field}.capabilities.drop`, "must include ALL");
    (capabilities?.add ?? []).forEach((cap, index) => {
      if (cap.toUpperCase() !== "NET_BIND_SERVICE")
        refuse(`${field}.capabilities.add[${index}]`, `only NET_BIND_SERVICE may be added, not ${cap}`);
    });
  }
}
