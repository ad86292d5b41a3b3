import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { FieldError } from "../errors.ts";
import { containersOf, effectiveUser, type PlacedContainer } from "./pod-walk.ts";

export const NO_RAISE = "a new version may not have more privilege than the stable version";

/** What the stable pod already may do: the new version may keep any of it, and add none. */
interface Privileges {
  privileged: boolean;
  escalation: boolean;
  capabilities: Set<string>;
  root: boolean;
  nonRootOff: boolean;
  hostNetwork: boolean;
  hostPID: boolean;
  hostIPC: boolean;
  hostPaths: Set<string>;
  hostPorts: Set<number>;
  automountToken: boolean;
}

function privilegesOf(spec: IPodSpec): Privileges {
  const containers = containersOf(spec);
  const users = containers.map((placed) => effectiveUser(spec, placed));
  return {
    privileged: containers.some(({ container }) => container.securityContext?.privileged === true),
    escalation: containers.some(
      ({ container }) =>
        container.securityContext?.allowPrivilegeEscalation === true ||
        container.securityContext?.privileged === true,
    ),
    capabilities: new Set(
      containers.flatMap(({ container }) =>
        (container.securityContext?.capabilities?.add ?? []).map((cap) => cap.toUpperCase()),
      ),
    ),
    root: users.some((user) => user.runAsUser?.value === 0),
    nonRootOff: users.some((user) => user.runAsNonRoot?.value === false),
    hostNetwork: spec.hostNetwork === true,
    hostPID: spec.hostPID === true,
    hostIPC: spec.hostIPC === true,
    hostPaths: new Set(
      (spec.volumes ?? []).flatMap((volume) => (volume.hostPath ? [volume.hostPath.path] : [])),
    ),
    hostPorts: new Set(
      containers.flatMap(({ container }) => (container.ports ?? []).flatMap((port) => port.hostPort || [])),
    ),
    automountToken: spec.automountServiceAccountToken !== false,
  };
}

/** Every field where the new pod may do more than the stable pod already does. */
export function raisedPrivileges(stable: IPodSpec, next: IPodSpec, stableVersion: string): FieldError[] {
  const has = privilegesOf(stable);
  const errors: FieldError[] = [];
  const refuse = (field: string, what: string) =>
    errors.push({ field, message: `${field}: ${what}, which ${stableVersion} does not have — ${NO_RAISE}.` });

  for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (next[key] === true && !has[key]) refuse(key, `shares the node's ${key.slice(4)} namespace`);
  }
  if (!has.automountToken && next.automountServiceAccountToken !== false) {
    refuse("automountServiceAccountToken", "mounts the ServiceAccount token");
  }
  for (const volume of next.volumes ?? []) {
    if (volume.hostPath && !has.hostPaths.has(volume.hostPath.path)) {
      refuse(`volumes[${volume.name}].hostPath`, `mounts ${volume.hostPath.path} from the node`);
    }
  }
  const seen = new Set<string>();
  for (const placed of containersOf(next)) containerRaises(next, placed, has, refuse, seen);
  return errors;
}

function containerRaises(
  spec: IPodSpec,
  placed: PlacedContainer,
  has: Privileges,
  refuse: (field: string, what: string) => void,
  seen: Set<string>,
): void {
  const { container, at } = placed;
  const security = container.securityContext;
  if (security?.privileged === true && !has.privileged) {
    refuse(`${at}.securityContext.privileged`, "runs privileged");
  }
  if (security?.allowPrivilegeEscalation === true && !has.escalation) {
    refuse(`${at}.securityContext.allowPrivilegeEscalation`, "allows privilege escalation");
  }
  (security?.capabilities?.add ?? []).forEach((cap, index) => {
    const name = cap.toUpperCase();
    if (!has.privileged && !has.capabilities.has(name) && !has.capabilities.has("ALL")) {
      refuse(`${at}.securityContext.capabilities.add[${index}]`, `adds the capability ${name}`);
    }
  });
  const user = effectiveUser(spec, placed);
  // A pod-level setting is named once, not once per container that inherits it.
  if (user.runAsUser?.value === 0 && !has.root && !seen.has(user.runAsUser.field)) {
    seen.add(user.runAsUser.field);
    refuse(user.runAsUser.field, "runs as root (user 0)");
  }
  if (
    user.runAsNonRoot?.value === false &&
    !has.nonRootOff &&
    !has.root &&
    !seen.has(user.runAsNonRoot.field)
  ) {
    seen.add(user.runAsNonRoot.field);
    refuse(user.runAsNonRoot.field, "allows running as root");
  }
  (container.ports ?? []).forEach((port, index) => {
    if (port.hostPort && !has.hostPorts.has(port.hostPort)) {
      refuse(`${at}.ports[${index}].hostPort`, `listens on the node's port ${port.hostPort}`);
    }
  });
}
