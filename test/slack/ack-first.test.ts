import { connect } from "node:net";
import { App } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { AckFirst } from "../../src/slack/ack-first.ts";
import { guardedReceiver } from "../../src/slack/guarded-receiver.ts";
import { InFlight } from "../../src/slack/in-flight.ts";
import { freePort, signedHeaders } from "../harness/slack/index.ts";

const SECRET = "ack-first-secret";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("AckFirst", () => {
  it("lets work go on the next turn when no request is open", async () => {
    const gate = new AckFirst();
    let released = false;
    const quiet = gate.quiet().then(() => (released = true));
    expect(released).toBe(false);
    await quiet;
    expect(released).toBe(true);
  });

  it("holds work while a request waits for its answer and lets it go once every request is answered", async () => {
    const gate = new AckFirst({ maxWaitMs: 60_000 });
    const first = gate.arrived();
    const second = gate.arrived();
    let released = false;
    const quiet = gate.quiet().then(() => (released = true));
    for (let i = 0; i < 5; i++) await turn();
    first();
    for (let i = 0; i < 5; i++) await turn();
    expect(released).toBe(false);
    expect(gate.open).toBe(1);
    second();
    second(); // a second call for the same answer changes nothing
    await quiet;
    expect(released).toBe(true);
    expect(gate.open).toBe(0);
    expect(gate.arrivals).toBe(2);
  });

  it("waits one more turn when a request arrived and was answered meanwhile (more of a burst may follow)", async () => {
    const gate = new AckFirst({ maxWaitMs: 60_000 });
    const order: string[] = [];
    const quiet = gate.quiet().then(() => order.push("work"));
    // Arrives and is answered before the gate's check runs: the check sees a new arrival and looks again.
    gate.arrived()();
    order.push("answered");
    await quiet;
    expect(order).toEqual(["answered", "work"]);
  });

  it("never holds work longer than its limit, even while a request stays open", async () => {
    const gate = new AckFirst({ maxWaitMs: 20 });
    gate.arrived(); // a slow sender that never finishes
    await gate.quiet();
    expect(gate.open).toBe(1);
    // The next wait has its own limit.
    await gate.quiet();
    expect(gate.open).toBe(1);
  });

  it("stops counting a request that expires unanswered, unless it is still due; an answer after that changes nothing", async () => {
    const gate = new AckFirst({ maxWaitMs: 600_000 });
    const late = gate.arrived({ expiresMs: 10 });
    await gate.quiet(); // only its expiry lets the work go
    expect(gate.open).toBe(0);
    late();
    expect(gate.open).toBe(0);
    const due = gate.arrived({ expiresMs: 10, stillDue: () => true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gate.open).toBe(1);
    due();
    expect(gate.open).toBe(0);
  });
});

describe("a burst of slash commands through the guarded receiver", () => {
  it("is acked in full before any request's work after ack starts", async () => {
    const { gate, inFlight, receiver, app } = guardedApp(60_000);
    const openAtWorkStart: number[] = [];
    app.command("/release", async ({ ack }) => {
      await ack();
      await inFlight.afterAck(async () => {
        openAtWorkStart.push(gate.open);
      });
    });
    const port = await freePort();
    await receiver.start(port);
    try {
      const burst = 40;
      const statuses = await Promise.all(
        Array.from({ length: burst }, (_, i) => {
          const body = `command=%2Frelease&text=help+${i}&team_id=T1&user_id=U1&channel_id=C1&trigger_id=1.2.${i}`;
          return fetch(`http://127.0.0.1:${port}/slack/events`, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              ...signedHeaders(SECRET, body, Date.now()),
            },
            body,
          }).then((res) => res.status);
        }),
      );
      expect(statuses).toEqual(Array(burst).fill(200));
      expect(await inFlight.drain(30_000)).toBe(true);
      expect(openAtWorkStart).toHaveLength(burst);
      // Work ran only when no request of the burst was left to ack.
      expect(openAtWorkStart.every((open) => open === 0)).toBe(true);
      expect(gate.arrivals).toBe(burst);
    } finally {
      await receiver.stop();
    }
  });
});

describe("a sender that holds its request open", () => {
  it("stops holding back other requests' work once its body is late, and is still answered", async () => {
    // No limit worth the name: only the late body's release lets the work go.
    const { gate, inFlight, receiver, app } = guardedApp(600_000);
    let worked = false;
    app.command("/release", async ({ ack }) => {
      await ack();
      await inFlight.afterAck(async () => {
        worked = true;
      });
    });
    const port = await freePort();
    await receiver.start(port);
    // Headers that pass the shape checks (no secret is needed for those) and a body that stops after 10 bytes.
    const slow = connect(port, "127.0.0.1");
    const answer: Buffer[] = [];
    slow.on("data", (chunk: Buffer) => answer.push(chunk));
    const closed = new Promise((resolve) => slow.once("close", resolve));
    try {
      await new Promise((resolve) => slow.once("connect", resolve));
      slow.write(
        [
          "POST /slack/events HTTP/1.1",
          "host: 127.0.0.1",
          "content-type: application/x-www-form-urlencoded",
          "content-length: 100",
          `x-slack-signature: v0=${"0".repeat(64)}`,
          `x-slack-request-timestamp: ${Math.floor(Date.now() / 1000)}`,
          "",
          "command=%2F",
        ].join("\r\n"),
      );
      await waitUntil(() => gate.arrivals === 1);
      const body = "command=%2Frelease&text=help&team_id=T1&user_id=U1&channel_id=C1&trigger_id=1.2.3";
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...signedHeaders(SECRET, body, Date.now()),
        },
        body,
      });
      expect(res.status).toBe(200);
      // The other request's work ran while the slow one was still open, unanswered.
      await waitUntil(() => worked);
      expect(answer).toHaveLength(0);
      expect(gate.open).toBe(0);
      // The rest of its body arrives: it is checked and refused (its signature is made up), as always.
      slow.end("x".repeat(89));
      await closed;
      expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 401/);
    } finally {
      slow.destroy();
      await receiver.stop();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A Bolt app behind the guarded receiver, with an AckFirst gate of the given limit and its InFlight. */
function guardedApp(maxWaitMs: number) {
  const gate = new AckFirst({ maxWaitMs });
  const inFlight = new InFlight({ ackFirst: gate });
  const receiver = guardedReceiver({ signingSecret: SECRET, ackFirst: gate });
  const app = new App({
    receiver,
    convoStore: false,
    authorize: async () => ({ botToken: "xoxb-test", botId: "B1", botUserId: "UBOT" }),
  });
  return { gate, inFlight, receiver, app };
}
