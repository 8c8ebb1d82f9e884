import { isIP } from 'node:net'
import { compileIpAllowlist, type IpAllowlist } from '../security/ip-allowlist.ts'

/** The part of Bun's server the relay needs to know who is calling. */
export type AddressSource = { requestIP(request: Request): { address: string } | null } | null | undefined

/** Compiled TRUSTED_PROXIES lists, by the config array they came from (compiled once, not per request). */
const compiled = new WeakMap<string[], IpAllowlist>()

function trustListOf(trustedProxies: string[]): IpAllowlist | undefined {
  if (trustedProxies.length === 0) return undefined
  let list = compiled.get(trustedProxies)
  if (!list) {
    list = compileIpAllowlist(trustedProxies)
    compiled.set(trustedProxies, list)
  }
  return list
}

/**
 * The client's address as rate limits, IP allowlists and logs see it: the socket address, unless that
 * is a trusted reverse proxy (TRUSTED_PROXIES); then the nearest X-Forwarded-For hop that is not itself
 * trusted. Hops a client wrote itself sit left of that one and are never believed.
 */
export function clientIpOf(server: AddressSource, request: Request, trustedProxies: string[]): string | undefined {
  const socket = server?.requestIP(request)?.address
  const trusted = trustListOf(trustedProxies)
  if (!socket || !trusted || !trusted.allows(socket)) return socket
  const hops = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index]!
    if (isIP(hop) === 0) return socket
    if (!trusted.allows(hop)) return hop
  }
  return hops[0] ?? socket
}
