import { HTTPReceiver, type HTTPReceiverOptions } from "@slack/bolt";
import { type GuardOptions, guardSlackRequests } from "./request-guard.ts";

/**
 * Bolt's HTTP receiver behind the request guard. The guard checks the signature (and the timestamp window)
 * of every request to the events path before Bolt sees it, so Bolt does not check it a second time: between
 * a request's arrival and its ack there is one HMAC, the body's parsing and the listener.
 */
export function guardedReceiver(
  options: Omit<HTTPReceiverOptions, "signatureVerification" | "endpoints"> & Pick<GuardOptions, "now">,
): HTTPReceiver {
  const { now, ...receiverOptions } = options;
  const receiver = new HTTPReceiver({ ...receiverOptions, signatureVerification: false });
  receiver.requestListener = guardSlackRequests(receiver.requestListener, {
    signingSecret: options.signingSecret,
    ...(now ? { now } : {}),
  });
  return receiver;
}
