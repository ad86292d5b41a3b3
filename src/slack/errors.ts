import { buildError, GENERIC_APOLOGY } from "../../views/error.ts";
import type { Logger } from "../log.ts";
import { UserFacingError } from "../release/errors.ts";

/**
 * A UserFacingError carries a message written for the user (validation, permission, a Kubernetes refusal worded
 * for people). Anything else is an internal fault: the user gets an apology, the log gets the details.
 */
export function userMessageOf(error: unknown): string | undefined {
  return error instanceof UserFacingError ? error.message : undefined;
}

export async function replyToError(
  error: unknown,
  logger: Logger,
  reply: (r: { text: string; blocks?: ReturnType<typeof buildError>["blocks"] }) => Promise<void>,
): Promise<void> {
  const message = userMessageOf(error);
  if (message === undefined) logger.error({ err: error }, "request failed");
  else logger.info({ reason: message }, "request refused");
  try {
    await reply(buildError(message ?? GENERIC_APOLOGY));
  } catch (replyError) {
    logger.error({ err: replyError }, "could not tell the user about an error");
  }
}
