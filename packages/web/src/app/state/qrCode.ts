/** The QR library loads with the first code drawn: the first screen shows none. */
export async function loadQrCode(): Promise<typeof import("qrcode")> {
  return (await import("qrcode")).default;
}
