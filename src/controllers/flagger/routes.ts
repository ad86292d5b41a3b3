import type { IncomingMessage } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { Logger } from "../../log.ts";
import type { FlaggerGates } from "./flagger-gates.ts";
import { FLAGGER_HOOKS } from "./payload.ts";

const BODY_LIMIT = 64 * 1024;

/**
 * `POST /flagger/<gate>` on Graydesk's own port, beside /healthz: one path per gate, since Flagger's payload does
 * not name the hook that called. `gates` is looked up per call because the routes exist before the desk does.
 */
export function flaggerRoutes(
  gates: () => FlaggerGates | undefined,
  logger: Logger,
  track: (work: Promise<void>) => unknown = () => undefined,
): CustomRoute[] {
  return FLAGGER_HOOKS.map((hook) => ({
    path: `/flagger/${hook}`,
    method: ["POST"],
    handler: (req, res) => {
      const reply = (status: number, message: string) => {
        if (res.headersSent) return;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ message }));
      };
      const running = gates();
      if (!running) return reply(503, "Graydesk is starting");
      const token = new URL(req.url ?? "/", "http://local").searchParams.get("token") ?? undefined;
      // Tracked like Slack work, so a shutdown waits for a gate decision being recorded.
      const work = readBody(req)
        .then((raw) => {
          if (raw === undefined) return reply(413, `the body is larger than ${BODY_LIMIT} bytes`);
          return running.call(hook, raw, token).then((answer) => reply(answer.status, answer.message));
        })
        .catch((error) => {
          logger.error({ err: error, gate: hook }, "Flagger gate failed");
          reply(500, "Graydesk could not answer this gate; the details are in its log");
        });
      track(work);
    },
  }));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
