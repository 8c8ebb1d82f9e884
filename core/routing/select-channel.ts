/** The fields channel selection looks at. */
export interface Weighted {
  /** Higher tiers are tried first. */
  priority: number
  /** Relative share of traffic inside a tier; all zeros means equal shares. */
  weight: number
}

/** Picks one index by weight; equal odds when every weight is zero. `random` returns [0, 1). */
function pickWeighted<T extends Weighted>(items: T[], random: () => number): number {
  const total = items.reduce((sum, item) => sum + Math.max(0, item.weight), 0)
  if (total <= 0) return Math.min(items.length - 1, Math.floor(random() * items.length))
  let point = random() * total
  for (const [index, item] of items.entries()) {
    point -= Math.max(0, item.weight)
    if (point < 0) return index
  }
  return items.length - 1
}

/** Orders items by weighted random draw without replacement. */
export function weightedShuffle<T extends Weighted>(items: T[], random: () => number): T[] {
  const pool = [...items]
  const order: T[] = []
  while (pool.length > 0) order.push(...pool.splice(pickWeighted(pool, random), 1))
  return order
}

/**
 * The channels to try, in order: the highest priority tier first (weighted random inside it),
 * then the rest of that tier, then lower tiers; at most `maxAttempts` entries.
 */
export function planAttempts<T extends Weighted>(candidates: T[], maxAttempts: number, random: () => number = Math.random): T[] {
  // The usual case on a small install, and on every call: nothing to order.
  if (candidates.length <= 1) return candidates
  const tiers = new Map<number, T[]>()
  for (const candidate of candidates) tiers.set(candidate.priority, [...(tiers.get(candidate.priority) ?? []), candidate])
  const ordered = [...tiers.entries()].sort((a, b) => b[0] - a[0]).flatMap(([, tier]) => weightedShuffle(tier, random))
  return ordered.slice(0, Math.max(1, maxAttempts))
}

/** Follows a channel's model mapping, chains included (a→b→c); stops on a cycle rather than looping. */
export function resolveModelMapping(mapping: Record<string, string>, model: string): string {
  // Most calls name a model the channel does not map.
  if (!mapping[model]) return model
  const seen = new Set<string>([model])
  let current = model
  for (;;) {
    const next = mapping[current]
    if (next === undefined || next === '' || seen.has(next)) return current
    seen.add(next)
    current = next
  }
}
