import { buildError, GENERIC_APOLOGY } from "../../views/error.ts";
import type { Logger } from "../log.ts";
import { userMessageOf } from "../release/index.ts";

export { userMessageOf };

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
