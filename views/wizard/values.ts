/** Reading a submitted view's `state.values`: every reader returns undefined for an empty field. */

interface StateEntry {
  type?: string;
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_options?: { value?: string }[];
}

export type StateValues = Record<string, Record<string, StateEntry>>;

const entry = (values: StateValues, id: string): StateEntry | undefined => values[id]?.[id];

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
