/** Reading a submitted view's `state.values`: every reader returns undefined for an empty field. */

interface StateEntry {
  type?: string;
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_options?: { value?: string }[];
}

export type StateValues = Record<string, Record<string, StateEntry>>;

/**
 * A block redrawn with a new value carries a new block_id (`id~2`): Slack keeps what was typed in a block whose
 * id stays the same, so only a new id shows the new value. Its element keeps the action_id `id`.
 */
const entry = (values: StateValues, id: string): StateEntry | undefined =>
  values[id]?.[id] ?? Object.entries(values).find(([block]) => block.startsWith(`${id}~`))?.[1]?.[id];

/** Errors keyed by a block's id, moved to the id the block has in the submitted view (see `entry`). */
export function onShownBlocks(errors: Record<string, string>, values: StateValues): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([id, message]) => [
      id in values ? id : (Object.keys(values).find((block) => block.startsWith(`${id}~`)) ?? id),
      message,
    ]),
  );
}

export function readText(values: StateValues, id: string): string | undefined {
  const value = entry(values, id)?.value;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The raw text, including spaces and newlines (multiline inputs). */
export function readRaw(values: StateValues, id: string): string | undefined {
  const value = entry(values, id)?.value;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A number input or a text read as a number; NaN when something that is not a number was typed. */
export function readNumber(values: StateValues, id: string): number | undefined {
  const text = readText(values, id);
  return text === undefined ? undefined : Number(text);
}

export function readOption(values: StateValues, id: string): string | undefined {
  return entry(values, id)?.selected_option?.value ?? undefined;
}

export function readOptions(values: StateValues, id: string): string[] {
  return (entry(values, id)?.selected_options ?? []).flatMap((o) => (o.value ? [o.value] : []));
}

/** Whether the block is in the submitted state at all (it was on the view). */
export const has = (values: StateValues, id: string): boolean => entry(values, id) !== undefined;
