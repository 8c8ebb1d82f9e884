// Which model a playground card selects when its model list arrives.

/** The model to select from `offered`: the current one if still offered, else a preferred one (a remembered choice), else the first. */
export function chooseModel(offered: readonly string[], current: string | null, preferred: string | null = null): string | null {
  if (current && offered.includes(current)) return current
  if (preferred && offered.includes(preferred)) return preferred
  return offered[0] ?? null
}
