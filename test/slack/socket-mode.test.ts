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
const handled: string[] = [];

const slack = () =>
  createSlackClient({ baseUrl: "http://unused", signingSecret: "unused", api, socketMode: socket });

/** The Slack test servers and a Bolt app on Graydesk's Socket Mode receiver; `listen` registers its listeners. */
async function startApp(
  listen: (app: App) => void,
  options: { ackTimeoutMs?: number; ackFirst?: AckFirst } = {},
): Promise<void> {
  api = await startSlackApiServer();
  socket = await startSocketModeServer(
    api,
    options.ackTimeoutMs ? { ackTimeoutMs: options.ackTimeoutMs } : {},
  );
  const receiver = socketModeReceiver({
    appToken: socket.appToken,
    port: await freePort(),
    customRoutes: [],
    logger: boltLogger(createLogger("silent")),
    apiUrl: api.url,
    ...(options.ackFirst ? { ackFirst: options.ackFirst } : {}),
  });
  app = new App({ token: api.bot.token, receiver, clientOptions: { slackApiUrl: api.url } });
  listen(app);
  await app.start();
}

afterEach(async () => {
  await app.stop();
  await socket.close();
  await api.close();
});

describe("Graydesk's Socket Mode client", () => {
  beforeEach(async () => {
    handled.length = 0;
    // The stock client's pause before reconnecting is a fixed 5 s; ours takes milliseconds. 4 s tells them apart
    // with room for a loaded machine.
    await startApp(
      (app) =>
        app.command("/release", async ({ ack, command }) => {
          // Some work before the ack, as a listener that reads something first would do.
          await new Promise((resolve) => setTimeout(resolve, 50));
          await ack({ text: `got ${command.text}` });
          handled.push(command.text);
        }),
      { ackTimeoutMs: 4_000 },
    );
  });

  it("asks SLACK_API_URL for the socket with the app token", () => {
    expect(api.callsTo("apps.connections.open").map((c) => c.token)).toEqual([socket.appToken]);
    expect(socket.connectionCount()).toBe(1);
  });

  it.each(["warning", "refresh_requested"] as const)(
    "on disconnect (%s) acks what it is handling, then reconnects at once: nothing lost, nothing late",
    async (reason) => {
      const inFlight = slack().command("/release", "history");
      socket.disconnect(reason);
      expect((await inFlight).json).toEqual({ text: "got history" });
      const next = await slack().command("/release", "help");
      expect(next.json).toEqual({ text: "got help" });
      expect(socket.connectionCount()).toBe(2);
      expect(socket.envelopes.map((e) => e.sentOn)).toEqual([[1], [2]]);
      expect(socket.envelopes.map((e) => e.acks.length)).toEqual([1, 1]);
      expect(handled).toEqual(["history", "help"]);
      // No 5 s pause: the command sent while reconnecting is acked long before the stock client would reconnect.
      expect(socket.violations).toEqual([]);
    },
  );

  it("stays stopped when stopped while Slack asked it to reconnect", async () => {
    socket.disconnect("refresh_requested");
    await app.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.connectionCount()).toBe(1);
    await app.start();
    expect(socket.connectionCount()).toBe(2);
  });
});

describe("Socket Mode with the AckFirst gate", () => {
  let ackFirst: AckFirst;
  let inFlight: InFlight;
  const openAtWorkStart: number[] = [];

  beforeEach(async () => {
    ackFirst = new AckFirst({ maxWaitMs: 60_000 });
    inFlight = new InFlight({ ackFirst });
    openAtWorkStart.length = 0;
    await startApp(
      (app) =>
        app.command("/release", async ({ ack }) => {
          await ack();
          await inFlight.afterAck(async () => {
            openAtWorkStart.push(ackFirst.open);
          });
        }),
      { ackFirst },
    );
  });

  it("acks a burst of envelopes before any work after an ack starts, and leaves nothing open", async () => {
    const burst = 30;
    await Promise.all(Array.from({ length: burst }, (_, i) => slack().command("/release", `help ${i}`)));
    expect(await inFlight.drain(30_000)).toBe(true);
    expect(socket.envelopes.map((e) => e.acks.length)).toEqual(Array(burst).fill(1));
    expect(openAtWorkStart).toHaveLength(burst);
    expect(openAtWorkStart.every((open) => open === 0)).toBe(true);
    expect(ackFirst.arrivals).toBe(burst);
    expect(ackFirst.open).toBe(0);
  });
});
