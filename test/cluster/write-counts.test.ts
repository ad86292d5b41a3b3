import { describe, expect, it } from "vitest";
import { WriteCounts } from "../../src/cluster/write-counts.ts";

describe("WriteCounts", () => {
  it("keeps a read's answer when no write of its key began meanwhile", async () => {
    const writes = new WriteCounts();
    const kept: string[] = [];
    writes.bump("bookinfo|Deployment");
    expect(
      await writes.readUnlessWritten(
        "bookinfo|Deployment",
        async () => "list",
        (a) => kept.push(a),
      ),
    ).toBe("list");
    expect(kept).toEqual(["list"]);
  });

  it("answers but does not keep a read during which a write of its key began; other keys do not count", async () => {
    const writes = new WriteCounts();
    const kept: string[] = [];
    const answer = await writes.readUnlessWritten(
      "bookinfo|Deployment",
      async () => {
        writes.bump("other|Deployment");
        writes.bump("bookinfo|Deployment");
        return "maybe stale";
      },
      (a) => kept.push(a),
    );
    expect(answer).toBe("maybe stale");
    expect(kept).toEqual([]);
    expect(writes.count("bookinfo|Deployment")).toBe(1);
    expect(writes.count("other|Deployment")).toBe(1);
  });
});
