// A stand-in for KubeSphere's virtualservice controller (ks-controller-manager, 3.3/3.4), so the KubeSphere
// router is tested down to traffic: for each mesh-governed Service it writes the VirtualService named after
// the Service's `app` label, from the Service's DestinationRule and the Strategy labelled with that app.
// Written from the controller's behaviour, not its code: which objects it reacts to, which Strategy it takes,
// what each strategyPolicy does, how the template becomes routes per port, and when it writes nothing.
import { asObject, newUid } from "./objects.ts";
import type { KubeObject, Store, StoreEvent } from "./store.ts";

const SERVICES = "/services";
const DEPLOYMENTS = "apps/deployments";
const RULES = "networking.istio.io/destinationrules";
const VIRTUAL_SERVICES = "networking.istio.io/virtualservices";
const STRATEGIES = "servicemesh.kubesphere.io/strategies";
/** Labels that make an object part of a KubeSphere composed app; a Strategy must carry all three. */
const APP_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/version", "app"] as const;
const MESH = "servicemesh.kubesphere.io/enabled";
/** Map-valued fields of a VirtualService: their keys are names (headers), never renamed. */
const MAPS = new Set(["headers", "queryParams", "withoutHeaders", "sourceLabels", "set", "add"]);

type Json = Record<string, unknown>;
type Port = { name?: string; port: number; protocol?: string };

const labelsOf = (o: KubeObject) => o.metadata.labels ?? {};
const isAppComponent = (labels: Record<string, string>) => APP_LABELS.every((l) => l in labels);
const speaksHttp = (portName = "") =>
  ["http", "http2", "grpc"].some(
    (p) => portName.toLowerCase() === p || portName.toLowerCase().startsWith(`${p}-`),
  );
const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** 3.4 Strategies spell the template in snake_case; the VirtualService written from it is Istio's camelCase. */
function camelKeys(value: unknown, inMap = false): unknown {
  if (Array.isArray(value)) return value.map((item) => camelKeys(item));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const name = inMap ? key : camel(key);
      return [name, camelKeys(item, !inMap && MAPS.has(name))];
    }),
  );
}

export class KubeSphereVirtualServices {
  private readonly store: Store;
  private readonly unsubscribe: () => void;
  private readonly queue = new Set<string>();
  private scheduled = false;
  private stopped = false;

  /** Also stand in for the DestinationRule controller (see syncRule). */
  private readonly withRules: boolean;

  constructor(store: Store, opts: { destinationRules?: boolean } = {}) {
    this.store = store;
    this.withRules = opts.destinationRules ?? false;
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  private onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace ?? "";
    if (e.gr === SERVICES) this.enqueue(ns, e.object.metadata.name ?? "");
    // Its DestinationRule follows the Deployments (and their readiness) behind each Service.
    if (e.gr === DEPLOYMENTS)
      for (const service of this.store.list(SERVICES, ns)) this.enqueue(ns, service.metadata.name ?? "");
    // A new or changed DestinationRule: its Service (same name). Deleting one changes nothing at once.
    if (e.gr === RULES && e.type !== "DELETED") this.enqueue(ns, e.object.metadata.name ?? "");
    if (e.gr === STRATEGIES) this.strategyChanged(e.object);
  }

  /** Only a Strategy with all three app labels wakes the Services carrying the same three values. */
  private strategyChanged(strategy: KubeObject): void {
    const labels = labelsOf(strategy);
    if (!isAppComponent(labels)) return;
    const ns = strategy.metadata.namespace ?? "";
    for (const service of this.store.list(SERVICES, ns)) {
      const own = labelsOf(service);
      const spec = asObject(service.spec);
      if (!spec.selector || !(spec.ports as unknown[] | undefined)?.length) continue;
      if (APP_LABELS.every((l) => own[l] === labels[l])) this.enqueue(ns, service.metadata.name ?? "");
    }
  }

  private enqueue(ns: string, name: string): void {
    this.queue.add(`${ns}/${name}`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const keys = [...this.queue];
      this.queue.clear();
      if (this.stopped) return;
      for (const key of keys) {
        const [namespace = "", service = ""] = key.split("/");
        this.sync(namespace, service);
      }
    });
  }

  private sync(ns: string, name: string): void {
    const service = this.store.get(SERVICES, ns, name);
    if (!service) {
      if (this.store.get(VIRTUAL_SERVICES, ns, name)) this.store.remove(VIRTUAL_SERVICES, ns, name);
      return;
    }
    const ports = (asObject(service.spec).ports as Port[] | undefined) ?? [];
    const labels = labelsOf(service);
    if (!isAppComponent(labels) || service.metadata.annotations?.[MESH] !== "true" || ports.length === 0)
      return;
    const app = labels.app as string;
    if (this.withRules) this.syncRule(service, ns, name);
    const rule = this.store.get(RULES, ns, name);
    const subsets = (asObject(rule?.spec).subsets as { name: string }[] | undefined) ?? [];
    if (!rule || subsets.length === 0) return; // KubeSphere retries until its DestinationRule controller made one
    const strategies = this.store.list(STRATEGIES, ns).filter((s) => labelsOf(s).app === app);
    if (strategies.length > 1) return; // two Strategies on one component: refused, nothing written
    const [strategy] = strategies;
    const spec = strategy
      ? this.fromStrategy(strategy, name, ports, subsets)
      : defaults(name, ports, subsets);
    const current = this.store.get(VIRTUAL_SERVICES, ns, app);
    keepRouteExtras(asObject(current?.spec).http as Json[] | undefined, spec.http as Json[] | undefined);
    if (!(spec.http as unknown[]).length && !(spec.tcp as unknown[]).length) return;
    if (current && same(current.spec, spec) && same(current.metadata.labels, labels)) return;
    const next: KubeObject = current
      ? { ...structuredClone(current), spec }
      : {
          apiVersion: "networking.istio.io/v1alpha3",
          kind: "VirtualService",
          metadata: { name: app, namespace: ns, uid: newUid(), creationTimestamp: stamp() },
          spec,
        };
    next.metadata.labels = { ...labels };
    next.metadata.generation = (current?.metadata.generation ?? 0) + 1;
    this.store.put(VIRTUAL_SERVICES, next, current ? "MODIFIED" : "ADDED");
  }

  /**
   * KubeSphere's DestinationRule controller: one subset per ready, mesh-governed Deployment behind the Service,
   * named after its `version` label. (KubeSphere also wants the three app labels on each Deployment's selector;
   * Bookinfo's selectors carry only app and version, so this stand-in does not ask for them.)
   */
  private syncRule(service: KubeObject, ns: string, name: string): void {
    const selector = (asObject(service.spec).selector as Record<string, string> | undefined) ?? {};
    const subsets = this.store
      .list(DEPLOYMENTS, ns)
      .filter((d) => Object.entries(selector).every(([k, v]) => labelsOf(d)[k] === v))
      .filter((d) => d.metadata.annotations?.[MESH] === "true" && labelsOf(d).version)
      .filter((d) => Number(asObject(d.status).readyReplicas ?? 0) > 0)
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
      .map((d) => {
        const version = labelsOf(d).version as string;
        return { name: version.replace(/[._-]/g, ""), labels: { version } };
      });
    const current = this.store.get(RULES, ns, name);
    const spec = { host: name, subsets };
    if (current && same(current.spec, spec)) return;
    const next: KubeObject = current
      ? { ...structuredClone(current), spec }
      : {
          apiVersion: "networking.istio.io/v1alpha3",
          kind: "DestinationRule",
          metadata: {
            name,
            namespace: ns,
            uid: newUid(),
            creationTimestamp: stamp(),
            labels: labelsOf(service),
          },
          spec,
        };
    this.store.put(RULES, next, current ? "MODIFIED" : "ADDED");
  }

  private fromStrategy(strategy: KubeObject, host: string, ports: Port[], subsets: { name: string }[]): Json {
    const spec = asObject(strategy.spec);
    const template = camelKeys(asObject(asObject(spec.template).spec)) as Json;
    const policy = spec.strategyPolicy;
    if (policy === "Paused") return defaults(host, ports, subsets);
    if (policy === "WaitForWorkloadReady") {
      const known = new Set(subsets.map((s) => s.name));
      if ([...strategySubsets(template)].some((s) => !known.has(s))) return defaults(host, ports, subsets);
    }
    return routesFor(template, spec.governor as string | undefined, host, ports);
  }
}

/** No Strategy (or a paused one): every port to the DestinationRule's first subset. */
function defaults(host: string, ports: Port[], subsets: { name: string }[]): Json {
  const http: Json[] = [];
  const tcp: Json[] = [];
  for (const port of ports) {
    if ((port.protocol ?? "TCP") !== "TCP") continue;
    const destination = { host, subset: subsets[0]?.name, port: { number: port.port } };
    if (speaksHttp(port.name))
      http.push({ name: port.name, match: [{ port: port.port }], route: [{ destination, weight: 100 }] });
    else tcp.push({ match: [{ port: port.port }], route: [{ destination, weight: 100 }] });
  }
  return { hosts: [host], http, tcp };
}

/** The template's routes once per port (HTTP ones on HTTP ports), or everything to the governor. */
function routesFor(template: Json, governor: string | undefined, host: string, ports: Port[]): Json {
  const templateHttp = (template.http as Json[] | undefined) ?? [];
  const templateTcp = (template.tcp as Json[] | undefined) ?? [];
  const http: Json[] = [];
  const tcp: Json[] = [];
  for (const port of ports) {
    const onPort = (routes: Json[]) =>
      structuredClone(routes).map((route) => {
        const matches = (route.match as Json[] | undefined) ?? [];
        route.match =
          matches.length === 0 ? [{ port: port.port }] : matches.map((m) => ({ ...m, port: port.port }));
        for (const r of (route.route as Json[] | undefined) ?? [])
          r.destination = { ...asObject(r.destination), port: { number: port.port } };
        return route;
      });
    if (governor) {
      const route = [{ destination: { host, subset: governor }, weight: 100 }];
      if (templateHttp.length > 0 && speaksHttp(port.name))
        http.push({ route, match: [{ port: port.port }] });
      if (templateTcp.length > 0 && !speaksHttp(port.name))
        tcp.push({
          route: [{ ...route[0], destination: { ...route[0]?.destination, port: { number: port.port } } }],
          match: [{ port: port.port }],
        });
      continue;
    }
    if (templateHttp.length > 0 && speaksHttp(port.name)) http.push(...onPort(templateHttp));
    if (templateTcp.length > 0 && !speaksHttp(port.name)) tcp.push(...onPort(templateTcp));
  }
  // Destinations and mirrors still without a port go to the Service's first port.
  const first = ports[0]?.port;
  for (const route of http) {
    for (const r of (route.route as Json[] | undefined) ?? []) {
      const destination = asObject(r.destination);
      if (!asObject(destination.port).number) r.destination = { ...destination, port: { number: first } };
    }
    const mirror = route.mirror as Json | undefined;
    if (mirror && !asObject(mirror.port).number) route.mirror = { ...mirror, port: { number: first } };
  }
  return { hosts: (template.hosts as string[] | undefined) ?? [host], http, tcp };
}

function strategySubsets(template: Json): Set<string> {
  const found = new Set<string>();
  for (const kind of ["http", "tcp", "tls"]) {
    for (const route of (template[kind] as Json[] | undefined) ?? []) {
      for (const r of (route.route as Json[] | undefined) ?? [])
        found.add(String(asObject(r.destination).subset));
      const mirror = route.mirror as Json | undefined;
      if (mirror) found.add(String(mirror.subset));
    }
  }
  return found;
}

/** What someone added to a named route by hand (timeouts, retries…) survives; its matches and routes do not. */
function keepRouteExtras(current: Json[] | undefined, next: Json[] | undefined): void {
  const byName = new Map((current ?? []).filter((r) => r.name).map((r) => [r.name, r]));
  for (const route of next ?? []) {
    const old = byName.get(route.name);
    if (!old) continue;
    const { match, route: destinations } = route;
    for (const key of Object.keys(route)) delete route[key];
    Object.assign(route, structuredClone(old), { match, route: destinations });
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
