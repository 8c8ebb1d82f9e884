import type { Db } from '../db/client.ts'
import { channels, oauthAccounts, options as optionsTable, redemptions, tokens, topups, users } from '../db/schema.ts'
import { sha256Hex } from '../security/crypto.ts'
import { unwrap } from '../options.ts'
import type { SourceFlavour } from './channel-type-map.ts'
import { convertOptions, type LegacyOptions } from './legacy-options.ts'
import {
  convertChannel,
  convertRedemption,
  convertToken,
  convertTopup,
  convertUser,
  type Converted,
  type LegacyChannel,
  type LegacyRedemption,
  type LegacyToken,
  type LegacyTopup,
  type LegacyUser,
} from './legacy-rows.ts'
import type { SourceDatabase } from './source-database.ts'

// Reads the source and the target and decides, row by row, what an import adds. Rows are matched by
// natural keys, never by source ids (no mapping table): usernames, SHA-256 of the `sk-` key, SHA-256
// of the redemption code, channel name + base URL + keys, (provider, subject) for linked accounts.
// Rows already here are left as they are, so a second run finds everything present and adds nothing.

/** Counts for one table. */
export interface TableSummary {
  table: string
  inSource: number
  toAdd: number
  /** Already in this gateway (matched by natural key), left unchanged. */
  present: number
  notCarried: number
}

/** A source row (or group of rows) that cannot be carried over, and why. */
export interface NotCarried {
  table: string
  reason: string
  /** What the row was (name, username), when it has one. */
  label?: string
}

/** Option entries an import adds, and those where this gateway's own value is kept. */
export interface OptionChanges {
  /** Option key → the full new value. */
  set: Record<string, unknown>
  /** Entries added, per option key. */
  added: Record<string, number>
  /** Entries whose value differs here; this gateway's value is kept. */
  kept: string[]
}

/** Everything an import would write. */
export interface ImportPlan {
  flavour: SourceFlavour
  options: LegacyOptions
  users: LegacyUser[]
  identities: Array<{ username: string; provider: string; subject: string }>
  tokens: Array<LegacyToken & { ownerUsername: string }>
  channels: LegacyChannel[]
  redemptions: LegacyRedemption[]
  topups: LegacyTopup[]
  optionChanges: OptionChanges
  /** Source user id → username, for every user the source has (owners and log rows resolve through it). */
  sourceUsernames: Map<number, string>
  /** Source channel id → natural key, for log rows. */
  sourceChannelKeys: Map<number, string>
  /** Source token id → key hash, for log rows. */
  sourceTokenHashes: Map<number, string>
  summaries: TableSummary[]
  notCarried: NotCarried[]
  warnings: string[]
}

/** New API adds columns One API never had; any of them marks a New API database. */
export async function detectFlavour(source: SourceDatabase): Promise<SourceFlavour> {
  const [userColumns, channelColumns, tokenColumns] = await Promise.all([source.columns('users'), source.columns('channels'), source.columns('tokens')])
  const newApiMarks = [
    userColumns.has('aff_quota'),
    userColumns.has('setting'),
    channelColumns.has('status_code_mapping'),
    channelColumns.has('channel_info'),
    tokenColumns.has('model_limits'),
  ]
  return newApiMarks.some(Boolean) ? 'new-api' : 'one-api'
}

/** The natural key of a channel: name, base URL and its keys (sorted), hashed. */
export function channelNaturalKey(channel: { name: string; baseUrl: string | null; keys: string[] }): string {
  return sha256Hex(JSON.stringify([channel.name, channel.baseUrl ?? '', [...channel.keys].sort()]))
}

/** Collects converted rows: values kept, failures and warnings recorded. */
function sortConverted<T>(table: string, converted: Array<{ result: Converted<T>; label: string }>, notCarried: NotCarried[], warnings: string[]): T[] {
  const values: T[] = []
  for (const { result, label } of converted) {
    if (result.ok) {
      values.push(result.value)
      warnings.push(...result.warnings)
    } else notCarried.push({ table, reason: result.reason, label })
  }
  return values
}

/** Merges source option entries into this gateway's: only names it does not have are added. */
function planOptions(legacy: LegacyOptions, stored: Map<string, unknown>): OptionChanges {
  const changes: OptionChanges = { set: {}, added: {}, kept: [] }
  const records: Array<[string, Record<string, unknown>]> = [
    ['modelRatios', legacy.modelRatios],
    ['modelPrices', legacy.modelPrices],
    ['groupRatios', legacy.groupRatios],
  ]
  for (const [key, incoming] of records) {
    const current = (stored.get(key) ?? (key === 'groupRatios' ? { default: 1 } : {})) as Record<string, unknown>
    const next = { ...current }
    let added = 0
    for (const [name, value] of Object.entries(incoming)) {
      if (!(name in current)) {
        next[name] = value
        added++
      } else if (JSON.stringify(current[name]) !== JSON.stringify(value)) changes.kept.push(`${key}.${name}`)
    }
    if (added > 0) {
      changes.set[key] = next
      changes.added[key] = added
    }
  }
  for (const key of ['newUserQuota', 'retryTimes'] as const) {
    const value = legacy[key]
    if (value === undefined) continue
    if (!stored.has(key)) {
      changes.set[key] = value
      changes.added[key] = 1
    } else if (stored.get(key) !== value) changes.kept.push(key)
  }
  return changes
}

/** Reads the source and the target and plans the import; writes nothing. */
export async function planImport(
  source: SourceDatabase,
  db: Db,
  openKeys: (sealed: string) => string[] | undefined,
  knownTypes: ReadonlySet<string>,
): Promise<ImportPlan> {
  const tables = await source.tables()
  if (!tables.has('users') || !tables.has('tokens') || !tables.has('channels'))
    throw new Error('--from: this is not a One API or New API database (no users, tokens or channels table)')
  const flavour = await detectFlavour(source)
  const notCarried: NotCarried[] = []
  const warnings: string[] = []
  const summaries: TableSummary[] = []
  const summarise = (table: string, inSource: number, toAdd: number, present: number) =>
    summaries.push({ table, inSource, toAdd, present, notCarried: notCarried.filter((entry) => entry.table === table).length })

  const legacyOptions = convertOptions(tables.has('options') ? ((await source.all('options')) as Array<{ key: unknown; value: unknown }>) : [])
  warnings.push(...legacyOptions.warnings)
  const scale = legacyOptions.unitScale

  // Users, by username; an address another account already uses here is dropped rather than the user.
  const sourceUsers = await source.all('users')
  const converted = sortConverted(
    'users',
    sourceUsers.map((row) => ({ result: convertUser(row, scale), label: String(row.username ?? row.id) })),
    notCarried,
    warnings,
  )
  const existingUsers = await db.select({ username: users.username, email: users.email, role: users.role }).from(users)
  let rootTaken = existingUsers.some((row) => row.role === 'root')
  const usernames = new Set(existingUsers.map((row) => row.username))
  const emails = new Set(existingUsers.flatMap((row) => (row.email ? [row.email.toLowerCase()] : [])))
  const sourceUsernames = new Map(converted.map((user) => [user.sourceId, user.username]))
  const newUsers: LegacyUser[] = []
  for (const user of converted) {
    if (usernames.has(user.username)) continue
    usernames.add(user.username)
    if (user.email && emails.has(user.email.toLowerCase())) {
      warnings.push(`user "${user.username}": email ${user.email} is used by another account here; imported without an email`)
      user.email = null
    }
    if (user.email) emails.add(user.email.toLowerCase())
    if (user.sourceRoot && !rootTaken) {
      user.role = 'root'
      rootTaken = true
    } else if (user.sourceRoot) warnings.push(`user "${user.username}" was root in the source and is imported as an admin (this gateway keeps its own root)`)
    newUsers.push(user)
  }
  summarise('users', sourceUsers.length, newUsers.length, converted.length - newUsers.length)

  const linked = new Set(
    (await db.select({ provider: oauthAccounts.provider, subject: oauthAccounts.subject }).from(oauthAccounts)).map(
      (row) => `${row.provider}\u0000${row.subject}`,
    ),
  )
  const allIdentities = converted.flatMap((user) => user.identities.map((identity) => ({ username: user.username, ...identity })))
  const identities = allIdentities.filter((identity) => {
    const key = `${identity.provider}\u0000${identity.subject}`
    if (linked.has(key)) return false
    linked.add(key)
    return true
  })
  summarise('oauth_accounts', allIdentities.length, identities.length, allIdentities.length - identities.length)

  // Tokens, by the SHA-256 of the key clients send.
  const sourceTokens = await source.all('tokens')
  const tokenRows = sortConverted(
    'tokens',
    sourceTokens.map((row) => ({ result: convertToken(row, flavour, scale), label: String(row.name ?? row.id) })),
    notCarried,
    warnings,
  )
  const sourceTokenHashes = new Map<number, string>()
  sourceTokens.forEach((row) => {
    if (row.key) sourceTokenHashes.set(Number(row.id), sha256Hex(`sk-${String(row.key).trim().replace(/^sk-/, '')}`))
  })
  const tokenHashes = new Set((await db.select({ keyHash: tokens.keyHash }).from(tokens)).map((row) => row.keyHash))
  const newTokens: ImportPlan['tokens'] = []
  let presentTokens = 0
  for (const token of tokenRows) {
    const hash = sha256Hex(token.key)
    if (tokenHashes.has(hash)) {
      presentTokens++
      continue
    }
    const ownerUsername = sourceUsernames.get(token.ownerSourceId)
    if (!ownerUsername) {
      notCarried.push({ table: 'tokens', reason: 'its owner is not imported', label: token.name })
      continue
    }
    tokenHashes.add(hash)
    newTokens.push({ ...token, ownerUsername })
  }
  summarise('tokens', sourceTokens.length, newTokens.length, presentTokens)

  // Channels, by name + base URL + keys (the gateway's own keys are opened to compare).
  const sourceChannels = await source.all('channels')
  const channelKeys = new Set(
    (await db.select({ name: channels.name, baseUrl: channels.baseUrl, keysEncrypted: channels.keysEncrypted }).from(channels)).map((row) =>
      channelNaturalKey({ name: row.name, baseUrl: row.baseUrl, keys: openKeys(row.keysEncrypted) ?? [] }),
    ),
  )
  const sourceChannelKeys = new Map<number, string>()
  const newChannels: LegacyChannel[] = []
  let presentChannels = 0
  for (const row of sourceChannels) {
    const result = convertChannel(row, flavour, scale, knownTypes)
    const label = String(row.name ?? row.id)
    if (!result.ok) {
      notCarried.push({ table: 'channels', reason: result.reason, label })
      continue
    }
    warnings.push(...result.warnings)
    const key = channelNaturalKey(result.value)
    sourceChannelKeys.set(Number(row.id), key)
    if (channelKeys.has(key)) {
      presentChannels++
      continue
    }
    channelKeys.add(key)
    newChannels.push(result.value)
  }
  summarise('channels', sourceChannels.length, newChannels.length, presentChannels)
  const sourceAbilities = tables.has('abilities') ? await source.countAfter('abilities') : 0
  const derived = newChannels.reduce((sum, channel) => sum + channel.groups.length * channel.models.length, 0)
  summaries.push({ table: 'abilities (rebuilt from channels)', inSource: sourceAbilities, toAdd: derived, present: 0, notCarried: 0 })

  // Redemption codes, by the SHA-256 of the code.
  const sourceCodes = tables.has('redemptions') ? await source.all('redemptions') : []
  const codeRows = sortConverted(
    'redemptions',
    sourceCodes.map((row) => ({ result: convertRedemption(row, scale), label: String(row.name ?? row.id) })),
    notCarried,
    warnings,
  )
  const codeHashes = new Set((await db.select({ codeHash: redemptions.codeHash }).from(redemptions)).map((row) => row.codeHash))
  const newCodes = codeRows.filter((code) => !codeHashes.has(sha256Hex(code.code)) && codeHashes.add(sha256Hex(code.code)))
  summarise('redemptions', sourceCodes.length, newCodes.length, codeRows.length - newCodes.length)

  const stored = new Map((await db.select().from(optionsTable)).map((row) => [row.key, unwrap(row.value)]))
  const optionChanges = planOptions(legacyOptions, stored)
  if (optionChanges.kept.length > 0) warnings.push(`options kept as set here (the source differs): ${optionChanges.kept.join(', ')}`)
  for (const key of legacyOptions.notCarried) notCarried.push({ table: 'options', reason: 'option this gateway does not know', label: key })
  const optionEntries =
    Object.keys(legacyOptions.modelRatios).length + Object.keys(legacyOptions.modelPrices).length + Object.keys(legacyOptions.groupRatios).length
  summarise(
    'options',
    optionEntries + legacyOptions.notCarried.length,
    Object.values(optionChanges.added).reduce((sum, count) => sum + count, 0),
    optionChanges.kept.length,
  )

  // New API's top-up orders, by trade number; One API has none.
  const sourceTopups = tables.has('top_ups') ? await source.all('top_ups') : []
  const topupRows = sortConverted(
    'top_ups',
    sourceTopups.map((row) => ({ result: convertTopup(row, scale), label: String(row.trade_no ?? row.id) })),
    notCarried,
    warnings,
  )
  const tradeNos = new Set((await db.select({ tradeNo: topups.tradeNo }).from(topups)).map((row) => row.tradeNo))
  const newTopups: LegacyTopup[] = []
  let presentTopups = 0
  for (const topup of topupRows) {
    if (tradeNos.has(topup.tradeNo)) {
      presentTopups++
      continue
    }
    if (!sourceUsernames.has(topup.userSourceId)) {
      notCarried.push({ table: 'top_ups', reason: 'its user is not imported', label: topup.tradeNo })
      continue
    }
    tradeNos.add(topup.tradeNo)
    newTopups.push(topup)
  }
  if (newTopups.some((topup) => topup.status === 'expired'))
    warnings.push('top-up orders still pending in the source are imported as expired: their payment can only complete in the old system')
  summarise('top_ups', sourceTopups.length, newTopups.length, presentTopups)

  return {
    flavour,
    options: legacyOptions,
    users: newUsers,
    identities,
    tokens: newTokens,
    channels: newChannels,
    redemptions: newCodes,
    topups: newTopups,
    optionChanges,
    sourceUsernames,
    sourceChannelKeys,
    sourceTokenHashes,
    summaries,
    notCarried,
    warnings,
  }
}
