// Random trace and span ids as lower-case hex, drawn from a pooled buffer of crypto randomness so an id
// costs a table lookup per byte rather than a getRandomValues call (a traced request needs several).

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))
const pool = new Uint8Array(4096)
let used = pool.length

/** `bytes` random bytes as hex (8 for a span id, 16 for a trace id), never all zeros (W3C forbids it). */
export function randomHexId(bytes: 8 | 16): string {
  for (;;) {
    if (used + bytes > pool.length) {
      crypto.getRandomValues(pool)
      used = 0
    }
    let id = ''
    let zero = true
    for (let index = used; index < used + bytes; index++) {
      const byte = pool[index] as number
      if (byte !== 0) zero = false
      id += HEX[byte]
    }
    used += bytes
    if (!zero) return id
  }
}
