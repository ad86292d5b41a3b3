// What productpage sends to reviews in a lively Bookinfo: a mix of users, cookies, devices and paths.
import type { MeshRequest } from "./types.ts";

const USERS = ["jason", "maria", "chen", "amara", "", "", "", ""];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
];

/** The `index`-th request; a pure function of the index, so a run can be replayed. */
export function productpageToReviews(namespace: string, index: number): MeshRequest {
  const user = USERS[index % USERS.length] as string;
  const headers: Record<string, string> = {
    "user-agent": AGENTS[Math.floor(index / 3) % AGENTS.length] as string,
    "x-request-id": `req-${index}`,
  };
  if (user) headers["end-user"] = user;
  const cookies = [`session=s${index % 97}`];
  if (index % 10 === 0) cookies.push("canary=always");
  headers.cookie = cookies.join("; ");
  const uri = index % 20 === 0 ? `/beta/reviews/${index % 5}` : `/reviews/${index % 5}`;
  return { service: "reviews", namespace, port: 9080, headers, uri, method: "GET" };
}
