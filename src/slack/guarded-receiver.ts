import type { HTTPReceiverOptions } from "@slack/bolt";
import type { AckFirst } from "./ack-first.ts";
import { HTTPReceiver } from "./bolt.ts";
import { type GuardOptions, guardSlackRequests } from "./request-guard.ts";

/**
 * Bolt's HTTP receiver behind the request guard. The guard checks the signature (and the timestamp window)
 * of every request to the events path before Bolt sees it, so Bolt does not check it a second time: between
 * a request's arrival and its ack there is one HMAC, the body's parsing and the listener.
 */
export function guardedReceiver(
  options: Omit<HTTPReceiverOptions, "signatureVerification" | "endpoints"> &
    Pick<GuardOptions, "now"> & {
      /** Told of every request from its arrival until its answer is sent (see AckFirst). */
      ackFirst?: AckFirst;
    },
): HTTPReceiver {
  const { now, ackFirst, ...receiverOptions } = options;
  const receiver = new HTTPReceiver({ ...receiverOptions, signatureVerification: false });
  const guarded = guardSlackRequests(receiver.requestListener, {
    signingSecret: options.signingSecret,
    ...(now ? { now } : {}),
  });
  receiver.requestListener = ackFirst
    ? (req, res) => {
        // Slack sends each request whole. One whose body is still arriving after SLOW_BODY_MS (a slow sender, or
        // one holding a request open on purpose: nobody has checked its signature yet) stops holding back the work
        // after other requests' acks; it is still read, checked and answered as any other.
        const answered = ackFirst.arrived({ expiresMs: SLOW_BODY_MS, stillDue: () => req.complete });
        res.once("finish", answered).once("close", answered);
        return guarded(req, res);
      }
    : guarded;
  return receiver;
}

/** How long a request's body may take to arrive while the request still holds back work after acks. */
export const SLOW_BODY_MS = 50;
