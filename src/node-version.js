// Plain JavaScript that any Node can parse: the start-up check runs before the TypeScript sources load.

export const MINIMUM = "22.18.0";

/** The one line an older Node prints instead of failing on the `.ts` sources, or undefined when it is new enough. */
export function tooOld(version) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return undefined;
  return `Graydesk needs Node.js ${MINIMUM} or newer (24 LTS recommended) and this is ${version}: see "Quick start" in README.md for getting Node 24.`;
}
