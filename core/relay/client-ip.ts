/** The part of Bun's server the relay needs to know who is calling. */
export type AddressSource = { requestIP(request: Request): { address: string } | null } | null | undefined

/** The client's socket address, as rate limits, IP allowlists and logs see it. */
export function clientIpOf(server: AddressSource, request: Request): string | undefined {
  return server?.requestIP(request)?.address
}
