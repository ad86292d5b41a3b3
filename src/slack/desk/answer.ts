import type { WebClient } from "@slack/web-api";
import type { Reply } from "../reply.ts";
import { postToResponseUrl } from "../response-url.ts";

/** Where an interaction came from, enough to answer only the person who acted. */
export interface Origin {
  user: string;
  channel?: string;
  responseUrl?: string;
}

/**
 * Answers only `origin.user`: through the response URL when the interaction has one (a message button), else
 * as an ephemeral in the channel, else (App Home, a modal) as a direct message from the app.
 */
export function answerPrivately(client: WebClient, origin: Origin): (reply: Reply) => Promise<void> {
  return async (reply) => {
    if (origin.responseUrl) {
      // A response URL that is gone, unreachable or malformed falls back to an ephemeral message.
      const message = { response_type: "ephemeral", replace_original: false, ...reply };
      if (await postToResponseUrl(origin.responseUrl, message)) return;
    }
    if (origin.channel) {
      await client.chat.postEphemeral({ channel: origin.channel, user: origin.user, ...reply });
      return;
    }
    await client.chat.postMessage({ channel: origin.user, ...reply });
  };
}
