import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `given` is the namespace's shared token, in time that does not depend on where they differ: both are
 * hashed first, so even their lengths are compared as equal-length digests.
 */
export function sameToken(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
