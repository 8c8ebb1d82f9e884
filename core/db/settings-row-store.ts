import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { options as optionsTable } from './schema.ts'

/** Reads and writes one settings object kept in its own options row, cached in memory until a change notice arrives. */
export interface SettingsRowStore<Settings, Patch> {
  /** Current settings (secrets sealed). */
  get(): Promise<Settings>
  /** Validates and stores a patch; returns the new settings. */
  update(patch: Patch): Promise<Settings>
}

/** How one settings object is read from its row, patched and checked before it is stored. */
export interface SettingsRowRules<Settings, Patch> {
  /** The options row's key. */
  key: string
  /** Settings from whatever the row holds (or undefined when there is no row). */
  normalize(stored: unknown): Settings
  /** The settings after a patch; secrets go through `seal`. */
  apply(current: Settings, patch: Patch, seal: (plain: string) => string): Settings
  /** Throws a GatewayError when the patched settings are unusable. */
  check(next: Settings): void
}

/** The store over the options table; loads on first use, reloads after any `options` notice. */
export function createSettingsRowStore<Settings, Patch>(context: AppContext, rules: SettingsRowRules<Settings, Patch>): SettingsRowStore<Settings, Patch> {
  const db = context.database.db
  let current: Promise<Settings> | undefined
  const load = async (): Promise<Settings> => {
    const [row] = await db.select().from(optionsTable).where(eq(optionsTable.key, rules.key))
    const stored = row?.value as { v?: unknown } | undefined
    return rules.normalize(stored?.v)
  }
  context.bus.subscribe('options', () => {
    current = undefined
  })
  return {
    get() {
      current ??= load().catch((error: unknown) => {
        current = undefined
        throw error
      })
      return current
    },
    async update(patch) {
      const next = rules.apply(await load(), patch, (plain) => context.secretBox.seal(plain))
      rules.check(next)
      const value = { v: next }
      await db
        .insert(optionsTable)
        .values({ key: rules.key, value })
        .onConflictDoUpdate({ target: optionsTable.key, set: { value, updatedAt: new Date() } })
      await context.bus.publish('options')
      // The notice above dropped the cache; this process already knows the new value.
      current = Promise.resolve(next)
      return next
    },
  }
}
