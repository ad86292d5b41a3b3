// Sends a flood from its own process, so the process measuring signed requests' acks is not the one busy flooding.
import { type FloodKind, floodPost } from "./flood.ts";

const [url, count, bytes] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4])];
const kinds = (process.argv[5] ?? "").split(",") as FloodKind[];
const answers = await Promise.all(
  Array.from({ length: count }, (_, i) => floodPost(url, kinds[i % kinds.length] ?? "no-signature", bytes)),
);
process.send?.({ answers }, () => process.exit(0));
