import type { SecuritySettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";

const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;
const SELINUX_PART = /^[A-Za-z0-9_.:,-]+$/;

export function validateSecurity(security: SecuritySettings | undefined, at: string): FieldError[] {
  if (!security) return [];
  const errors: FieldError[] = [];
  // Kubernetes refuses privileged containers that forbid escalation; the console switches it on.
  if (security.privileged && security.allowPrivilegeEscalation === false && !security.runAsNonRoot) {
    errors.push({
      field: `${at}.allowPrivilegeEscalation`,
      message:
        "Privileged mode always allows privilege escalation: turn escalation on or privileged mode off.",
    });
  }
  for (const key of ["runAsUser", "runAsGroup"] as const) {
    const id = security[key];
    if (id !== undefined && !(Number.isInteger(id) && id >= 0 && id <= 2147483647)) {
      errors.push({
        field: `${at}.${key}`,
        message: `The ${key === "runAsUser" ? "user" : "group"} ID is a whole number, 0 or more.`,
      });
    }
  }
  if (security.runAsNonRoot && security.runAsUser === 0) {
    errors.push({
      field: `${at}.runAsUser`,
      message: "User 0 is root, which Run as Non-root forbids: choose another user ID.",
    });
  }
  for (const [key, value] of Object.entries(security.seLinux ?? {})) {
    if (value !== undefined && value !== "" && !SELINUX_PART.test(value)) {
      errors.push({
        field: `${at}.seLinux.${key}`,
        message: `The SELinux ${key} cannot contain spaces or symbols like that.`,
      });
    }
  }
  for (const list of ["add", "drop"] as const) {
    (security.capabilities?.[list] ?? []).forEach((name, index) => {
      const field = `${at}.capabilities.${list}[${index}]`;
      if (name.toUpperCase().startsWith("CAP_")) {
        errors.push({ field, message: `Leave out the CAP_ prefix: write ${name.slice(4).toUpperCase()}.` });
      } else if (!CAPABILITY.test(name)) {
        errors.push({ field, message: "Capabilities are uppercase names like SYS_TIME or NET_ADMIN." });
      }
    });
  }
  return errors;
}
