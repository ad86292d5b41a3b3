// Errors shaped like kube-apiserver's `Status` objects, worded as it words them, so clients that parse
// `reason`/`code` (client-node, kubectl) behave as they would against a real cluster.

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toBody(): StatusBody {
    const body: StatusBody = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      code: this.code,
    };
    // Some failures (a storage error) carry no reason, and kube then leaves the field out.
    if (this.reason) body.reason = this.reason;
    if (this.details) body.details = this.details;
    return body;
  }
}

/** What kube calls a "qualified resource": `deployments.apps`, `pods`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export const qualified = (gr: GroupResource): string =>
  gr.group ? `${gr.resource}.${gr.group}` : gr.resource;

export const notFound = (gr: GroupResource, name: string): StatusError =>
  new StatusError(404, "NotFound", `${qualified(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const alreadyExists = (gr: GroupResource, name: string): StatusError =>
  new StatusError(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why: string): StatusError =>
  new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

/** `kind` is the object's Kind, e.g. VirtualService; kube prefixes the group: `VirtualService.networking.istio.io`. */
export const invalid = (kind: string, group: string, name: string, causes: StatusCause[]): StatusError => {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = summary.length === 1 ? summary[0] : `[${summary.join(", ")}]`;
  return new StatusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, {
    name,
    group,
    kind,
    causes,
  });
};

export const forbidden = (gr: GroupResource, name: string | undefined, why: string): StatusError => {
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new StatusError(403, "Forbidden", `${subject} is forbidden: ${why}`, {
    ...(name ? { name } : {}),
    group: gr.group,
    kind: gr.resource,
  });
};

export const unauthorized = (): StatusError => new StatusError(401, "Unauthorized", "Unauthorized");

export const badRequest = (message: string): StatusError => new StatusError(400, "BadRequest", message);

export const methodNotAllowed = (): StatusError =>
  new StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

export const unsupportedMediaType = (accepted: string[]): StatusError =>
  new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    {},
  );

export const gone = (message: string): StatusError => new StatusError(410, "Expired", message);

export const internalError = (message: string): StatusError =>
  new StatusError(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });

export const pathNotFound = (): StatusError =>
  new StatusError(404, "NotFound", "the server could not find the requested resource", {});

/** A request option kube refuses, e.g. `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: …` (422). */
export const optionsInvalid = (kind: string, cause: StatusCause): StatusError =>
  new StatusError(422, "Invalid", `${kind}.meta.k8s.io "" is invalid: ${cause.field}: ${cause.message}`, {
    group: "meta.k8s.io",
    kind,
    causes: [cause],
  });
