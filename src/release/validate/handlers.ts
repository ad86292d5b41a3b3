import type { ActionSettings, ProbeKind, ProbeSettings } from "../container-settings.ts";
import { splitCommaList } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";
import { isPortNumber } from "./ports.ts";

/** An HTTP request, command or TCP port action, shared by probes and lifecycle hooks. */
export function validateAction(action: ActionSettings, at: string): FieldError[] {
  switch (action.kind) {
    case "http": {
      const errors: FieldError[] = [];
      if (action.scheme !== "HTTP" && action.scheme !== "HTTPS") {
        errors.push({ field: `${at}.scheme`, message: "Choose HTTP or HTTPS." });
      }
      if (!action.path.startsWith("/") || /\s/.test(action.path)) {
        errors.push({
          field: `${at}.path`,
          message: "The path starts with / and has no spaces, e.g. /healthz.",
        });
      }
      if (!isPortNumber(action.port)) {
        errors.push({ field: `${at}.port`, message: "The port is a whole number from 1 to 65535." });
      }
      return errors;
    }
    case "command":
      return splitCommaList(action.command).length === 0
        ? [
            {
              field: `${at}.command`,
              message: "Enter the command, with commas between the command and its arguments.",
            },
          ]
        : [];
    case "tcp":
      return isPortNumber(action.port)
        ? []
        : [{ field: `${at}.port`, message: "The port is a whole number from 1 to 65535." }];
    default:
      return [{ field: `${at}.kind`, message: "Choose HTTP request, command or TCP port." }];
  }
}

const isWhole = (value: number, min: number): boolean => Number.isInteger(value) && value >= min;

export function validateProbe(kind: ProbeKind, probe: ProbeSettings, at: string): FieldError[] {
  const errors = validateAction(probe, at);
  const check = (key: keyof ProbeSettings, min: number, message: string): void => {
    const value = probe[key];
    if (value !== undefined && !(typeof value === "number" && isWhole(value, min))) {
      errors.push({ field: `${at}.${key}`, message });
    }
  };
  check("initialDelaySeconds", 0, "The initial delay is a whole number of seconds, 0 or more.");
  // The console allows 0; Kubernetes then uses its 1-second default.
  check("timeoutSeconds", 0, "The timeout is a whole number of seconds, 0 or more.");
  check("periodSeconds", 1, "The check interval is a whole number of seconds, 1 or more.");
  check("successThreshold", 1, "The success threshold is a whole number, 1 or more.");
  check("failureThreshold", 1, "The failure threshold is a whole number, 1 or more.");
  const success = probe.successThreshold;
  if (kind !== "readiness" && success !== undefined && isWhole(success, 1) && success !== 1) {
    errors.push({
      field: `${at}.successThreshold`,
      message: `The success threshold of a ${kind} check must be 1.`,
    });
  }
  return errors;
}
