// HTTP front of the test API server: authentication, discovery, routing to the verbs, faults, recording.

import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { Api, Target, WriteOptions } from "./api.ts";
import { type Attributes, allowed, denial, type User } from "./authz.ts";
import type { Faults } from "./faults.ts";
import { present } from "./objects.ts";
import { openapiDocument, openapiRoot } from "./openapi.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, type Registry } from "./registry.ts";
import { answerReview, REVIEW_TYPES } from "./reviews.ts";
import {
  badRequest,
  forbidden,
  methodNotAllowed,
  optionsInvalid,
  pathNotFound,
  StatusError,
  unauthorized,
  unsupportedMediaType,
} from "./status.ts";
import type { KubeObject, Store } from "./store.ts";
import { asTable } from "./table.ts";
import { serveWatch } from "./watch.ts";

export interface RecordedRequest {
  method: string;
  verb: string;
  path: string;
  /** The query string with its `?` (e.g. `?dryRun=All`), when there is one. */
  query?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  user?: string;
  status: number;
}

export interface ServerDeps {
  api: Api;
  store: Store;
  registry: Registry;
  faults: Faults;
  users: Map<string, User>;
  requests: RecordedRequest[];
  printerColumns: Map<string, Array<{ name: string; type: string; jsonPath: string }>>;
  bookmarkIntervalMs: number;
  /** Streams and hung requests to end when the server closes. */
  open: Set<() => void>;
  url: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

function parseObject(raw: string, contentType: string): KubeObject {
  // Protobuf is not spoken here; client-go falls back to JSON on 415, as with a server that lacks it.
  if (contentType.includes("protobuf")) {
    throw unsupportedMediaType(["application/json", "application/yaml"]);
  }
  try {
    const parsed = contentType.includes("yaml") ? parseYaml(raw) : JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as KubeObject;
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
  }
}

interface Route {
  target: Target;
  watch: boolean;
}

/** `/api/v1/namespaces/ns/pods/name/status` and `/apis/g/v/watch/…` → what they address. */
function route(registry: Registry, parts: string[]): Route | undefined {
  let group = "";
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === "api") {
    version = parts[1];
    rest = parts.slice(2);
  } else {
    group = parts[1] ?? "";
    version = parts[2];
    rest = parts.slice(3);
  }
  if (!version) return undefined;
  let watch = false;
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && rest[2] !== "status" && rest[2] !== "finalize") {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return undefined;
  const type = registry.find(group, version, resource);
  if (!type) return undefined;
  if (type.namespaced === false && namespace !== undefined) return undefined;
  if (subresource && !(type.subresources ?? []).includes(subresource as "status")) return undefined;
  const target: Target = { type, version };
  if (namespace !== undefined) target.namespace = namespace;
  if (name !== undefined) target.name = name;
  if (subresource !== undefined) target.subresource = subresource;
  return { target, watch };
}

function verbOf(method: string, r: Route, query: URLSearchParams): string {
  const named = r.target.name !== undefined;
  switch (method) {
    case "GET":
      if (r.watch || query.get("watch") === "true" || query.get("watch") === "1") return "watch";
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

const FAULT_REASONS: Record<number, string> = {
  500: "InternalError",
  503: "ServiceUnavailable",
  429: "TooManyRequests",
  409: "Conflict",
  403: "Forbidden",
};

export function createHandler(deps: ServerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const record: RecordedRequest = { method: req.method ?? "GET", verb: "", path: url.pathname, status: 0 };
    if (url.search) record.query = url.search;
    const contentType = req.headers["content-type"];
    if (contentType) record.contentType = contentType;
    deps.requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    try {
      await handle(deps, req, res, url, record);
    } catch (e) {
      const err =
        e instanceof StatusError
          ? e
          : new StatusError(500, "InternalError", `Internal error occurred: ${(e as Error).message}`);
      record.status = err.code;
      if (!res.headersSent) send(res, err.code, err.toBody());
      else res.end();
    }
  };
}

async function handle(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  record: RecordedRequest,
): Promise<void> {
  const parts = url.pathname.split("/").filter(Boolean);
  const method = req.method ?? "GET";
  if (["/healthz", "/readyz", "/livez"].includes(url.pathname)) {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    return;
  }
  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  const user = token ? deps.users.get(token) : undefined;
  if (!user) throw unauthorized();
  record.user = user.name;

  if (url.pathname === "/version") {
    send(res, 200, {
      major: "1",
      minor: "32",
      gitVersion: "v1.32.0-graydesk-test",
      gitCommit: "0000000000000000000000000000000000000000",
      gitTreeState: "clean",
      buildDate: "2025-01-01T00:00:00Z",
      goVersion: "go1.23.4",
      compiler: "gc",
      platform: "linux/amd64",
    });
    return;
  }
  if (parts[0] === "openapi" && parts[1] === "v3" && method === "GET") {
    const rest = parts.slice(2);
    const doc =
      rest.length === 0
        ? openapiRoot(deps.registry)
        : rest[0] === "api"
          ? openapiDocument(deps.registry, "", rest[1] ?? "")
          : openapiDocument(deps.registry, rest[1] ?? "", rest[2] ?? "");
    if (!doc) throw pathNotFound();
    send(res, 200, doc);
    return;
  }
  if (parts[0] !== "api" && parts[0] !== "apis") throw pathNotFound();
  if (!servesGroupVersion(deps.registry, parts)) {
    // kube's mux answers paths outside every served group version itself, in plain text.
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("404 page not found\n");
    return;
  }
  const doc = method === "GET" ? discoveryDocument(deps, parts) : undefined;
  if (doc) {
    send(res, 200, doc);
    return;
  }

  const r = route(deps.registry, parts);
  if (!r) throw pathNotFound();
  const t = r.target;
  const verb = verbOf(method, r, url.searchParams);
  Object.assign(record, { verb, resource: t.type.resource });
  if (t.subresource) record.subresource = t.subresource;
  if (t.namespace) record.namespace = t.namespace;
  if (t.name) record.name = t.name;

  if (t.type.group === "authorization.k8s.io" && REVIEW_TYPES.some((r) => r.resource === t.type.resource)) {
    if (verb !== "create") throw methodNotAllowed();
    send(res, 201, answerReview(t.type.resource, parseObject(await readBody(req), "application/json"), user));
    return;
  }
  const attrs: Attributes = { verb, group: t.type.group, resource: t.type.resource };
  if (t.subresource) attrs.subresource = t.subresource;
  if (t.namespace) attrs.namespace = t.namespace;
  if (!allowed(user, attrs)) throw forbidden(t.type, t.name, denial(user, attrs));

  const fault = deps.faults.take({ verb, resource: t.type.resource, namespace: t.namespace, name: t.name });
  if (fault?.kind === "latency") await sleep(fault.latencyMs ?? 1000);
  if (fault?.kind === "reset") {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === "hang") {
    const end = () => req.socket.destroy();
    deps.open.add(end);
    res.on("close", () => deps.open.delete(end));
    return;
  }
  if (fault?.kind === "status") {
    const code = fault.status ?? 500;
    const details =
      fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined;
    const message =
      fault.message ??
      (code === 429 ? "Too many requests, please try again later." : `injected fault (${code})`);
    const err = new StatusError(code, FAULT_REASONS[code] ?? "InternalError", message, details);
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
    send(res, code, err.toBody(), headers);
    return;
  }

  await dispatch(deps, req, res, url, t, verb);
}

/** `/api`, `/apis`, a served group, or anything under a served group version. */
function servesGroupVersion(registry: Registry, parts: string[]): boolean {
  if (parts[0] === "api") return parts.length < 2 || parts[1] === "v1";
  if (parts.length < 2) return true;
  const g = registry.groups().find((x) => x.name === parts[1]);
  return g !== undefined && (parts.length < 3 || g.versions.includes(parts[2] ?? ""));
}

/** The discovery document a GET path names, or undefined when the path is not a discovery path. */
function discoveryDocument(deps: ServerDeps, parts: string[]): object | undefined {
  const { registry } = deps;
  const path = parts.join("/");
  if (path === "api") return apiVersions(deps.url().replace(/^https?:\/\//, ""));
  if (path === "apis") return apiGroupList(registry);
  if (path === "api/v1") return apiResourceList(registry, "", "v1");
  if (parts[0] !== "apis" || (parts.length !== 2 && parts.length !== 3)) return undefined;
  const g = registry.groups().find((x) => x.name === parts[1]);
  if (!g) throw pathNotFound();
  if (parts.length === 2) return apiGroup(g.name, g.versions);
  if (!g.versions.includes(parts[2] ?? "")) throw pathNotFound();
  return apiResourceList(registry, g.name, parts[2] ?? "");
}

function writeOptions(url: URL, req: IncomingMessage): WriteOptions {
  const q = url.searchParams;
  const agent = (req.headers["user-agent"] ?? "unknown").split("/")[0] ?? "unknown";
  const opts: WriteOptions = {
    dryRun: q.get("dryRun") === "All",
    fieldManager: q.get("fieldManager") ?? agent,
    fieldManagerGiven: q.has("fieldManager") && q.get("fieldManager") !== "",
    force: q.get("force") === "true",
  };
  const fv = q.get("fieldValidation");
  if (fv) opts.fieldValidation = fv;
  if (q.has("dryRun") && q.get("dryRun") !== "All")
    throw badRequest(`Invalid dryRun value: ${q.get("dryRun")}`);
  return opts;
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
}

async function dispatch(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  t: Target,
  verb: string,
): Promise<void> {
  const q = url.searchParams;
  const { api } = deps;
  const contentType = req.headers["content-type"] ?? "application/json";
  const wantsTable = (req.headers.accept ?? "").includes("as=Table");
  const columns = deps.printerColumns.get(`${t.type.group}/${t.type.resource}`);
  const listQuery = {
    ...(q.get("labelSelector") ? { labelSelector: q.get("labelSelector") ?? "" } : {}),
    ...(q.get("fieldSelector") ? { fieldSelector: q.get("fieldSelector") ?? "" } : {}),
    ...(q.get("limit") ? { limit: Number(q.get("limit")) } : {}),
    ...(q.get("continue") ? { continue: q.get("continue") ?? "" } : {}),
  };
  const scale = t.subresource === "scale";
  switch (verb) {
    case "get": {
      const o = scale ? toScale(api.get(t)) : api.get(t);
      if (wantsTable && !scale)
        send(
          res,
          200,
          asTable(t, [o], deps.store.currentRv(), q.get("includeObject") ?? "Metadata", columns),
        );
      else send(res, 200, o);
      return;
    }
    case "list": {
      if (q.get("resourceVersionMatch") && !q.get("resourceVersion")) {
        throw optionsInvalid("ListOptions", {
          reason: "FieldValueForbidden",
          field: "resourceVersionMatch",
          message: "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
        });
      }
      const list = api.list(t, listQuery);
      if (wantsTable) {
        const items = (list.items as KubeObject[]).map((o) => present(t.type, t.version, o));
        const table = asTable(
          t,
          items,
          deps.store.currentRv(),
          q.get("includeObject") ?? "Metadata",
          columns,
        ) as Record<string, unknown>;
        table.metadata = list.metadata;
        send(res, 200, table);
      } else send(res, 200, list);
      return;
    }
    case "watch": {
      const wq = {
        ...(q.get("resourceVersion") ? { resourceVersion: q.get("resourceVersion") ?? "" } : {}),
        ...listQuery,
        allowWatchBookmarks: q.get("allowWatchBookmarks") === "true",
        sendInitialEvents: q.get("sendInitialEvents") === "true",
        ...(q.get("timeoutSeconds") ? { timeoutSeconds: Number(q.get("timeoutSeconds")) } : {}),
      };
      if (t.name) wq.fieldSelector = `metadata.name=${t.name}`;
      serveWatch(res, t, wq, {
        store: deps.store,
        bookmarkIntervalMs: deps.bookmarkIntervalMs,
        track: (end) => {
          deps.open.add(end);
          return () => deps.open.delete(end);
        },
      });
      return;
    }
    case "create": {
      if (t.name || t.subresource) throw methodNotAllowed();
      const r = api.create(t, parseObject(await readBody(req), contentType), writeOptions(url, req));
      send(res, r.code, r.object, warningHeaders(r.warnings));
      return;
    }
    case "update": {
      const body = parseObject(await readBody(req), contentType);
      const opts = writeOptions(url, req);
      if (scale) {
        const replicas = (body.spec as { replicas?: number } | undefined)?.replicas;
        const current = api.get({ ...t, subresource: undefined } as Target);
        (current.spec as Record<string, unknown>).replicas = replicas;
        if (body.metadata?.resourceVersion) current.metadata.resourceVersion = body.metadata.resourceVersion;
        const r = api.update({ ...t, subresource: undefined } as Target, current, opts);
        send(res, 200, toScale(r.object));
        return;
      }
      const r = api.update(t, body, opts);
      send(res, r.code, r.object, warningHeaders(r.warnings));
      return;
    }
    case "patch": {
      const raw = await readBody(req);
      const opts = writeOptions(url, req);
      if (scale) {
        const main = { ...t } as Target;
        delete main.subresource;
        const patchedScale = JSON.parse(raw) as { spec?: { replicas?: number } };
        const replicas = patchedScale.spec?.replicas;
        const r = api.patch(
          main,
          "application/merge-patch+json",
          JSON.stringify({ spec: { replicas } }),
          opts,
        );
        send(res, 200, toScale(r.object));
        return;
      }
      const r = api.patch(t, contentType, raw, opts);
      send(res, r.code, r.object, warningHeaders(r.warnings));
      return;
    }
    case "delete": {
      const raw = await readBody(req);
      const body = raw
        ? (JSON.parse(raw) as {
            propagationPolicy?: string;
            preconditions?: { uid?: string; resourceVersion?: string };
            dryRun?: string[];
          })
        : {};
      const propagationPolicy = q.get("propagationPolicy") ?? body.propagationPolicy;
      const opts = {
        dryRun: q.get("dryRun") === "All" || (body.dryRun ?? []).includes("All"),
        ...(propagationPolicy ? { propagationPolicy } : {}),
        ...(body.preconditions ? { preconditions: body.preconditions } : {}),
      };
      send(res, 200, api.delete(t, opts));
      return;
    }
    case "deletecollection": {
      const dryRun = q.get("dryRun") === "All";
      for (const o of api.select(t, listQuery)) {
        const one: Target = { ...t, name: o.metadata.name ?? "" };
        if (o.metadata.namespace) one.namespace = o.metadata.namespace;
        api.delete(one, { dryRun });
      }
      send(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

/** The autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
function toScale(o: KubeObject): KubeObject {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (o.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}
