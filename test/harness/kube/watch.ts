// Watch streams: newline-delimited JSON events, replayed from a resourceVersion then live, as kube sends them.

import type { ServerResponse } from "node:http";
import { fieldValue, type Target } from "./api.ts";
import { grOf, present } from "./objects.ts";
import { apiVersionOf } from "./registry.ts";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { gone } from "./status.ts";
import type { KubeObject, Store, StoreEvent } from "./store.ts";

export interface WatchQuery {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** Streaming list: the current objects as ADDED, then a bookmark marked as their end. */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export interface WatchDeps {
  store: Store;
  bookmarkIntervalMs: number;
  /** Called with a function that ends the stream, so the server can end every watch on close(). */
  track: (end: () => void) => () => void;
}

export function serveWatch(res: ServerResponse, t: Target, q: WatchQuery, deps: WatchDeps): void {
  const gr = grOf(t.type);
  const labels = q.labelSelector ? parseLabelSelector(q.labelSelector) : [];
  const fields = q.fieldSelector
    ? parseFieldSelector(q.fieldSelector, [
        "metadata.name",
        "metadata.namespace",
        "status.phase",
        "spec.nodeName",
      ])
    : [];
  const matches = (o: KubeObject | undefined): boolean =>
    o !== undefined &&
    (!t.type.namespaced || t.namespace === undefined || o.metadata.namespace === t.namespace) &&
    matchesLabels(labels, o.metadata.labels) &&
    matchesFields(fields, (f) => fieldValue(o, f));

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache",
  });
  res.flushHeaders();
  const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const show = (o: KubeObject) => present(t.type, t.version, o);

  const deliver = (e: StoreEvent) => {
    if (e.gr !== gr) return;
    const now = matches(e.object);
    const before = e.type === "MODIFIED" ? matches(e.old) : now;
    if (e.type === "MODIFIED" && now && !before) send("ADDED", show(e.object));
    else if (e.type === "MODIFIED" && !now && before) send("DELETED", show(e.object));
    else if (now) send(e.type, show(e.object));
  };

  const from = q.resourceVersion;
  const bookmark = (annotations?: Record<string, string>) =>
    send("BOOKMARK", {
      kind: t.type.kind,
      apiVersion: apiVersionOf(t.type.group, t.version),
      metadata: { resourceVersion: deps.store.currentRv(), ...(annotations ? { annotations } : {}) },
    });
  if (q.sendInitialEvents) {
    for (const o of deps.store.list(gr)) if (matches(o)) send("ADDED", show(o));
    if (q.allowWatchBookmarks) bookmark({ "k8s.io/initial-events-end": "true" });
  } else if (!from || from === "0") {
    for (const o of deps.store.list(gr)) if (matches(o)) send("ADDED", show(o));
  } else {
    const events = deps.store.eventsSince(gr, Number(from));
    if (events === "expired") {
      const status = gone(`too old resource version: ${from} (${deps.store.currentRv()})`).toBody();
      send("ERROR", status);
      res.end();
      return;
    }
    for (const e of events) deliver(e);
  }

  const unsubscribe = deps.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  const end = () => {
    unsubscribe();
    untrack();
    for (const timer of timers) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const untrack = deps.track(end);
  if (q.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), deps.bookmarkIntervalMs));
  if (q.timeoutSeconds) timers.push(setTimeout(end, q.timeoutSeconds * 1000));
  res.on("close", end);
}
