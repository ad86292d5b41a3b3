import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boltLogger, createLogger, requestLogger, scrubSecrets } from "../src/log.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger("debug", stream) };
}

describe("logging", () => {
  it("redacts tokens, signing secrets and authorization headers wherever they sit", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        config: { slack: { botToken: "xoxb-1", appToken: "xapp-1", signingSecret: "shh" } },
        token: "xoxb-2",
        req: { headers: { authorization: "Bearer abc", "x-slack-signature": "v0=1" } },
        headers: { authorization: "Bearer def" },
      },
      "starting",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["xoxb-1", "xapp-1", "shh", "xoxb-2", "Bearer abc", "Bearer def", "v0=1"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
  });

  it("scrubs tokens from free text, including Bolt's own messages", () => {
    const { lines, logger } = capture();
    boltLogger(logger).error("auth failed for token xoxb-1-2-abcd and Bearer eyJ.abc");
    logger.warn("retrying with xapp-1-A1-xyz");
    expect(JSON.stringify(lines)).not.toMatch(/xoxb-1-2|xapp-1-A1|eyJ/);
    expect(scrubSecrets("token=xoxb-9-9 ok")).toBe("token=[redacted] ok");
  });

  it("binds team, user, channel and a request id to each Slack request's logger", () => {
    const { lines, logger } = capture();
    requestLogger(logger, { team: "T1", user: "U1", channel: "C1", kind: "command" }).info("hello");
    expect(lines[0]).toMatchObject({ team: "T1", user: "U1", channel: "C1", kind: "command", msg: "hello" });
    expect(lines[0]?.requestId).toMatch(/^[0-9a-f]{8}$/);
  });

  it("builds no text for Bolt's lines below the level, and still writes the ones at it", () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const bolt = boltLogger(createLogger("info", stream));
    let serialised = 0;
    const body = { toJSON: () => ++serialised };
    bolt.debug("http request body:", body);
    expect(serialised).toBe(0);
    bolt.warn("slow", body);
    expect(serialised).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(["slow 1"]);
  });
});
