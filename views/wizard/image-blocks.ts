import type { ActionsBlock, KnownBlock, PlainTextOption } from "@slack/types";
import type { ImageSearch } from "../../src/desk/types.ts";
import { validateImage } from "../../src/release/index.ts";
import { ids } from "../ids.ts";
import { context, externalSelect, option, plain, textInput } from "./blocks.ts";
import type { StateValues } from "./values.ts";

/** Slack's limits on an option: its text and its value. */
const TEXT = 75;
const VALUE = 150;
/** Values of options that only say something (no image, no Secret): picking one is refused on save. */
export const NOTE = "#note";

const short = (text: string) => (text.length <= TEXT ? text : `…${text.slice(-(TEXT - 1))}`);
/** A note's words over the option's text and description (75 characters each), cut between words. */
function note(text: string): PlainTextOption {
  if (text.length <= TEXT) return option(NOTE, text);
  const cut = text.lastIndexOf(" ", TEXT - 1);
  const at = cut > TEXT / 2 ? cut : TEXT - 1;
  const rest = text.slice(at).trim();
  return option(NOTE, text.slice(0, at), rest.length <= TEXT ? rest : `${rest.slice(0, TEXT - 1)}…`);
}

/** The private registry: an image pull Secret of the project, searched as the user types. */
export function pullSecretBlock(pullSecret: string | undefined): KnownBlock {
  return externalSelect(ids.wizard.pullSecret, "Private registry (image pull Secret)", {
    optional: true,
    placeholder: "Docker Hub (no Secret)",
    ...(pullSecret ? { initial: option(pullSecret, short(pullSecret)) } : {}),
    hint: "To use a private image registry, create a Secret containing its login (kubernetes.io/dockerconfigjson), then select it here.",
  });
}

/**
 * The image: typing searches the chosen registry (images and their tags), and what was typed is offered first
 * so any reference can be used as is. A reference too long for an option is a plain text field instead.
 */
export function imageBlock(image: string | undefined): KnownBlock {
  if (image && image.length > VALUE)
    return textInput(ids.wizard.containerImage, "Image", { initial: image, placeholder: "nginx:latest" });
  return externalSelect(ids.wizard.containerImage, "Image", {
    ...(image ? { initial: option(image, short(image)) } : {}),
    placeholder: "nginx:latest or docker.io/nginx:latest",
    hint: "Type an image name to search the registry, or click to browse the private registry's images.",
  });
}

/** "Use Default Port of Images", and what it last said when it could not. */
export function defaultPortsBlocks(said: string | undefined): KnownBlock[] {
  const button: ActionsBlock = {
    type: "actions",
    block_id: ids.wizard.defaultPorts,
    elements: [
      {
        type: "button",
        action_id: ids.wizard.defaultPorts,
        text: plain("Use Default Port of Images"),
        value: "ports",
      },
    ],
  };
  return said ? [button, context(ids.wizard.portsNote, `:warning: ${said}`)] : [button];
}

/** The options for what was typed: the typed reference itself when it is one, then the registry's images. */
export function imageOptions(typed: string, search: ImageSearch): { options: PlainTextOption[] } {
  const text = typed.trim();
  const usable = text !== "" && text.length <= VALUE && validateImage(text, "image").length === 0;
  const found = search.images.filter((image) => image !== text && image.length <= VALUE);
  const options = [
    ...(usable ? [option(text, short(`Use ${text}`))] : []),
    ...found.map((image) => option(image, short(image))),
  ];
  if (search.note) options.push(note(search.note));
  return { options: options.slice(0, 100) };
}

/** The project's image pull Secrets matching what was typed. */
export function pullSecretOptions(
  names: string[] | undefined,
  typed: string,
): { options: PlainTextOption[] } {
  if (names === undefined) return { options: [note("The project's Secrets could not be read.")] };
  const q = typed.trim().toLowerCase();
  const options = names
    .filter((name) => name.toLowerCase().includes(q) && name.length <= VALUE)
    .slice(0, 100)
    .map((name) => option(name, short(name)));
  return {
    options:
      options.length > 0 ? options : [note("No image pull Secret (kubernetes.io/dockerconfigjson) here.")],
  };
}

type Entry = { value?: string | null; selected_option?: { value?: string } | null };
const entryOf = (values: StateValues, id: string) => values[id]?.[id] as Entry | undefined;

/** The image as chosen or typed; a note picked by mistake reads as no image. */
export function readImage(values: StateValues): string | undefined {
  const entry = entryOf(values, ids.wizard.containerImage);
  const chosen = (entry?.selected_option?.value ?? entry?.value ?? "").trim();
  return chosen === "" || chosen === NOTE ? undefined : chosen;
}

export function readPullSecret(values: StateValues): string | undefined {
  const chosen = entryOf(values, ids.wizard.pullSecret)?.selected_option?.value ?? undefined;
  return chosen && chosen !== NOTE ? chosen : undefined;
}
