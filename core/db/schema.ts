import { sql } from 'drizzle-orm'
import { bigint, bigserial, boolean, index, integer, jsonb, numeric, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * The database schema. Money is integer quota units (500,000 = 1 USD) held in bigint columns read as
 * JS numbers (exact up to 2^53 units, about 18 billion USD).
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
const quota = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0)

/** Roles in order of power; root is unique and cannot be demoted. */
export type UserRole = 'user' | 'admin' | 'root'

/** People who own tokens and quota. */
export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    username: text('username').notNull(),
    passwordHash: text('password_hash'),
    displayName: text('display_name').notNull().default(''),
    email: text('email'),
    role: text('role').$type<UserRole>().notNull().default('user'),
    group: text('group').notNull().default('default'),
    /** Remaining quota in units. */
    quota: quota('quota'),
    usedQuota: quota('used_quota'),
    requestCount: bigint('request_count', { mode: 'number' }).notNull().default(0),
    /** Raised by every write of `quota`, so a cached balance can tell a newer row from an older one. */
    balanceVersion: bigint('balance_version', { mode: 'number' }).notNull().default(0),
    status: text('status').$type<'enabled' | 'disabled'>().notNull().default('enabled'),
    /** TOTP secret, sealed with CRYPTO_SECRET; set at enrolment, active once `totpEnabled`. */
    totpSecretEncrypted: text('totp_secret_encrypted'),
    totpEnabled: boolean('totp_enabled').notNull().default(false),
    /** Last accepted TOTP time step, so a code cannot be replayed. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /** SHA-256 hashes of the unused recovery codes. */
    recoveryCodeHashes: jsonb('recovery_code_hashes').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** Set while the account still has a password it did not choose (root's printed first-boot password): first-run setup replaces it. */
    passwordChangeRequired: boolean('password_change_required').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('users_username_unique').on(table.username),
    // One account per address, whatever its case: email is a sign-in name.
    uniqueIndex('users_email_lower_unique').on(sql`lower(${table.email})`),
  ],
)

/** Relay API keys (`sk-…`), stored as a SHA-256 hash with a display prefix. */
export const tokens = pgTable(
  'tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    keyPreview: text('key_preview').notNull(),
    status: text('status').$type<'enabled' | 'disabled'>().notNull().default('enabled'),
    /** Remaining quota in units; ignored when unlimited. */
    remainQuota: quota('remain_quota'),
    usedQuota: quota('used_quota'),
    /** Raised by every write of `remain_quota`, so a cached balance can tell a newer row from an older one. */
    balanceVersion: bigint('balance_version', { mode: 'number' }).notNull().default(0),
    unlimited: boolean('unlimited').notNull().default(false),
    /** Allowed model names (exact or `prefix*`); null allows every model. */
    models: jsonb('models').$type<string[] | null>(),
    /** Allowed client IPs or CIDR ranges; null allows any address. */
    ipAllowlist: jsonb('ip_allowlist').$type<string[] | null>(),
    /** Group override for routing and pricing; null uses the owner's group. */
    group: text('group'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex('tokens_key_hash_unique').on(table.keyHash), index('tokens_user_idx').on(table.userId)],
)

/** A vendor's amount of money: exact decimals (6 places), read as a JS number. */
const balanceNumber = (name: string) => numeric(name, { precision: 24, scale: 6, mode: 'number' })

/** What a balance read found besides the amount. */
export interface ChannelBalanceDetails {
  /** False when the vendor said the account cannot serve calls whatever the amount. */
  available?: boolean
  /** The vendor's breakdown, by the reader's names (`granted`, `toppedUp`, `voucher`, …). */
  breakdown?: Record<string, number | string | boolean>
}

/** Channel status: enabled, turned off by an admin, or turned off by health checks. */
export type ChannelStatus = 'enabled' | 'manually-disabled' | 'auto-disabled'

/** Upstream accounts requests are routed to. */
export const channels = pgTable(
  'channels',
  {
    id: serial('id').primaryKey(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    /** AES-256-GCM ciphertext of a JSON array of keys (multi-key channels). */
    keysEncrypted: text('keys_encrypted').notNull(),
    /** Masked keys for display, computed at write time so listing never decrypts. */
    keysPreview: jsonb('keys_preview').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    baseUrl: text('base_url'),
    models: jsonb('models').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    groups: jsonb('groups').$type<string[]>().notNull().default(sql`'["default"]'::jsonb`),
    modelMapping: jsonb('model_mapping').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    priority: integer('priority').notNull().default(0),
    weight: integer('weight').notNull().default(1),
    status: text('status').$type<ChannelStatus>().notNull().default('enabled'),
    statusReason: text('status_reason'),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** Upstream status → status the gateway acts on (e.g. `{"400": "500"}` makes a 400 retryable). */
    statusCodeMapping: jsonb('status_code_mapping').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    /** Send reasoning to clients as `<think>…</think>` inside the content (for clients that show no reasoning field). */
    thinkingToContent: boolean('thinking_to_content').notNull().default(false),
    /** How a multi-key channel picks a key per call. */
    keyMode: text('key_mode').$type<'random' | 'round-robin'>().notNull().default('random'),
    /** Keys taken out of rotation, by key fingerprint (sha256 prefix): when and why. */
    keyStates: jsonb('key_states').$type<Record<string, { status: 'auto-disabled'; reason: string; at: string }>>().notNull().default(sql`'{}'::jsonb`),
    /** Latency of the last channel test, in ms. */
    testLatencyMs: integer('test_latency_ms'),
    testedAt: timestamp('tested_at', { withTimezone: true }),
    usedQuota: quota('used_quota'),
    /** Free-form labels for grouping channels in the dashboard and for batch actions. */
    tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** The balance reader the channel uses (a reader id of its type); null picks one by the base URL's host. */
    balanceSource: text('balance_source'),
    /** The upstream account's spendable balance at the last successful read, in `balanceCurrency` (a vendor's money, not quota units). */
    balanceAmount: balanceNumber('balance_amount'),
    /** ISO 4217 code of the balance and of the threshold, e.g. `USD`, `CNY`. */
    balanceCurrency: text('balance_currency'),
    /** The vendor's breakdown of the last read (granted, topped up, vouchers, …) and whether it said the account is usable. */
    balanceDetails: jsonb('balance_details').$type<ChannelBalanceDetails>(),
    /** When the balance was last read successfully. */
    balanceReadAt: timestamp('balance_read_at', { withTimezone: true }),
    /** When a read was last tried, successful or not: the periodic refresh picks the channels not tried for a while. */
    balanceCheckedAt: timestamp('balance_checked_at', { withTimezone: true }),
    /** Why the last read failed; null after a successful one (the last good amount is kept). */
    balanceError: text('balance_error'),
    /** A balance under this amount (in the balance's currency) flags the channel; null means no threshold. */
    balanceThreshold: balanceNumber('balance_threshold'),
    /** Take the channel out of rotation when its balance falls under the threshold (and back in when it recovers). */
    balanceAutoDisable: boolean('balance_auto_disable').notNull().default(false),
    /** Set while the last read was under the threshold, or the vendor said the account cannot be used. */
    balanceLow: boolean('balance_low').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('channels_tags_idx').using('gin', table.tags)],
)

/** (group, model, channel) rows derived from channels; routing reads them from memory. */
export const abilities = pgTable(
  'abilities',
  {
    group: text('group').notNull(),
    model: text('model').notNull(),
    channelId: integer('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    priority: integer('priority').notNull().default(0),
    weight: integer('weight').notNull().default(1),
    enabled: boolean('enabled').notNull().default(true),
  },
  (table) => [primaryKey({ columns: [table.group, table.model, table.channelId] }), index('abilities_channel_idx').on(table.channelId)],
)

/** Kinds of log rows. */
export type LogType = 'consume' | 'error' | 'manage' | 'topup' | 'system' | 'refund' | 'login'

/** Usage, error and audit records. Written in batches off the request path. */
export const logs = pgTable(
  'logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: createdAt(),
    type: text('type').$type<LogType>().notNull(),
    userId: integer('user_id'),
    username: text('username'),
    tokenId: integer('token_id'),
    tokenName: text('token_name'),
    channelId: integer('channel_id'),
    model: text('model'),
    upstreamModel: text('upstream_model'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    /** Units charged (consume) or credited (top-up, refund). */
    quota: quota('quota'),
    latencyMs: integer('latency_ms'),
    firstTokenMs: integer('first_token_ms'),
    isStream: boolean('is_stream').notNull().default(false),
    requestId: text('request_id'),
    ip: text('ip'),
    group: text('group'),
    statusCode: integer('status_code'),
    content: text('content'),
    /** Price breakdown and other structured detail. */
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [
    index('logs_created_idx').on(table.createdAt),
    index('logs_user_created_idx').on(table.userId, table.createdAt),
    index('logs_token_created_idx').on(table.tokenId, table.createdAt),
    index('logs_channel_created_idx').on(table.channelId, table.createdAt),
    index('logs_model_created_idx').on(table.model, table.createdAt),
    index('logs_type_created_idx').on(table.type, table.createdAt),
    index('logs_request_idx').on(table.requestId),
  ],
)

/** System options as typed JSON values, edited from the admin API. */
export const options = pgTable('options', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: updatedAt(),
})

/** Personal access tokens for `Authorization: Bearer` on the admin API, stored hashed. */
export const accessTokens = pgTable(
  'access_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** `full`, or `read` for tokens that may only read (GET). */
    scope: text('scope').$type<'full' | 'read'>().notNull().default('full'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('access_tokens_hash_unique').on(table.tokenHash)],
)

/** A usage rollup table: per bucket (hour or day), user, token, channel and model; charts read these, not the logs. */
function usageRollupTable(name: string, bucketColumn: string) {
  return pgTable(
    name,
    {
      /** Start of the bucket (named `hour` in code for both tables; the column is `hour` or `day`). */
      hour: timestamp(bucketColumn, { withTimezone: true }).notNull(),
      userId: integer('user_id').notNull(),
      tokenId: integer('token_id').notNull(),
      channelId: integer('channel_id').notNull(),
      model: text('model').notNull(),
      requests: bigint('requests', { mode: 'number' }).notNull().default(0),
      promptTokens: bigint('prompt_tokens', { mode: 'number' }).notNull().default(0),
      completionTokens: bigint('completion_tokens', { mode: 'number' }).notNull().default(0),
      quota: quota('quota'),
    },
    (table) => [
      primaryKey({ columns: [table.hour, table.userId, table.tokenId, table.channelId, table.model] }),
      index(`${name}_user_${bucketColumn}_idx`).on(table.userId, table.hour),
    ],
  )
}

/** Hourly usage rollups. */
export const quotaStats = usageRollupTable('quota_stats', 'hour')

/** Daily rollups with the same keys, so month-long charts read a few thousand rows instead of a hundred thousand. */
export const quotaStatsDaily = usageRollupTable('quota_stats_daily', 'day')

/** Redemption code states. */
export type RedemptionStatus = 'unused' | 'used' | 'disabled'

/** Single-use codes that add quota to the account that redeems them; stored hashed, shown once. */
export const redemptions = pgTable(
  'redemptions',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    codeHash: text('code_hash').notNull(),
    codePreview: text('code_preview').notNull(),
    /** Units added on redemption. */
    quota: quota('quota'),
    status: text('status').$type<RedemptionStatus>().notNull().default('unused'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    redeemedBy: integer('redeemed_by').references(() => users.id, { onDelete: 'set null' }),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('redemptions_code_hash_unique').on(table.codeHash), index('redemptions_status_idx').on(table.status)],
)

/** Sign-in identities from OAuth/OIDC providers and Telegram, linked to a local user. */
export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Provider id: `github`, `discord`, `linuxdo`, `oidc`, `telegram`. */
    provider: text('provider').notNull(),
    /** The provider's stable id of the account (GitHub user id, OIDC `sub`, Telegram user id). */
    subject: text('subject').notNull(),
    /** The provider's display name of the account, for the linked-accounts list. */
    login: text('login'),
    email: text('email'),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('oauth_accounts_provider_subject_unique').on(table.provider, table.subject), index('oauth_accounts_user_idx').on(table.userId)],
)

/** Top-up order states: pending until the provider confirms, then paid (and refunded when all of it came back). */
export type TopupStatus = 'pending' | 'paid' | 'expired' | 'failed' | 'refunded'

/** Online top-up orders (Stripe Checkout, EPay): what was asked, what was paid and what was credited. */
export const topups = pgTable(
  'topups',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `stripe` or `epay`. */
    provider: text('provider').$type<'stripe' | 'epay'>().notNull(),
    /** Our order number, sent to the provider (EPay `out_trade_no`, Stripe `client_reference_id`). */
    tradeNo: text('trade_no').notNull(),
    /** The provider's id of the payment (Stripe Checkout Session id, EPay `trade_no`); unique per provider. */
    providerReference: text('provider_reference'),
    /** The provider's id of the money movement refunds name (Stripe PaymentIntent id). */
    paymentReference: text('payment_reference'),
    /** The payment method the user chose (`stripe`, `alipay`, `wxpay`, …). */
    method: text('method').notNull(),
    status: text('status').$type<TopupStatus>().notNull().default('pending'),
    /** What the user asked to top up, in `currency`'s minor units (cents): the quota is computed from it. */
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    /** What the provider charges, in minor units (the amount after the discount table). */
    paidMinor: bigint('paid_minor', { mode: 'number' }).notNull(),
    /** ISO 4217 code, upper case. */
    currency: text('currency').notNull(),
    /** Units credited when paid: fixed when the order is created, never taken from a notification. */
    quota: quota('quota'),
    /** Units taken back by refunds so far. */
    quotaRefunded: quota('quota_refunded'),
    /** The provider's last event about this order, kept for audit. */
    lastEvent: jsonb('last_event').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('topups_trade_no_unique').on(table.tradeNo),
    uniqueIndex('topups_provider_reference_unique').on(table.provider, table.providerReference),
    index('topups_user_created_idx').on(table.userId, table.createdAt),
    index('topups_status_idx').on(table.status),
  ],
)

/** States of an asynchronous task (the plugin SDK's TaskStatus). */
export type TaskStatusColumn = 'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE'

/**
 * Asynchronous tasks (Midjourney-Proxy, Suno, video): the gateway's public id mapped to the upstream's,
 * what was charged at submit and whether it was refunded, and the poller's state, so a restart resumes.
 */
export const tasks = pgTable(
  'tasks',
  {
    /** The gateway's public, unguessable id. */
    id: text('id').primaryKey(),
    /** Task platform id, e.g. `midjourney`. */
    platform: text('platform').notNull(),
    /** The platform's action, e.g. `IMAGINE`. */
    action: text('action').notNull(),
    /** The priced name (e.g. `mj_imagine`): channels serve it and prices are keyed by it. */
    model: text('model').notNull(),
    mode: text('mode'),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenId: integer('token_id'),
    group: text('group').notNull().default('default'),
    channelId: integer('channel_id'),
    upstreamTaskId: text('upstream_task_id'),
    parentTaskId: text('parent_task_id'),
    status: text('status').$type<TaskStatusColumn>().notNull().default('NOT_START'),
    progress: integer('progress').notNull().default(0),
    prompt: text('prompt'),
    /** Result files and platform extras (MJ buttons, Suno clips): the SDK's TaskResult. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** What the submit answer noted for the client (MJ code 22 "queued"). */
    note: jsonb('note').$type<Record<string, unknown>>(),
    failReason: text('fail_reason'),
    /** Units charged at submit. */
    quota: quota('quota'),
    /** Set once, by the conditional update that refunds: the refund happens exactly once. */
    refunded: boolean('refunded').notNull().default(false),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    submitTime: timestamp('submit_time', { withTimezone: true }).notNull().defaultNow(),
    startTime: timestamp('start_time', { withTimezone: true }),
    finishTime: timestamp('finish_time', { withTimezone: true }),
    /** When the poller should fetch the task next; null once finished. */
    nextPollAt: timestamp('next_poll_at', { withTimezone: true }),
    pollAttempts: integer('poll_attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('tasks_poll_idx').on(table.nextPollAt),
    index('tasks_user_created_idx').on(table.userId, table.createdAt),
    index('tasks_channel_created_idx').on(table.channelId, table.createdAt),
    index('tasks_created_idx').on(table.createdAt),
    index('tasks_status_created_idx').on(table.status, table.createdAt),
  ],
)

/**
 * Small named values the quota ledger keeps beside the balances: how far each journal has been applied
 * (so a replayed or re-read entry is never applied twice) and the namespace of its Redis keys.
 */
export const ledgerState = pgTable('ledger_state', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: updatedAt(),
})

/** The schema object drizzle needs for typed queries. */
export const schema = {
  users,
  tokens,
  channels,
  abilities,
  logs,
  options,
  accessTokens,
  redemptions,
  quotaStats,
  quotaStatsDaily,
  oauthAccounts,
  ledgerState,
  topups,
  tasks,
}
