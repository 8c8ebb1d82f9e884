import type { OptionStore, SystemOptionValues } from '../../options.ts'

/** The tail of each store's queue of edits. */
const queues = new WeakMap<OptionStore, Promise<unknown>>()

/**
 * Applies a read-modify-write change to the options, one change at a time per process, so two admins
 * editing different entries of one record (two model prices, two groups) do not undo each other.
 * `change` reads the current values and returns the keys to store.
 */
export function editOptions(store: OptionStore, change: (current: SystemOptionValues) => Partial<SystemOptionValues>): Promise<SystemOptionValues> {
  const previous = queues.get(store) ?? Promise.resolve()
  const next = previous.catch(() => undefined).then(() => store.update(change(store.get())))
  queues.set(store, next)
  return next
}

/** A copy of a record without one key. */
export function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record
  return rest
}
