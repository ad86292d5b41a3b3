import type { FieldError } from "../errors.ts";

const MAX_TAG = 128;
const MAX_NAME = 255;
const DOMAIN_COMPONENT = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The Docker reference grammar: `[registry[:port]/]path[:tag][@sha256:digest]`. The first component is a
 * registry when it has a dot or a port or is `localhost`, as the container runtimes decide.
 */
export function validateImage(image: string, field: string): FieldError[] {
  const fail = (message: string): FieldError[] => [{ field, message }];
  if (image.trim().length === 0)
    return fail("Enter the image, e.g. nginx:1.27 or registry.example.com/team/app:v2.");
  if (/\s/.test(image)) return fail("Image references cannot contain spaces.");

  let rest = image;
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1)))
      return fail("Image digests look like @sha256: followed by 64 hex digits.");
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    const tag = rest.slice(colon + 1);
    if (tag.length > MAX_TAG) return fail(`Image tags can be at most ${MAX_TAG} characters.`);
    if (!TAG.test(tag))
      return fail("Image tags use letters, digits, '_', '.' and '-', and cannot start with '.' or '-'.");
    rest = rest.slice(0, colon);
  }
  if (rest.length > MAX_NAME) return fail(`Image names can be at most ${MAX_NAME} characters.`);

  const parts = rest.split("/");
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    const [host, port] = first.split(":");
    if (!(host ?? "").split(".").every((part) => DOMAIN_COMPONENT.test(part))) {
      return fail(`${first} is not a valid registry host.`);
    }
    if (port !== undefined && !/^\d{1,5}$/.test(port)) return fail(`${first} has an invalid registry port.`);
    parts.shift();
  }
  if (parts.length === 0 || parts.some((part) => part.length === 0)) return fail("The image path is empty.");
  if (parts.some((part) => part !== part.toLowerCase()))
    return fail("Image repository names must be lowercase.");
  if (!parts.every((part) => PATH_COMPONENT.test(part))) {
    return fail("Image path parts use lowercase letters and digits, separated by '.', '_', '__' or '-'.");
  }
  return [];
}
