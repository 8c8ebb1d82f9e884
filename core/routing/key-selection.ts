import { createHash } from 'node:crypto'

/** A stable short id for a key, so per-key state can be stored without storing the key. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

/** Picks keys of multi-key channels: at random, or in turn (per process) for even spreading. */
export interface KeyPicker {
  /** One of the channel's enabled keys. */
  pick(channel: { id: number; keys: string[]; keyMode: 'random' | 'round-robin' }): string
}

/** Builds a picker; `random` returns [0, 1) and is injectable for tests. */
export function createKeyPicker(random: () => number = Math.random): KeyPicker {
  const turns = new Map<number, number>()
  return {
    pick(channel) {
      if (channel.keys.length === 0) return ''
      if (channel.keyMode === 'round-robin') {
        const turn = turns.get(channel.id) ?? 0
        turns.set(channel.id, turn + 1)
        return channel.keys[turn % channel.keys.length] ?? ''
      }
      return channel.keys[Math.floor(random() * channel.keys.length)] ?? ''
    },
  }
}
