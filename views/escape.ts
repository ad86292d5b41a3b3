// The one escape lives beside UserFacingError, so the layers that compose user-facing messages share it.
export { codeBlock, escapeText } from "../src/release/escape.ts";
