import { BlockList, isIP } from 'node:net'

/** A compiled allowlist of addresses and CIDR ranges. */
export interface IpAllowlist {
  /** True when the address is covered by some entry. */
  allows(address: string): boolean
}

/** The first entry that is neither an IP nor a CIDR range, for a validation error. */
export function findInvalidIpEntry(entries: string[]): string | undefined {
  return entries.find((entry) => {
    const [address, prefix, ...rest] = entry.trim().split('/')
    const family = isIP(address ?? '')
    if (family === 0 || rest.length > 0) return true
    if (prefix === undefined) return false
    const bits = Number(prefix)
    return !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)
  })
}

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` matches `10.0.0.0/8`. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return mapped?.[1] ?? address
}

/** Compiles entries (already validated) into an allowlist. */
export function compileIpAllowlist(entries: string[]): IpAllowlist {
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix] = entry.trim().split('/')
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return {
    allows(address) {
      const clean = normalise(address)
      const family = isIP(clean)
      return family !== 0 && list.check(clean, family === 6 ? 'ipv6' : 'ipv4')
    },
  }
}
