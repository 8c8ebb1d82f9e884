import type { ChannelStatus, LogType, RedemptionStatus, UserRole } from '../db/schema.ts'
import { findMappingCycle } from '../admin/channels/channel-service.ts'
import { channelTypeLabel, channelTypeTarget, type SourceFlavour } from './channel-type-map.ts'
import { fromUnixSeconds, isSoftDeleted, parseJsonObject, splitList, toBoolean, toNumber, toText } from './legacy-values.ts'
import type { SourceRow } from './source-database.ts'

// Pure conversions of One API / New API rows into this gateway's rows. No I/O: ids of the target
// database are resolved later by natural key (username, key hash, channel name + base URL).
// see https://github.com/songquanpeng/one-api/tree/main/model and https://github.com/QuantumNous/new-api/tree/main/model

/** A converted row, or why it cannot be carried over. */
export type Converted<T> = { ok: true; value: T; warnings: string[] } | { ok: false; reason: string }

/** Quota amounts are multiplied by this to reach 500,000 units per USD (1 unless the source changed QuotaPerUnit). */
export type UnitScale = number

const scaled = (value: unknown, scale: UnitScale) => Math.round(toNumber(value) * scale)

/** A user as it will be inserted, with the source's linked sign-in identities. */
export interface LegacyUser {
  sourceId: number
  username: string
  passwordHash: string | null
  displayName: string
  email: string | null
  role: UserRole
  group: string
  quota: number
  usedQuota: number
  requestCount: number
  status: 'enabled' | 'disabled'
  createdAt?: Date
  /** Root (role 100) in the source: it becomes this gateway's root when there is none yet, else an admin. */
  sourceRoot: boolean
  /** (provider, subject) pairs for oauth_accounts. */
  identities: Array<{ provider: string; subject: string }>
}

/** Linked-id columns and the provider id each becomes here; null marks a provider this gateway lacks. */
const IDENTITY_COLUMNS: Record<string, string | null> = {
  github_id: 'github',
  discord_id: 'discord',
  oidc_id: 'oidc',
  telegram_id: 'telegram',
  linux_do_id: 'linuxdo',
  wechat_id: null,
  lark_id: null,
}

/** Roles: 100 root, 10 admin, 1 common, 0 guest; root is settled by the plan (one root per gateway). */
function roleOf(role: number): UserRole {
  return role >= 10 ? 'admin' : 'user'
}

/** Converts a `users` row. */
export function convertUser(row: SourceRow, scale: UnitScale): Converted<LegacyUser> {
  const username = toText(row.username).trim()
  if (!username) return { ok: false, reason: 'user without a username' }
  if (isSoftDeleted(row)) return { ok: false, reason: 'user deleted in the source' }
  const warnings: string[] = []
  const identities: LegacyUser['identities'] = []
  for (const [column, provider] of Object.entries(IDENTITY_COLUMNS)) {
    const subject = toText(row[column]).trim()
    if (!subject) continue
    if (provider) identities.push({ provider, subject })
    else warnings.push(`user "${username}": ${column} has no sign-in provider here (not carried over)`)
  }
  const password = toText(row.password)
  return {
    ok: true,
    warnings,
    value: {
      sourceId: toNumber(row.id),
      username,
      passwordHash: password.startsWith('$') ? password : null,
      displayName: toText(row.display_name),
      email: toText(row.email).trim() || null,
      role: roleOf(toNumber(row.role)),
      group: toText(row.group).trim() || 'default',
      quota: scaled(row.quota, scale),
      usedQuota: scaled(row.used_quota, scale),
      requestCount: toNumber(row.request_count),
      status: toNumber(row.status, 1) === 1 ? 'enabled' : 'disabled',
      createdAt: fromUnixSeconds(row.created_at),
      sourceRoot: toNumber(row.role) >= 100,
      identities,
    },
  }
}

/** A relay key as it will be inserted; the owner is named by username. */
export interface LegacyToken {
  /** The full key as clients send it (`sk-…`); hashed on insert. */
  key: string
  ownerSourceId: number
  name: string
  status: 'enabled' | 'disabled'
  remainQuota: number
  usedQuota: number
  unlimited: boolean
  models: string[] | null
  ipAllowlist: string[] | null
  group: string | null
  expiresAt: Date | null
  lastUsedAt: Date | null
  createdAt?: Date
}

/** Converts a `tokens` row. Keys are stored without `sk-`; clients send `sk-<key>`, so that is what gets hashed. */
export function convertToken(row: SourceRow, flavour: SourceFlavour, scale: UnitScale): Converted<LegacyToken> {
  const stored = toText(row.key).trim()
  if (!stored) return { ok: false, reason: 'token without a key' }
  if (isSoftDeleted(row)) return { ok: false, reason: 'token deleted in the source' }
  const warnings: string[] = []
  const models = flavour === 'new-api' ? (toBoolean(row.model_limits_enabled) ? splitList(row.model_limits) : []) : splitList(row.models)
  const ips = flavour === 'new-api' ? splitList(row.allow_ips, /[\s,]+/) : splitList(row.subnet, /[\s,]+/)
  const group = toText(row.group).trim() || null
  if (group === 'auto') warnings.push(`token "${toText(row.name)}": New API's "auto" group has no equivalent here; the key uses its owner's group`)
  return {
    ok: true,
    warnings,
    value: {
      key: `sk-${stored.replace(/^sk-/, '')}`,
      ownerSourceId: toNumber(row.user_id),
      name: toText(row.name) || 'imported key',
      status: toNumber(row.status, 1) === 2 ? 'disabled' : 'enabled',
      remainQuota: scaled(row.remain_quota, scale),
      usedQuota: scaled(row.used_quota, scale),
      unlimited: toBoolean(row.unlimited_quota),
      models: models.length > 0 ? models : null,
      ipAllowlist: ips.length > 0 ? ips : null,
      group: group === 'auto' ? null : group,
      expiresAt: fromUnixSeconds(row.expired_time) ?? null,
      lastUsedAt: fromUnixSeconds(row.accessed_time) ?? null,
      createdAt: fromUnixSeconds(row.created_time),
    },
  }
}

/** A channel as it will be inserted (keys still in clear text; sealed on insert). */
export interface LegacyChannel {
  name: string
  type: string
  baseUrl: string | null
  keys: string[]
  models: string[]
  groups: string[]
  modelMapping: Record<string, string>
  statusCodeMapping: Record<string, string>
  priority: number
  weight: number
  status: ChannelStatus
  settings: Record<string, unknown>
  keyMode: 'random' | 'round-robin'
  tags: string[]
  usedQuota: number
  createdAt?: Date
}

/** A JSON object of strings (model mapping, status-code mapping), dropping what is not text and warning about it. */
function stringRecord(value: unknown, what: string, warnings: string[]): Record<string, string> {
  const parsed = parseJsonObject(value)
  if (parsed === null) {
    warnings.push(`${what} is not a JSON object and was dropped`)
    return {}
  }
  const record: Record<string, string> = {}
  for (const [key, entry] of Object.entries(parsed ?? {})) {
    if (typeof entry === 'string' || typeof entry === 'number') record[key] = String(entry)
    else warnings.push(`${what}: entry "${key}" is not text and was dropped`)
  }
  return record
}

const CHANNEL_STATUS: Record<number, ChannelStatus> = { 1: 'enabled', 2: 'manually-disabled', 3: 'auto-disabled' }
const GEMINI_VERSIONS = new Set(['v1beta', 'v1', 'v1alpha'])

/** Type-specific settings from `other` / `config` / `openai_organization`. */
function channelSettings(type: string, row: SourceRow): Record<string, unknown> {
  const other = toText(row.other).trim()
  const config = parseJsonObject(row.config) ?? {}
  if (type === 'azure') {
    const version = toText(config.api_version).trim() || other
    return version ? { apiVersion: version } : {}
  }
  if (type === 'gemini') {
    const version = toText(config.api_version).trim() || other
    return GEMINI_VERSIONS.has(version) ? { apiVersion: version } : {}
  }
  const organization = toText(row.openai_organization).trim()
  return type === 'openai' && organization ? { organization } : {}
}

/** Converts a `channels` row; `knownTypes` are the channel types this gateway has loaded. */
export function convertChannel(row: SourceRow, flavour: SourceFlavour, scale: UnitScale, knownTypes: ReadonlySet<string>): Converted<LegacyChannel> {
  const name = toText(row.name).trim() || `channel ${toNumber(row.id)}`
  const typeNumber = toNumber(row.type)
  const target = channelTypeTarget(flavour, typeNumber)
  if (!target) return { ok: false, reason: `channel type ${channelTypeLabel(flavour, typeNumber)} has no equivalent here` }
  if (!knownTypes.has(target.type)) return { ok: false, reason: `channel type "${target.type}" is not loaded in this gateway` }
  const baseUrl = toText(row.base_url).trim().replace(/\/+$/, '') || target.defaultBaseUrl || null
  if (!baseUrl && target.type === 'openai-compatible') return { ok: false, reason: `channel type ${channelTypeLabel(flavour, typeNumber)} without a base URL` }
  if (!baseUrl && target.type === 'azure') return { ok: false, reason: 'Azure channel without a base URL' }
  const keys = splitList(row.key, /\r?\n/)
  if (keys.length === 0) return { ok: false, reason: 'channel without a key' }
  const warnings: string[] = []
  const mapping = stringRecord(row.model_mapping, `channel "${name}": model_mapping`, warnings)
  // New API lists identity entries ("gpt-4o": "gpt-4o"); they change nothing and would read as a loop here.
  for (const [from, to] of Object.entries(mapping)) if (from === to) delete mapping[from]
  const cycle = findMappingCycle(mapping)
  const modelMapping = cycle ? {} : mapping
  if (cycle) warnings.push(`channel "${name}": model_mapping loops back on "${cycle}" and was dropped`)
  const info = parseJsonObject(row.channel_info) ?? {}
  const tag = toText(row.tag).trim()
  return {
    ok: true,
    warnings,
    value: {
      name,
      type: target.type,
      baseUrl,
      keys,
      models: splitList(row.models),
      groups: splitList(row.group).length > 0 ? splitList(row.group) : ['default'],
      modelMapping,
      statusCodeMapping: stringRecord(row.status_code_mapping, `channel "${name}": status_code_mapping`, warnings),
      priority: toNumber(row.priority),
      weight: Math.max(1, toNumber(row.weight)),
      status: CHANNEL_STATUS[toNumber(row.status, 1)] ?? 'manually-disabled',
      settings: channelSettings(target.type, row),
      keyMode: info.multi_key_mode === 'polling' ? 'round-robin' : 'random',
      tags: tag ? [tag] : [],
      usedQuota: scaled(row.used_quota, scale),
      createdAt: fromUnixSeconds(row.created_time),
    },
  }
}

/** A redemption code as it will be inserted (hashed on insert). */
export interface LegacyRedemption {
  code: string
  name: string
  quota: number
  status: RedemptionStatus
  expiresAt: Date | null
  creatorSourceId: number
  redeemerSourceId: number
  redeemedAt: Date | null
  createdAt?: Date
}

const REDEMPTION_STATUS: Record<number, RedemptionStatus> = { 1: 'unused', 2: 'disabled', 3: 'used' }

/** Converts a `redemptions` row. */
export function convertRedemption(row: SourceRow, scale: UnitScale): Converted<LegacyRedemption> {
  const code = toText(row.key).trim()
  if (!code) return { ok: false, reason: 'redemption code without a key' }
  if (isSoftDeleted(row)) return { ok: false, reason: 'redemption code deleted in the source' }
  return {
    ok: true,
    warnings: [],
    value: {
      code,
      name: toText(row.name) || 'imported code',
      quota: scaled(row.quota, scale),
      status: REDEMPTION_STATUS[toNumber(row.status, 1)] ?? 'disabled',
      expiresAt: fromUnixSeconds(row.expired_time) ?? null,
      creatorSourceId: toNumber(row.user_id),
      redeemerSourceId: toNumber(row.used_user_id),
      redeemedAt: fromUnixSeconds(row.redeemed_time) ?? null,
      createdAt: fromUnixSeconds(row.created_time),
    },
  }
}

/** A New API top-up order as it will be inserted; the owner is resolved by username at write time. */
export interface LegacyTopup {
  userSourceId: number
  provider: 'stripe' | 'epay'
  tradeNo: string
  method: string
  status: 'paid' | 'expired'
  /** What was paid, in the currency's minor units (New API keeps no currency: USD for Stripe, CNY for EPay assumed). */
  paidMinor: number
  currency: string
  /** Units the order credited: `amount` USD × 500,000 (scaled like every quota amount). */
  quota: number
  createdAt?: Date
  paidAt: Date | null
}

/** Converts a New API `top_ups` row: Stripe or one of EPay's methods; an order still pending there never completes here. */
export function convertTopup(row: SourceRow, scale: UnitScale): Converted<LegacyTopup> {
  const tradeNo = toText(row.trade_no).trim()
  if (!tradeNo) return { ok: false, reason: 'top-up without a trade number' }
  const method = toText(row.payment_method).trim().toLowerCase()
  const provider = method === 'stripe' ? 'stripe' : ['alipay', 'wxpay', 'qqpay', 'epay'].includes(method) ? 'epay' : undefined
  if (!provider) return { ok: false, reason: `top-up paid with "${method || 'unknown'}", a provider this gateway lacks` }
  const paid = toText(row.status).trim() === 'success'
  const minor = Math.round(toNumber(row.money) * 100)
  return {
    ok: true,
    warnings: [],
    value: {
      userSourceId: toNumber(row.user_id),
      provider,
      tradeNo,
      method,
      status: paid ? 'paid' : 'expired',
      paidMinor: minor,
      currency: provider === 'stripe' ? 'USD' : 'CNY',
      quota: Math.round(toNumber(row.amount) * 500_000 * scale),
      createdAt: fromUnixSeconds(row.create_time),
      paidAt: paid ? (fromUnixSeconds(row.complete_time) ?? null) : null,
    },
  }
}

/** A usage log row as it will be inserted; ids are the source's, resolved at write time. */
export interface LegacyLog {
  sourceId: number
  type: LogType
  createdAt: Date
  userSourceId: number
  username: string | null
  tokenSourceId: number
  tokenName: string | null
  channelSourceId: number
  model: string | null
  promptTokens: number
  completionTokens: number
  quota: number
  latencyMs: number | null
  isStream: boolean
  group: string | null
  ip: string | null
  requestId: string | null
  content: string | null
  other: Record<string, unknown> | undefined
}

/** Log types; One API's 5 is a channel test, New API's 5 is an error. */
function logTypeOf(flavour: SourceFlavour, type: number): LogType {
  const shared: Record<number, LogType> = { 1: 'topup', 2: 'consume', 3: 'manage', 4: 'system' }
  const own: Record<number, LogType> = flavour === 'one-api' ? { 5: 'system' } : { 5: 'error', 6: 'refund', 7: 'login' }
  return shared[type] ?? own[type] ?? 'system'
}

/** Converts a `logs` row. One API's `elapsed_time` is in ms, New API's `use_time` in seconds. */
export function convertLog(row: SourceRow, flavour: SourceFlavour, scale: UnitScale): LegacyLog {
  const text = (value: unknown) => toText(value) || null
  const latencyMs = row.elapsed_time !== undefined ? toNumber(row.elapsed_time) : row.use_time !== undefined ? toNumber(row.use_time) * 1000 : null
  return {
    sourceId: toNumber(row.id),
    type: logTypeOf(flavour, toNumber(row.type)),
    createdAt: fromUnixSeconds(row.created_at) ?? new Date(0),
    userSourceId: toNumber(row.user_id),
    username: text(row.username),
    tokenSourceId: toNumber(row.token_id),
    tokenName: text(row.token_name),
    channelSourceId: toNumber(row.channel_id),
    model: text(row.model_name),
    promptTokens: toNumber(row.prompt_tokens),
    completionTokens: toNumber(row.completion_tokens),
    quota: scaled(row.quota, scale),
    latencyMs,
    isStream: toBoolean(row.is_stream),
    group: text(row.group),
    ip: text(row.ip),
    requestId: text(row.request_id),
    content: text(row.content),
    other: parseJsonObject(row.other) ?? undefined,
  }
}
