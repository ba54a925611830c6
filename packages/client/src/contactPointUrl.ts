/** The public page of a contact point on this server. */
export function contactPointUrl(serverUrl: string, slug: string): string {
  return new URL(`k/${slug}`, serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`).toString();
}
