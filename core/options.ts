import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { Db } from './db/client.ts'
import { options as optionsTable } from './db/schema.ts'
import type { ChangeBus } from './cache/change-bus.ts'
import { QUANTITY_PATTERN } from '@hanggent/plugin-sdk'

/** A price override in USD, same units as plugin pricing data. */
export const PriceOverride = Type.Object(
  {
    inputPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
    outputPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
    cacheReadPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
    cacheWritePerMTok: Type.Optional(Type.Number({ minimum: 0 })),
    cacheWrite1hPerMTok: Type.Optional(Type.Number({ minimum: 0 })),
    perCall: Type.Optional(Type.Number({ minimum: 0 })),
    /** USD per unit of a non-token quantity (searchUnits, images, seconds…), named as plugin prices name them. */
    perUnit: Type.Optional(
      Type.Record(Type.String({ pattern: QUANTITY_PATTERN.source }), Type.Number({ minimum: 0 }), {
        additionalProperties: false,
        description: 'USD per unit by camelCase quantity name (e.g. searchUnits)',
      }),
    ),
  },
  { additionalProperties: false },
)

/** A price override in New API's ratio form (see `modelRatios`). */
export const RatioOverride = Type.Object(
  {
    modelRatio: Type.Number({ minimum: 0 }),
    completionRatio: Type.Optional(Type.Number({ minimum: 0 })),
    cacheRatio: Type.Optional(Type.Number({ minimum: 0 })),
    cacheWriteRatio: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
)

/** System options editable at runtime; each key has a typed value and a default. */
export const SystemOptions = Type.Object(
  {
    /** What the dashboard shows about this installation. */
    general: Type.Object(
      {
        /** Name shown in the dashboard header and page titles. */
        siteName: Type.String({ minLength: 1, maxLength: 64, default: 'Hanggent API' }),
        /** A notice shown to every signed-in user on the overview page (Markdown-free plain text; empty = none). */
        announcement: Type.String({ maxLength: 2000, default: '' }),
      },
      { additionalProperties: false },
    ),
    /** Serve models without a configured price, charging nothing (self-hosted, single-team use). */
    selfUseMode: Type.Boolean({ default: false }),
    /** Per-model price overrides (USD), taking precedence over plugin list prices. */
    modelPrices: Type.Record(Type.String({ minLength: 1 }), PriceOverride, { default: {} }),
    /**
     * Per-model prices in New API's ratio form: modelRatio 1 = 2 USD per 1M input tokens; the other
     * ratios multiply the input price for output, cache reads and cache writes. Used when no USD price
     * override exists for the model.
     */
    modelRatios: Type.Record(Type.String({ minLength: 1 }), RatioOverride, { default: {} }),
    /** Multiplier per user group applied to every charge. */
    groupRatios: Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0 }), { default: { default: 1 } }),
    /** What each group is for, shown next to its ratio (e.g. "resellers, 20% off"). */
    groupDescriptions: Type.Record(Type.String({ minLength: 1 }), Type.String({ maxLength: 500 }), { default: {} }),
    /** Upstream statuses retried on another channel: statuses and ranges, e.g. "429,500-503". */
    retryableStatuses: Type.String({ pattern: '^\\s*\\d{3}(-\\d{3})?(\\s*,\\s*\\d{3}(-\\d{3})?)*\\s*$', default: '401,403,429,500-503,505-523,525-599' }),
    /** How many other channels to try after a retryable upstream failure. */
    retryTimes: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
    /** Quota a newly created user starts with, in units. */
    newUserQuota: Type.Integer({ minimum: 0, default: 0 }),
    /** Taking failing channels and keys out of rotation, and testing them back in. */
    channelHealth: Type.Object(
      {
        /** Master switch for automatic disabling. */
        autoDisable: Type.Boolean({ default: true }),
        /** Upstream statuses that disable the key that got them (a revoked key answers 401). */
        disableOnStatus: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { default: [401] }),
        /** Error texts that disable the key that got them, matched case-insensitively. */
        disableKeywords: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
          // Not "exceeded your current quota": Google words its ordinary per-minute 429 that way; OpenAI's
          // exhausted-credit 429 is caught by its code, insufficient_quota.
          default: ['insufficient_quota', 'credit balance is too low', 'permission denied', 'api key not valid', 'organization has been disabled'],
        }),
        /** Disable a channel after this many failures in a row (0 = never). */
        maxConsecutiveFailures: Type.Integer({ minimum: 0, maximum: 1000, default: 5 }),
        /** Minutes between automatic tests of disabled channels (0 = off). */
        testIntervalMinutes: Type.Integer({ minimum: 0, maximum: 10_080, default: 10 }),
        /** Minutes between reads of each channel's upstream balance, for channels whose type can read it (0 = off). */
        balanceRefreshMinutes: Type.Integer({ minimum: 0, maximum: 10_080, default: 60 }),
      },
      { additionalProperties: false },
    ),
    /** Request rate limits; every count 0 means off. Shared by all replicas when REDIS_URL is set. */
    rateLimits: Type.Object(
      {
        /** Window of the per-user, per-model limits, in seconds. */
        windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
        /** Requests a user may start per model and window. */
        userModelTotal: Type.Integer({ minimum: 0, default: 0 }),
        /** Successful requests (status < 400) a user may make per model and window. */
        userModelSuccess: Type.Integer({ minimum: 0, default: 0 }),
        /** Per-group replacements of the two counts above (e.g. more for `vip`). */
        groupOverrides: Type.Record(
          Type.String({ minLength: 1 }),
          Type.Object(
            {
              userModelTotal: Type.Optional(Type.Integer({ minimum: 0 })),
              userModelSuccess: Type.Optional(Type.Integer({ minimum: 0 })),
            },
            { additionalProperties: false },
          ),
          { default: {} },
        ),
        /** Relay requests per client IP per minute. */
        relayPerIpPerMinute: Type.Integer({ minimum: 0, default: 0 }),
        /** Sign-in attempts per client IP per minute (brute-force guard). */
        loginPerIpPerMinute: Type.Integer({ minimum: 0, default: 10 }),
        /** Admin API requests per client IP per minute. */
        adminPerIpPerMinute: Type.Integer({ minimum: 0, default: 0 }),
      },
      { additionalProperties: false },
    ),
    /** Output tokens reserved when the client sets no max_tokens. */
    defaultOutputReservationTokens: Type.Integer({ minimum: 0, default: 1024 }),
  },
  { additionalProperties: false },
)

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

/** True for option groups (objects with fixed fields), which partial updates merge into; records are replaced whole. */
export function isOptionGroup(key: string): boolean {
  const schema = (SystemOptions.properties as Record<string, { properties?: unknown }>)[key]
  return schema?.properties !== undefined
}

/** Applies a partial update: groups merge field by field, everything else is replaced. */
export function mergeOptions(current: SystemOptionValues, patch: Partial<SystemOptionValues>): SystemOptionValues {
  const next: Record<string, unknown> = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    const before = next[key]
    next[key] =
      isOptionGroup(key) && typeof before === 'object' && before !== null && typeof value === 'object' && value !== null ? { ...before, ...value } : value
  }
  return next as SystemOptionValues
}

/**
 * Option values are stored as `{"v": value}`: drizzle reads a bare JSON string back through JSON.parse,
 * so "429" would come back as the number 429.
 */
export function wrap(value: unknown): { v: unknown } {
  return { v: value }
}

/** An option value from its stored form; rows written before the wrapper are read as they are. */
export function unwrap(stored: unknown): unknown {
  return typeof stored === 'object' && stored !== null && !Array.isArray(stored) && Object.keys(stored).length === 1 && 'v' in stored
    ? (stored as { v: unknown }).v
    : stored
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
    for (const row of rows) {
      if (!(row.key in merged)) continue
      const stored = unwrap(row.value)
      const fallback = merged[row.key]
      const value = isOptionGroup(row.key) && typeof fallback === 'object' && typeof stored === 'object' ? { ...fallback, ...(stored as object) } : stored
      // One bad stored value falls back to its own default instead of resetting every option.
      const schema = (SystemOptions.properties as Record<string, TSchema>)[row.key]
      if (schema && Value.Check(schema, value)) merged[row.key] = value
    }
    current = merged as SystemOptionValues
  }
  await reload()
  bus.subscribe('options', reload)
  return {
    get: () => current,
    async update(patch) {
      const next = mergeOptions(current, patch)
      const problem = Value.Errors(SystemOptions, next).First()
      if (problem) throw new Error(`${problem.path || '/'}: ${problem.message}`)
      for (const key of Object.keys(patch)) {
        const value = (next as Record<string, unknown>)[key]
        await db
          .insert(optionsTable)
          .values({ key, value: wrap(value) })
          .onConflictDoUpdate({ target: optionsTable.key, set: { value: wrap(value), updatedAt: new Date() } })
      }
      current = next
      await bus.publish('options')
      return current
    },
    reload,
  }
}
