import type { ApprovalGate, ApprovalRequest } from "../approvals/index.ts";
import { byText } from "../release/index.ts";
import type { Store } from "../store/index.ts";
import { type GateFields, type GateKind, gateSubject } from "./types.ts";

/** A gate request: the approval gate's request with what the controller gate keeps beside it. */
export type GateRequest = ApprovalRequest & GateFields;

/** Reads the gate requests out of the approvals collection (others' requests have no `controller`). */
export function gateRequestOf(store: Store, gate: ApprovalGate, id: string): GateRequest | undefined {
  const request = gate.get(id);
  const record = store.data().approvals[id];
  if (!request || typeof record?.controller !== "string") return undefined;
  return { ...request, ...(record as unknown as GateFields) };
}

export function gateRequestsOf(store: Store, releaseId: string): GateRequest[] {
  return (Object.values(store.data().approvals) as unknown as GateRequest[])
    .filter((r) => r.releaseId === releaseId && typeof r.controller === "string")
    .sort((a, b) => byText(a.requestedAt, b.requestedAt));
}

/** The newest request of one kind for one revision, if any. */
export function latestFor(
  store: Store,
  releaseId: string,
  gate: GateKind,
  revision: string,
): GateRequest | undefined {
  const subject = gateSubject(releaseId, gate);
  return gateRequestsOf(store, releaseId)
    .filter((r) => r.jobId === subject && r.revision === revision)
    .at(-1);
}

/** Whether the request lets the controller go on: approved, and for Argo also carried out. */
export function passed(request: GateRequest | undefined): boolean {
  return request?.state === "approved" || request?.state === "applied";
}

/** The newest request of each kind, oldest kind first: what the card shows. */
export function currentRequests(store: Store, releaseId: string, revision: string): GateRequest[] {
  const newest = new Map<GateKind, GateRequest>();
  for (const request of gateRequestsOf(store, releaseId)) {
    if (request.revision === revision) newest.set(request.gate, request);
  }
  return [...newest.values()];
}
