import { sql } from 'drizzle-orm'
import type { Db } from '../db/client.ts'
import { channels, logs, oauthAccounts, options as optionsTable, redemptions, tokens, topups, users } from '../db/schema.ts'
import { inTransaction, syncAbilities } from '../admin/channels/channel-service.ts'
import { maskSecret, sha256Hex } from '../security/crypto.ts'
import { wrap } from '../options.ts'
import { channelNaturalKey, type ImportPlan } from './import-plan.ts'
import { convertLog } from './legacy-rows.ts'
import type { SourceDatabase } from './source-database.ts'

// Writes a plan: one transaction per table, so a failure leaves whole tables either imported or not,
// and a re-run (which matches by natural key) picks up where it stopped. Logs go in batches, each in
// its own transaction, resumable by the source log id kept in `details.sourceLogId`.

const INSERT_BATCH = 500

/** Inserts rows in slices so one statement never carries too many parameters. */
async function insertAll<T>(rows: T[], insert: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_BATCH) await insert(rows.slice(start, start + INSERT_BATCH))
}

/** Username → id of every user here. */
async function userIds(db: Db): Promise<Map<string, number>> {
  return new Map((await db.select({ id: users.id, username: users.username }).from(users)).map((row) => [row.username, row.id]))
}

/** Writes the plan's users, linked accounts, tokens, channels (with abilities), codes and options. */
export async function applyPlan(plan: ImportPlan, db: Db, seal: (plaintext: string) => string): Promise<void> {
  await inTransaction(db, (tx) =>
    insertAll(plan.users, (slice) =>
      tx.insert(users).values(
        slice.map((user) => ({
          username: user.username,
          passwordHash: user.passwordHash,
          displayName: user.displayName,
          email: user.email,
          role: user.role,
          group: user.group,
          quota: user.quota,
          usedQuota: user.usedQuota,
          requestCount: user.requestCount,
          status: user.status,
          ...(user.createdAt ? { createdAt: user.createdAt } : {}),
        })),
      ),
    ),
  )
  const ids = await userIds(db)
  const idOf = (username: string | undefined) => (username === undefined ? undefined : ids.get(username))

  await inTransaction(db, (tx) =>
    insertAll(plan.identities, (slice) =>
      tx.insert(oauthAccounts).values(
        slice.flatMap((identity) => {
          const userId = idOf(identity.username)
          return userId === undefined ? [] : [{ userId, provider: identity.provider, subject: identity.subject }]
        }),
      ),
    ),
  )

  await inTransaction(db, (tx) =>
    insertAll(plan.tokens, (slice) =>
      tx.insert(tokens).values(
        slice.map((token) => ({
          userId: idOf(token.ownerUsername)!,
          name: token.name,
          keyHash: sha256Hex(token.key),
          keyPreview: maskSecret(token.key),
          status: token.status,
          remainQuota: token.remainQuota,
          usedQuota: token.usedQuota,
          unlimited: token.unlimited,
          models: token.models,
          ipAllowlist: token.ipAllowlist,
          group: token.group,
          expiresAt: token.expiresAt,
          lastUsedAt: token.lastUsedAt,
          ...(token.createdAt ? { createdAt: token.createdAt } : {}),
        })),
      ),
    ),
  )

  await inTransaction(db, async (tx) => {
    for (const channel of plan.channels) {
      const { keys, createdAt, ...fields } = channel
      const [row] = await tx
        .insert(channels)
        .values({ ...fields, keysEncrypted: seal(JSON.stringify(keys)), keysPreview: keys.map(maskSecret), ...(createdAt ? { createdAt } : {}) })
        .returning()
      await syncAbilities(tx, row!)
    }
  })

  await inTransaction(db, (tx) =>
    insertAll(plan.redemptions, (slice) =>
      tx.insert(redemptions).values(
        slice.map((code) => ({
          name: code.name,
          codeHash: sha256Hex(code.code),
          codePreview: maskSecret(code.code),
          quota: code.quota,
          status: code.status,
          expiresAt: code.expiresAt,
          createdBy: idOf(plan.sourceUsernames.get(code.creatorSourceId)) ?? null,
          redeemedBy: idOf(plan.sourceUsernames.get(code.redeemerSourceId)) ?? null,
          redeemedAt: code.redeemedAt,
          ...(code.createdAt ? { createdAt: code.createdAt } : {}),
        })),
      ),
    ),
  )

  await inTransaction(db, (tx) =>
    insertAll(plan.topups, (slice) =>
      tx.insert(topups).values(
        slice.map((topup) => ({
          userId: idOf(plan.sourceUsernames.get(topup.userSourceId))!,
          provider: topup.provider,
          tradeNo: topup.tradeNo,
          method: topup.method,
          status: topup.status,
          amountMinor: topup.paidMinor,
          paidMinor: topup.paidMinor,
          currency: topup.currency,
          quota: topup.quota,
          paidAt: topup.paidAt,
          lastEvent: { importedFrom: 'new-api' },
          ...(topup.createdAt ? { createdAt: topup.createdAt } : {}),
        })),
      ),
    ),
  )

  await inTransaction(db, async (tx) => {
    for (const [key, value] of Object.entries(plan.optionChanges.set)) {
      await tx
        .insert(optionsTable)
        .values({ key, value: wrap(value) })
        .onConflictDoUpdate({ target: optionsTable.key, set: { value: wrap(value), updatedAt: new Date() } })
    }
  })
}

/** The highest source log id an earlier run imported (0 when none): log import resumes after it. */
export async function lastImportedLogId(db: Db): Promise<number> {
  const [row] = await db
    .select({ last: sql<string | null>`max((${logs.details}->>'sourceLogId')::bigint)` })
    .from(logs)
    .where(sql`${logs.details}->>'sourceLogId' is not null`)
  return Number(row?.last ?? 0)
}

/** Copies usage logs after the last imported one, `batchSize` rows per read and per transaction; returns how many. */
export async function importLogs(
  plan: ImportPlan,
  source: SourceDatabase,
  db: Db,
  openKeys: (sealed: string) => string[] | undefined,
  batchSize: number,
): Promise<number> {
  const ids = await userIds(db)
  const tokenIds = new Map((await db.select({ id: tokens.id, keyHash: tokens.keyHash }).from(tokens)).map((row) => [row.keyHash, row.id]))
  const stored = await db.select({ id: channels.id, name: channels.name, baseUrl: channels.baseUrl, keysEncrypted: channels.keysEncrypted }).from(channels)
  const channelIds = new Map(
    stored.map((row) => [channelNaturalKey({ name: row.name, baseUrl: row.baseUrl, keys: openKeys(row.keysEncrypted) ?? [] }), row.id]),
  )
  let after = await lastImportedLogId(db)
  let written = 0
  for (;;) {
    const rows = await source.page('logs', after, batchSize)
    if (rows.length === 0) return written
    const values = rows.map((row) => {
      const log = convertLog(row, plan.flavour, plan.options.unitScale)
      const channelKey = plan.sourceChannelKeys.get(log.channelSourceId)
      const tokenHash = plan.sourceTokenHashes.get(log.tokenSourceId)
      return {
        type: log.type,
        createdAt: log.createdAt,
        userId: idOf(ids, plan.sourceUsernames.get(log.userSourceId)),
        username: log.username,
        tokenId: tokenHash ? (tokenIds.get(tokenHash) ?? null) : null,
        tokenName: log.tokenName,
        channelId: channelKey ? (channelIds.get(channelKey) ?? null) : null,
        model: log.model,
        promptTokens: log.promptTokens,
        completionTokens: log.completionTokens,
        quota: log.quota,
        latencyMs: log.latencyMs,
        isStream: log.isStream,
        group: log.group,
        ip: log.ip,
        requestId: log.requestId,
        content: log.content,
        details: { sourceLogId: log.sourceId, importedFrom: plan.flavour, ...(log.other ? { source: log.other } : {}) },
      }
    })
    await inTransaction(db, (tx) => tx.insert(logs).values(values))
    written += values.length
    after = Number(rows.at(-1)?.id ?? after)
  }
}

function idOf(ids: Map<string, number>, username: string | undefined): number | null {
  return username === undefined ? null : (ids.get(username) ?? null)
}
