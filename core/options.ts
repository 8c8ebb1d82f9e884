import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { Db } from './db/client.ts'
import { options as optionsTable } from './db/schema.ts'
import type { ChangeBus } from './cache/change-bus.ts'

/** A price override in USD, same units as plugin pricing data. */
export const PriceOverride = Type.Object({
  inputPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
  outputPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
  cacheReadPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
  cacheWritePerMTok: Type.Optional(Type.Number({ minimum: 0 })),
  perCall: Type.Optional(Type.Number({ minimum: 0 })),
}, { additionalProperties: false })

/** System options editable at runtime; each key has a typed value and a default. */
export const SystemOptions = Type.Object({
  /** Serve models without a configured price, charging nothing (self-hosted, single-team use). */
  selfUseMode: Type.Boolean({ default: false }),
  /** Per-model price overrides (USD), taking precedence over plugin list prices. */
  modelPrices: Type.Record(Type.String({ minLength: 1 }), PriceOverride, { default: {} }),
  /** Multiplier per user group applied to every charge. */
  groupRatios: Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0 }), { default: { default: 1 } }),
  /** How many other channels to try after a retryable upstream failure. */
  retryTimes: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
  /** Quota a newly created user starts with, in units. */
  newUserQuota: Type.Integer({ minimum: 0, default: 0 }),
  /** Output tokens reserved when the client sets no max_tokens. */
  defaultOutputReservationTokens: Type.Integer({ minimum: 0, default: 1024 }),
}, { additionalProperties: false })

/** The typed option values. */
export type SystemOptionValues = Static<typeof SystemOptions>

/** Reads options from memory and writes them through to the database. */
export interface OptionStore {
  /** Current values (defaults filled in). */
  get(): SystemOptionValues
  /** Validates and stores a partial update; returns the new values. */
  update(patch: Partial<SystemOptionValues>): Promise<SystemOptionValues>
  /** Reloads from the database (after another replica changed them). */
  reload(): Promise<void>
}

/** The defaults for every option. */
export function defaultOptions(): SystemOptionValues {
  return Value.Create(SystemOptions)
}

/** Loads options and keeps them current through the change bus. */
export async function createOptionStore(db: Db, bus: ChangeBus): Promise<OptionStore> {
  let current = defaultOptions()
  async function reload() {
    const rows = await db.select().from(optionsTable)
    const merged: Record<string, unknown> = { ...defaultOptions() }
    for (const row of rows) if (row.key in merged) merged[row.key] = row.value
    current = Value.Check(SystemOptions, merged) ? (merged as SystemOptionValues) : defaultOptions()
  }
  await reload()
  bus.subscribe('options', reload)
  return {
    get: () => current,
    async update(patch) {
      const next = { ...current, ...patch }
      const problem = Value.Errors(SystemOptions, next).First()
      if (problem) throw new Error(`${problem.path || '/'}: ${problem.message}`)
      for (const [key, value] of Object.entries(patch)) {
        await db.insert(optionsTable).values({ key, value }).onConflictDoUpdate({ target: optionsTable.key, set: { value, updatedAt: new Date() } })
      }
      current = next
      await bus.publish('options')
      return current
    },
    reload,
  }
}
