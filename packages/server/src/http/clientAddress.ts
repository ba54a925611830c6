/**
 * Who a limit counts a request or socket against. One IPv6 holder usually
 * has a whole /64, so counting exact IPv6 addresses would give it 2^64
 * buckets; an IPv4-mapped IPv6 address is its IPv4 address.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { IncomingMessage } from "node:http";

/** The bucket of an address: IPv4 exact, IPv6 by its /64, anything unparsable as is. */
export function addressBucket(address: string): string {
  const ip = address.trim().toLowerCase();
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const hextets = expandIPv6(ip);
  if (hextets.slice(0, 5).every((h) => h === "0") && hextets[5] === "ffff") {
    const low = hextets.slice(6).map((h) => parseInt(h, 16));
    return low.flatMap((n) => [n >> 8, n & 0xff]).join(".");
  }
  return `${hextets.slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of an IPv6 address (a trailing dotted IPv4 part counts as two). */
function expandIPv6(ip: string): string[] {
  const withoutZone = ip.split("%")[0]!;
  const [head = "", tail] = withoutZone.split("::");
  const parts = (s: string) => (s === "" ? [] : s.split(":").flatMap(hextetsOf));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...zeros, ...right].map((h) => h.replace(/^0+(?=.)/, ""));
}

function hextetsOf(part: string): string[] {
  if (!part.includes(".")) return [part];
  const [a = 0, b = 0, c = 0, d = 0] = part.split(".").map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/**
 * The client address of a raw upgrade request, with the same rule fastify's
 * `trustProxy: true` applies to HTTP requests: the left-most X-Forwarded-For
 * entry when the proxy is trusted, else the peer.
 */
export function upgradeClientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers["x-forwarded-for"];
  if (trustProxy && typeof forwarded === "string" && forwarded.trim() !== "") {
    return forwarded.split(",")[0]!.trim();
  }
  return request.socket.remoteAddress ?? "unknown";
}
