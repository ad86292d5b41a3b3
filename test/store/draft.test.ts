import { describe, expect, it } from "vitest";
import { createDraft } from "../../src/store/draft.ts";
import { emptyData, type StoreData } from "../../src/store/index.ts";

function state(): StoreData {
  const data = emptyData();
  data.approvals.a1 = { id: "a1", state: "pending", approvals: [{ user: "U1" }], messages: [] };
  data.approvals.a2 = { id: "a2", state: "pending", approvals: [], messages: [] };
  data.jobs.j1 = { id: "j1", history: [{ kind: "created" }], nested: { deep: { value: 1 } } };
  return data;
}

describe("copy-on-write draft", () => {
  it("reads without copying and changes only copies of the records written", () => {
    const base = state();
    const frozen = structuredClone(base);
    const draft = createDraft(base);
    const d = draft.data;
    expect(Object.values(d.approvals).map((r) => r.state)).toEqual(["pending", "pending"]);
    const job = d.jobs.j1 as unknown as { history: unknown[]; nested: { deep: { value: number } } };
    job.history.push({ kind: "shifted" });
    job.nested.deep.value = 2;
    expect(job.history).toHaveLength(2);
    expect(d.jobs.j1).toMatchObject({ nested: { deep: { value: 2 } } });
    expect(base).toEqual(frozen);
    expect(draft.changes()).toEqual([
      {
        collection: "jobs",
        id: "j1",
        record: {
          id: "j1",
          history: [{ kind: "created" }, { kind: "shifted" }],
          nested: { deep: { value: 2 } },
        },
      },
    ]);
  });

  it("sees Object.assign, spreads, delete and `in` as plain objects do", () => {
    const draft = createDraft(state());
    const d = draft.data;
    const request = d.approvals.a1 as unknown as Record<string, unknown> & { approvals: { user: string }[] };
    Object.assign(request, { state: "approved", decidedBy: "U2" });
    request.approvals = [...request.approvals, { user: "U2" }];
    delete request.messages;
    expect("messages" in request).toBe(false);
    expect("state" in request).toBe(true);
    expect(Array.isArray(request.approvals)).toBe(true);
    const copy = { ...request };
    // A result handed back is plain data: it can be cloned and stringified.
    expect(structuredClone(draft.detach(copy))).toEqual({
      id: "a1",
      state: "approved",
      decidedBy: "U2",
      approvals: [{ user: "U1" }, { user: "U2" }],
    });
    expect(JSON.parse(JSON.stringify(d.approvals.a1))).toEqual(copy);
  });

  it("adds, replaces and deletes whole records, and a proxy assigned becomes plain data", () => {
    const base = state();
    const draft = createDraft(base);
    const d = draft.data;
    d.plans.p1 = { id: "p1", from: d.approvals.a2 as unknown as string, steps: [d.jobs.j1?.history] };
    delete d.approvals.a1;
    expect(d.approvals.a1).toBeUndefined();
    expect(Object.keys(d.approvals)).toEqual(["a2"]);
    expect(Object.keys(d.plans)).toEqual(["p1"]);
    const changes = draft.changes();
    expect(changes.map((c) => [c.collection, c.id, c.record === undefined])).toEqual([
      ["approvals", "a1", true],
      ["plans", "p1", false],
    ]);
    const plan = changes[1]?.record;
    expect(structuredClone(plan)).toEqual({
      id: "p1",
      from: { id: "a2", state: "pending", approvals: [], messages: [] },
      steps: [[{ kind: "created" }]],
    });
    expect(base.approvals.a1).toBeDefined();
  });

  it("takes a collection replaced as a whole", () => {
    const draft = createDraft(state());
    draft.data.approvals = { a3: { id: "a3" } };
    expect(draft.changes().map((c) => [c.id, c.record])).toEqual([
      ["a1", undefined],
      ["a2", undefined],
      ["a3", { id: "a3" }],
    ]);
  });

  it("refuses to change a record deleted in the same update", () => {
    const draft = createDraft(state());
    const job = draft.data.jobs.j1 as unknown as { name?: string };
    delete draft.data.jobs.j1;
    expect(() => {
      job.name = "x";
    }).toThrow(/deleted in this update/);
  });
});
