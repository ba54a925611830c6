/**
 * Which endpoints the server will POST pushes to. A logged-in device names
 * the URL, so it must not be able to aim the server at its own network:
 * only https on the default port, to a host name (no IP literal, no
 * localhost, no single-label name). Push services (FCM, Mozilla, Apple,
 * Microsoft) all look like that. A name that resolves to an inner address
 * is not caught here (docs/THREAT-MODEL.md, "Web Push").
 */
export function pushEndpointAllowed(endpoint: string, allowInsecure: boolean): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.hash !== "") return false;
  if (allowInsecure) return url.protocol === "https:" || url.protocol === "http:";
  const host = url.hostname.toLowerCase();
  return (
    url.protocol === "https:" &&
    url.port === "" &&
    host.includes(".") &&
    !host.startsWith("[") &&
    !/^[0-9.]+$/.test(host) &&
    host !== "localhost" &&
    !host.endsWith(".localhost")
  );
}
