// The wizard asks the same rule as the engine (see src/release/stable.ts), so they never disagree.
export { stableVersionOf } from "../../src/release/index.ts";
