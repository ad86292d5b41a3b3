import { UserFacingError } from "../src/release/index.ts";
import { escapeText } from "../views/escape.ts";
import type { Subcommand } from "./subcommand.ts";

/** A malformed `/release` call: says what is wrong, then the usage and an example. */
export function usageError(command: Pick<Subcommand, "name" | "usage" | "example">, problem: string): Error {
  const example = command.example ? `, e.g. \`${command.example}\`` : "";
  return new UserFacingError(
    "usage",
    `${problem} Usage: \`/release ${command.name} ${command.usage}\`${example}.`,
  );
}

/** Checks the number of words a subcommand takes. */
export function expectArgs(
  command: Pick<Subcommand, "name" | "usage" | "example">,
  args: string[],
  min: number,
  max: number,
): void {
  if (args.length < min) throw usageError(command, min === 1 ? "Name the job." : "Something is missing.");
  if (args.length > max) {
    const extra = args.slice(max).join(" ");
    throw usageError(command, `\`${escapeText(extra)}\` is one word too many.`);
  }
}
