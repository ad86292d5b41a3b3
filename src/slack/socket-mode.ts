import type { CustomRoute, Logger } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import type { AckFirst } from "./ack-first.ts";
import { SocketModeReceiver } from "./bolt.ts";

/**
 * On Slack's `disconnect` (`warning`, `refresh_requested`) the stock client closes the socket at once, so the
 * ack of an envelope it is still handling is never sent, and it waits 5 s before reconnecting, while Slack has
 * nowhere to send a command. This one first lets the envelopes it received be acked (Slack keeps the old
 * connection open for a while), then reconnects straight away.
 */
export class PromptSocketModeClient extends SocketModeClient {
  /** Envelopes received and not yet acked, each with what tells the AckFirst gate its ack was sent. */
  private readonly unacked = new Map<string, () => void>();
  private readonly ackFirst: AckFirst | undefined;
  private readonly log: Logger;
  /** How long acks of received envelopes may take before the old connection is closed anyway. */
  private readonly drainMs: number;
  private refreshing = false;
  private stopped = false;

  constructor(
    options: ConstructorParameters<typeof SocketModeClient>[0] & { logger: Logger; ackFirst?: AckFirst },
    drainMs = 2_500,
  ) {
    const { ackFirst, ...clientOptions } = options;
    super(clientOptions);
    this.log = options.logger;
    this.drainMs = drainMs;
    this.ackFirst = ackFirst;
    this.on("outgoing_message", (message: { envelope_id?: string }) => {
      if (!message.envelope_id) return;
      this.unacked.get(message.envelope_id)?.();
      this.unacked.delete(message.envelope_id);
    });
  }

  override async start(): Promise<Awaited<ReturnType<SocketModeClient["start"]>>> {
    this.stopped = false;
    return super.start();
  }

  override async disconnect(): Promise<void> {
    if (!this.refreshing) this.stopped = true;
    return super.disconnect();
  }

  protected override async onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    const message = isBinary ? undefined : peek(data);
    if (message?.type === "disconnect") {
      void this.refresh(String(message.reason ?? ""));
      return;
    }
    if (typeof message?.envelope_id === "string" && !this.unacked.has(message.envelope_id))
      this.unacked.set(message.envelope_id, this.arrived());
    return super.onWebSocketMessage(data, isBinary);
  }

  /** Tells the AckFirst gate an envelope arrived; the function returned, once its ack is sent. */
  private arrived(): () => void {
    // An envelope nobody acks (Slack stops waiting after 3 s) must not hold work after acks back for ever.
    return this.ackFirst?.arrived({ expiresMs: 3_000 }) ?? (() => {});
  }

  private async refresh(reason: string): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const deadline = Date.now() + this.drainMs;
      while (this.unacked.size > 0 && Date.now() < deadline && !this.stopped)
        await new Promise((resolve) => setTimeout(resolve, 10));
      for (const answered of this.unacked.values()) answered();
      this.unacked.clear();
      if (this.stopped) return;
      this.log.info(`Slack asked for a new Socket Mode connection (${reason}); reconnecting`);
      await super.disconnect();
      if (!this.stopped) await super.start();
    } catch (error) {
      this.log.error(`Socket Mode reconnection failed: ${(error as Error).message}`);
    } finally {
      this.refreshing = false;
    }
  }
}

function peek(data: string | ArrayBuffer): Record<string, unknown> | undefined {
  try {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface SocketModeOptions {
  appToken: string;
  port: number;
  customRoutes: CustomRoute[];
  logger: Logger;
  /** SLACK_API_URL: where apps.connections.open is asked for the socket's URL. */
  apiUrl?: string;
  /** Told of each envelope until its ack is sent, so work after acks waits for a burst's acks. */
  ackFirst?: AckFirst;
}

/**
 * Bolt's Socket Mode receiver (it serves the custom routes on `port`) with our own client in place of the one it
 * builds: the Web API options (SLACK_API_URL) reach apps.connections.open, and reconnection is prompt.
 */
export function socketModeReceiver(opts: SocketModeOptions): SocketModeReceiver {
  const receiver = new SocketModeReceiver({
    appToken: opts.appToken,
    customRoutes: opts.customRoutes,
    installerOptions: { port: opts.port },
    logger: opts.logger,
  });
  const client = new PromptSocketModeClient({
    appToken: opts.appToken,
    logger: opts.logger,
    ...(opts.ackFirst ? { ackFirst: opts.ackFirst } : {}),
    // Its own retries stay (the client's default): reconnecting must outlast a Slack outage.
    clientOptions: opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {},
  });
  // The receiver's one listener hands envelopes to the app; it belongs on the client that is really used.
  for (const listener of receiver.client.listeners("slack_event")) client.on("slack_event", listener);
  receiver.client.removeAllListeners("slack_event");
  receiver.client = client;
  return receiver;
}
