/** A copy of a record without its undefined fields, so encoded bodies hold only what was set. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T
}
