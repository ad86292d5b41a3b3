import { App } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boltLogger, createLogger } from "../../src/log.ts";
import { AckFirst } from "../../src/slack/ack-first.ts";
import { InFlight } from "../../src/slack/in-flight.ts";
import { socketModeReceiver } from "../../src/slack/socket-mode.ts";
import {
  createSlackClient,
  freePort,
  type SlackApiServer,
  type SocketModeServer,
  startSlackApiServer,
  startSocketModeServer,
} from "../harness/slack/index.ts";

let api: SlackApiServer;
let socket: SocketModeServer;
let app: App;
const gate = () => new AckFirst({ maxWaitMs: 60_000 });
let ackFirst: AckFirst;
let inFlight: InFlight;
const openAtWorkStart: number[] = [];

beforeEach(async () => {
  api = await startSlackApiServer();
  socket = await startSocketModeServer(api);
  ackFirst = gate();
  inFlight = new InFlight({ ackFirst });
  openAtWorkStart.length = 0;
  const receiver = socketModeReceiver({
    appToken: socket.appToken,
    port: await freePort(),
    customRoutes: [],
    logger: boltLogger(createLogger("silent")),
    apiUrl: api.url,
    ackFirst,
  });
  app = new App({ token: api.bot.token, receiver, clientOptions: { slackApiUrl: api.url } });
  app.command("/release", async ({ ack }) => {
    await ack();
    await inFlight.afterAck(async () => {
      openAtWorkStart.push(ackFirst.open);
    });
  });
  await app.start();
});
afterEach(async () => {
  await app.stop();
  await socket.close();
  await api.close();
});

describe("Socket Mode with the AckFirst gate", () => {
  it("acks a burst of envelopes before any work after an ack starts, and leaves nothing open", async () => {
    const slack = createSlackClient({
      baseUrl: "http://unused",
      signingSecret: "unused",
      api,
      socketMode: socket,
    });
    const burst = 30;
    await Promise.all(Array.from({ length: burst }, (_, i) => slack.command("/release", `help ${i}`)));
    expect(await inFlight.drain(30_000)).toBe(true);
    expect(socket.envelopes.map((e) => e.acks.length)).toEqual(Array(burst).fill(1));
    expect(openAtWorkStart).toHaveLength(burst);
    expect(openAtWorkStart.every((open) => open === 0)).toBe(true);
    expect(ackFirst.arrivals).toBe(burst);
    expect(ackFirst.open).toBe(0);
  });
});
