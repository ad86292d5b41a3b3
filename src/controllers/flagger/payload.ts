/** The Flagger webhooks Graydesk answers, each at its own path: Flagger's payload does not say which hook called. */
export const FLAGGER_HOOKS = [
  "confirm-rollout",
  "confirm-traffic-increase",
  "confirm-promotion",
  "rollback",
] as const;
export type FlaggerHook = (typeof FLAGGER_HOOKS)[number];

export function isFlaggerHook(value: string): value is FlaggerHook {
  return (FLAGGER_HOOKS as readonly string[]).includes(value);
}

/** What Flagger POSTs to a webhook: the canary, the phase it reports, its checksum and the webhook's metadata. */
export interface FlaggerPayload {
  name: string;
  namespace: string;
  phase: string;
  /** Flagger's hash of the canary's tracked configs and last applied spec: one per revision. */
  checksum: string;
  metadata: Record<string, string>;
}

export type PayloadResult = { ok: true; payload: FlaggerPayload } | { ok: false; problem: string };

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Reads a webhook body, naming the field that is wrong; never echoes metadata values (a token may be there). */
export function parseFlaggerPayload(raw: string): PayloadResult {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, problem: "the body is not JSON" };
  }
  if (!isObject(body)) return { ok: false, problem: "the body must be a JSON object" };
  for (const field of ["name", "namespace"] as const) {
    const value = body[field];
    if (typeof value !== "string" || value.length === 0 || value.length > 253 || !DNS_NAME.test(value))
      return { ok: false, problem: `${field}: must be the canary's ${field}, a Kubernetes name` };
  }
  if (typeof body.phase !== "string" || body.phase.length > 64)
    return { ok: false, problem: "phase: must be the canary's phase, a string" };
  if (typeof body.checksum !== "string" || body.checksum.length === 0 || body.checksum.length > 128)
    return { ok: false, problem: "checksum: must be the canary's checksum, a non-empty string" };
  const metadata: Record<string, string> = {};
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isObject(body.metadata)) return { ok: false, problem: "metadata: must be a map of strings" };
    for (const [key, value] of Object.entries(body.metadata)) {
      if (typeof value !== "string")
        return { ok: false, problem: `metadata.${key.slice(0, 64)}: must be a string` };
      metadata[key] = value;
    }
  }
  return {
    ok: true,
    payload: {
      name: body.name as string,
      namespace: body.namespace as string,
      phase: body.phase,
      checksum: body.checksum,
      metadata,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
