import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Json } from "./block-kit-elements.ts";
import type { SlackApiServer } from "./web-api-server.ts";
import { acceptWebSocket, type WebSocketPeer } from "./websocket.ts";

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";
export type DisconnectReason = "warning" | "refresh_requested" | "link_disabled";

/** One envelope as Slack tracks it: every send (a redelivery after a lost connection is another) and every ack. */
export interface Envelope {
  id: string;
  type: EnvelopeType;
  payload: Json;
  /** Connection ids it was sent on, in order. */
  sentOn: number[];
  acks: { at: number; connection: number; payload: Json }[];
  /** Time from Slack having it to send (queued included: Slack's 3 s run from the user's action) to its ack. */
  ackMs?: number;
  /** Set when its connection closed before the ack and Slack does not send it again (commands, interactivity). */
  lost?: boolean;
}

/** What the app answered: the ack's payload (e.g. `response_action`) and how long it took. */
export interface SocketAck {
  envelopeId: string;
  ackMs: number;
  payload: Json;
}

export interface SocketModeServerOptions {
  /** The app-level token `apps.connections.open` accepts; an `xapp-` token is made up when absent. */
  appToken?: string;
  /** Slack's bound for an ack; a later ack is a violation. 3 s, as Slack. */
  ackTimeoutMs?: number;
  /** How long an old connection stays open after its `disconnect` message if the app keeps it. 10 s. */
  closeAfterDisconnectMs?: number;
  /** Server pings, as Slack sends them. 10 s. */
  pingIntervalMs?: number;
}

export interface SocketModeServer {
  appToken: string;
  envelopes: Envelope[];
  /** Late acks, second acks, acks of unknown envelopes. */
  violations: string[];
  /**
   * Sends an envelope on the current connection (queued until one says hello) and resolves at its first ack.
   * Rejects when the connection closes before the ack and the envelope is a command or an interaction, which
   * Slack does not send again (the user sees an error); events are sent again on the next connection.
   */
  deliver(type: EnvelopeType, payload: Json): Promise<SocketAck>;
  /** Sends `disconnect` on the current connection; new envelopes wait for the app's next connection. */
  disconnect(reason: DisconnectReason): void;
  /** Drops the current connection without a word, as a network failure would. */
  drop(): void;
  /** Resolves once `count` connections have been greeted with `hello` since the server started. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  connectionCount(): number;
  close(): Promise<void>;
}

interface Connection {
  id: number;
  peer: WebSocketPeer;
  /** Told to go away: takes no new envelopes. */
  leaving: boolean;
}

/**
 * Slack's Socket Mode against the Web API test server: `apps.connections.open` hands out a one-use local
 * `ws://` URL, the server says `hello`, sends envelopes, matches acks by `envelope_id`, and can ask the app to
 * reconnect. An event whose connection closes before its ack is sent again on the next one (`retry_attempt`);
 * a command or interaction is lost, as with Slack, so a test sees whether the app lost or doubled any.
 */
export async function startSocketModeServer(
  api: SlackApiServer,
  opts: SocketModeServerOptions = {},
): Promise<SocketModeServer> {
  const appToken = opts.appToken ?? `xapp-1-${api.bot.appId}-${randomBytes(8).toString("hex")}`;
  const ackTimeoutMs = opts.ackTimeoutMs ?? 3_000;
  const tickets = new Set<string>();
  const connections: Connection[] = [];
  const envelopes: Envelope[] = [];
  const violations: string[] = [];
  const queue: Envelope[] = [];
  const waiting = new Map<
    string,
    { since: number; resolve: (ack: SocketAck) => void; reject: (error: Error) => void }
  >();
  const greeted: (() => void)[] = [];
  let greetedCount = 0;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((_req, res) => res.writeHead(426).end("upgrade required"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  api.serve("apps.connections.open", (_args, token) => {
    if (token === api.bot.token) return { ok: false, error: "not_allowed_token_type" };
    if (closed || token !== appToken) return undefined; // another app's (or nobody's) token

    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${api.bot.appId}` };
  });

  const current = () => connections.findLast((c) => c.peer.open && !c.leaving);
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  function send(envelope: Envelope, connection: Connection): void {
    const attempt = envelope.sentOn.length;
    envelope.sentOn.push(connection.id);
    connection.peer.sendText(
      JSON.stringify({
        envelope_id: envelope.id,
        payload: envelope.payload,
        type: envelope.type,
        accepts_response_payload: acceptsResponse(envelope),
        ...(envelope.type === "events_api"
          ? { retry_attempt: attempt, retry_reason: attempt > 0 ? "timeout" : "" }
          : {}),
      }),
    );
  }
  function flush(): void {
    const connection = current();
    if (!connection) return;
    for (const envelope of queue.splice(0)) send(envelope, connection);
  }
  function onAck(connection: Connection, text: string): void {
    let message: { envelope_id?: string; payload?: Json };
    try {
      message = JSON.parse(text);
    } catch {
      return void violations.push(
        `connection ${connection.id} sent text that is not JSON: ${text.slice(0, 80)}`,
      );
    }
    const envelope = envelopes.find((e) => e.id === message.envelope_id);
    if (!envelope) return void violations.push(`ack for unknown envelope ${message.envelope_id}`);
    envelope.acks.push({ at: Date.now(), connection: connection.id, payload: message.payload ?? {} });
    if (envelope.acks.length > 1) return void violations.push(`envelope ${envelope.id} acked twice`);
    const pending = waiting.get(envelope.id);
    if (!pending) return;
    waiting.delete(envelope.id);
    envelope.ackMs = performance.now() - pending.since;
    if (envelope.ackMs > ackTimeoutMs)
      violations.push(
        `envelope ${envelope.id} (${envelope.type}) acked after ${Math.round(envelope.ackMs)} ms`,
      );
    pending.resolve({ envelopeId: envelope.id, ackMs: envelope.ackMs, payload: message.payload ?? {} });
  }
  function onClose(connection: Connection): void {
    const unacked = envelopes.filter(
      (e) => e.acks.length === 0 && e.sentOn.at(-1) === connection.id && !e.lost,
    );
    for (const envelope of unacked) {
      // Slack retries events; a command or a click whose ack never came is an error the user sees.
      if (envelope.type === "events_api") {
        if (!queue.includes(envelope)) queue.push(envelope);
        continue;
      }
      envelope.lost = true;
      const problem = `envelope ${envelope.id} (${envelope.type}) lost: connection ${connection.id} closed before its ack`;
      violations.push(problem);
      waiting.get(envelope.id)?.reject(new Error(problem));
      waiting.delete(envelope.id);
    }
    flush();
  }

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://local");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/link/" || !tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    const peer = acceptWebSocket(req, socket, head);
    if (!peer) return;
    const connection: Connection = { id: connections.length + 1, peer, leaving: false };
    connections.push(connection);
    peer.onText((text) => onAck(connection, text));
    peer.onClose(() => onClose(connection));
    const ping = setInterval(() => peer.ping("ping"), opts.pingIntervalMs ?? 10_000);
    ping.unref();
    peer.onClose(() => clearInterval(ping));
    peer.sendText(
      JSON.stringify({
        type: "hello",
        num_connections: connections.filter((c) => c.peer.open).length,
        debug_info: { host: "applink-test", approximate_connection_time: 18_060 },
        connection_info: { app_id: api.bot.appId },
      }),
    );
    greetedCount += 1;
    for (const wake of greeted.splice(0)) wake();
    flush();
  });

  return {
    appToken,
    envelopes,
    violations,
    deliver(type, payload) {
      const envelope: Envelope = { id: randomUUID(), type, payload, sentOn: [], acks: [] };
      envelopes.push(envelope);
      const acked = new Promise<SocketAck>((resolve, reject) => {
        waiting.set(envelope.id, { since: performance.now(), resolve, reject });
      });
      queue.push(envelope);
      flush();
      return acked;
    },
    disconnect(reason) {
      const connection = current();
      if (!connection) throw new Error("no Socket Mode connection to disconnect");
      connection.leaving = true;
      connection.peer.sendText(
        JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-test" } }),
      );
      later(opts.closeAfterDisconnectMs ?? 10_000, () => connection.peer.close(1001, "going away"));
    },
    drop() {
      current()?.peer.drop();
    },
    async waitForConnections(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (greetedCount < count) {
        if (Date.now() > deadline)
          throw new Error(
            `${greetedCount} Socket Mode connection(s) within ${timeoutMs} ms, expected ${count}`,
          );
        await new Promise<void>((resolve) => {
          greeted.push(resolve);
          later(100, resolve);
        });
      }
    },
    connectionCount: () => greetedCount,
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      // A close handshake, as Slack ends a connection; the peer is destroyed if the app does not answer.
      for (const c of connections) c.peer.close(1001, "going away");
      await Promise.all(connections.map((c) => c.peer.closed()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** Slack lets the ack carry a response for slash commands, view submissions and option loads. */
function acceptsResponse(envelope: Envelope): boolean {
  if (envelope.type === "slash_commands") return true;
  const kind = envelope.payload.type;
  return envelope.type === "interactive" && (kind === "view_submission" || kind === "block_suggestion");
}
