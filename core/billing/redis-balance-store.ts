import { createHash } from 'node:crypto'
import type Redis from 'ioredis'
import {
  payerAccounts,
  type AccountKey,
  type BalanceStore,
  type CommittedAccount,
  type JournaledCharge,
  type Payer,
  type ReserveOutcome,
} from './balance-store.ts'
import { encodeLogEntry, journalLineFromFields } from './journal-codec.ts'
import {
  ADOPT,
  COMMITTED,
  FORGET_REPLAY,
  REBUILD_PENDING,
  REFUND,
  RELEASE_ENDED_HOLDS,
  RELEASE_HOLDS,
  REPLAY_CHARGE,
  RESERVE,
  SETTLE,
} from './redis-ledger-scripts.ts'
import { newHoldId } from './memory-balance-store.ts'
import { GatewayError } from '../errors.ts'

// Balances shared by replicas through Redis. Reserve and settle are one Lua call each; settle also
// appends the charge to a Redis stream (the journal), so once it returns the charge survives the crash
// of any gateway process. One replica at a time (under a lease, see redis-ledger.ts) commits the stream
// into the database. Holds are recorded per replica, with a heartbeat key, so the holds of a replica
// that died are given back by the survivors.

/** How long a replica's heartbeat lasts without renewal before its holds are treated as orphaned. */
export const HEARTBEAT_TTL_MS = 15_000
const HEARTBEAT_EVERY_MS = 5_000
/** How often the leased sweeper looks for replicas whose heartbeat lapsed (a lapsed replica's holds wait at most this long). */
export const HEARTBEAT_SWEEP_MS = HEARTBEAT_EVERY_MS
/** How often each replica asks whether Redis restarted, and forgets its charges the database has. */
const RESTART_CHECK_MS = 1_000
/** Most charges a replica keeps to journal again while the database is behind (about a minute of a busy replica). */
const UNCONFIRMED_MAX = 50_000
/** How long a payer's last seen balance stands for it (other replicas spend meanwhile). */
const HINT_TTL_MS = 2_000
const HINTS_MAX = 100_000

/** The Redis store plus the committer's and sweeper's side of it. */
export interface RedisBalanceStore extends BalanceStore {
  /** Position of the newest charge any replica journaled, or null when the journal is empty. */
  tailPosition(): Promise<string | null>
  /** Up to `count` entries after `position`, waiting up to `blockMs` for the first (on its own connection). */
  readAfter(position: string, count: number, blockMs: number): Promise<JournaledCharge[]>
  /** Entries after `from` (exclusive) up to `to` (inclusive). */
  range(from: string | null, to: string): Promise<JournaledCharge[]>
  /** Where Redis believes the database is (the last batch whose effects it applied). */
  appliedPosition(): Promise<string | null>
  /** Applies a committed batch to the balances and trims the stream. */
  committed(accounts: CommittedAccount[], lastPosition: string): Promise<void>
  /** Gives back the holds of replicas whose heartbeat stopped; one result per replica swept. */
  releaseOrphanedHolds(): Promise<Array<{ replica: string; holds: number; units: number }>>
  /** The Redis server's run id: a new one each time it starts (so it may have come back without its last writes). */
  runId(): Promise<string>
  /** The run id whose balances were last rebuilt from the database, or null. */
  rebuiltRun(): Promise<string | null>
  /** Records that the balances of run `runId` were rebuilt from the database. */
  markRebuilt(runId: string): Promise<void>
  /** The accounts Redis holds a balance for, in batches. */
  loadedAccounts(): AsyncIterable<AccountKey[]>
  /** Sets the accounts' uncommitted charges to the stream's entries after `committed` (the database's cursor). */
  rebuildPending(accounts: AccountKey[], committed: string | null): Promise<void>
  /** Takes a journaled-again charge out of the stream and the pending sums: its original is in the database. */
  forgetReplay(charge: JournaledCharge): Promise<void>
}

/** Settings of the Redis store. */
export interface RedisBalanceStoreOptions {
  /** Commands (auto-pipelined). */
  client: Redis
  /**
   * A connection without auto-pipelining for the reserve and settle of a call alone in flight on this
   * replica: its command is written at once instead of after the next event-loop turn, where
   * auto-pipelining waits for company that cannot come. Absent: every command goes through `client`.
   */
  soloClient?: Redis
  /** A second connection for the committer's blocking reads; opened on first use. */
  blockingClient: () => Redis
  /** Key prefix of this deployment's ledger, e.g. `hanggent:ledger:<namespace>:`. */
  prefix: string
  /** This process's id among the replicas. */
  replicaId: string
  /** Receives heartbeat failures. */
  onError?: (error: unknown) => void
  /** Told when holds of calls that had ended were given back after Redis came back without its last writes. */
  onHoldsReleased?: (released: { replica: string; holds: number; units: number }) => void
  /** Told when charges Redis lost were journaled again. */
  onChargesReplayed?: (replayed: { replica: string; charges: number }) => void
}

type Script = (keys: string[], args: Array<string | number>) => Promise<unknown>

/** Redis errors that mean "not now" rather than a bug: a server still loading its AOF, busy, or failing over. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|READONLY|CLUSTERDOWN)\b/

/**
 * A failure to reach Redis as the relay's 503 in the client's own dialect (OpenAI's `server_error`
 * shape on OpenAI routes); a reply error that is a real fault (a script bug) stays what it is.
 */
export function balanceStoreError(error: unknown): unknown {
  if (error instanceof GatewayError) return error
  const replyError = error instanceof Error && error.name === 'ReplyError'
  if (replyError && !TRANSIENT_REPLY.test(error.message)) return error
  return new GatewayError(503, 'billing_unavailable', 'The gateway cannot reach its balance store right now; nothing was charged. Please retry shortly.', {
    kind: 'overloaded',
    cause: error,
  })
}

/** EVALSHA with a fallback to EVAL when the server does not have the script cached yet; lost connections become a 503. */
function script(client: Redis, lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex')
  return async (keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw balanceStoreError(error)
      return client.eval(lua, keys.length, ...keys, ...args).catch((retried: unknown) => {
        throw balanceStoreError(retried)
      })
    }
  }
}

/** A stream entry (id and flat field list) as a journaled charge, its usage row left as the JSON it is. */
function toCharge(id: string, fields: string[]): JournaledCharge | undefined {
  const values: Record<string, string> = {}
  for (let index = 0; index + 1 < fields.length; index += 2) values[fields[index]!] = fields[index + 1]!
  if (values.c === undefined || values.u === undefined || values.l === undefined) return undefined
  const payer: Payer = { userId: Number(values.u), tokenId: values.t ? Number(values.t) : null, unlimited: values.f === '1' }
  const line = journalLineFromFields(id, values.u, values.t ?? '', values.f ?? '0', values.c, values.l)
  return { position: id, payer, charged: Number(values.c), line, ...(values.o ? { replayOf: values.o } : {}) }
}

type StreamReply = Array<[string, Array<[string, string[]]>]> | null

/** True when stream id `a` comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number]
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number]
  return aMs > bMs || (aMs === bMs && aSeq > bSeq)
}

/** Builds the store and starts its heartbeat. */
export function createRedisBalanceStore(options: RedisBalanceStoreOptions): RedisBalanceStore {
  const { client, prefix, replicaId } = options
  const run = {
    reserve: script(client, RESERVE),
    settle: script(client, SETTLE),
    refund: script(client, REFUND),
    adopt: script(client, ADOPT),
    committed: script(client, COMMITTED),
    release: script(client, RELEASE_HOLDS),
    rebuild: script(client, REBUILD_PENDING),
    releaseEnded: script(client, RELEASE_ENDED_HOLDS),
    replay: script(client, REPLAY_CHARGE),
    forget: script(client, FORGET_REPLAY),
  }
  const solo = options.soloClient ? { reserve: script(options.soloClient, RESERVE), settle: script(options.soloClient, SETTLE) } : run
  const accountKey = (key: AccountKey) => `${prefix}a:${key}`
  const holdsKey = `${prefix}holds:${replicaId}`
  const aliveKey = (replica: string) => `${prefix}alive:${replica}`
  const streamKey = `${prefix}journal`
  // What each payer could spend after its last reservation here; other replicas spend too, so it ages out.
  const hints = new Map<string, { spendable: number; at: number }>()
  const hintKey = (payer: Payer) => `${payer.userId}:${payer.tokenId ?? ''}:${payer.unlimited ? 1 : 0}`
  const cursorKey = `${prefix}cursor`
  const rebuiltKey = `${prefix}rebuilt-run`
  let blocking: Redis | undefined
  // The holds of this replica's calls in flight, so holds whose end Redis lost can be told apart (see checkRestart).
  const liveHolds = new Set<string>()
  // This replica's charges the database may not have yet, by position: what to journal again if Redis loses them.
  const unconfirmed = new Map<string, { keys: string[]; args: Array<string | number> }>()
  let knownRun: string | undefined

  const runId = async () => /(?:^|\n)run_id:([0-9a-f]+)/.exec(await client.info('server'))?.[1] ?? ''

  /**
   * Every second: forgets the charges the database has (at or before Redis's cursor, which moves only after
   * the database's), and once per Redis start (a new run id) repairs what a server that came back without
   * its last writes lost of this replica's: holds of calls that had ended (nothing else would give them
   * back, this replica lives on) and charges no committer had read (journaled again; the committer leaves
   * out those that had reached the database). The cursor is read before the run id, so a cursor of a
   * restarted server is never used without noticing the restart.
   *
   * One check at a time, and the new run counts as known only once its repair is done: checks that had piled
   * up while Redis was away used to run side by side when it came back, and the second, seeing the run id the
   * first had just taken as known, forgot the lost charges by a cursor the other replicas' new commits had
   * already moved past them, before the first had journaled them again (answers never billed). A repair cut
   * short (Redis away again) is done again by the next check.
   */
  async function checkRestart() {
    const cursor = await client.get(cursorKey)
    const current = await runId()
    if (current === '') return
    if (knownRun === undefined || current === knownRun) {
      knownRun = current
      if (cursor !== null) forgetCommitted(cursor)
      return
    }
    const [holds, units] = (await run.releaseEnded([holdsKey], [prefix, ...liveHolds])) as [number, string]
    if (holds > 0) options.onHoldsReleased?.({ replica: replicaId, holds, units: Number(units) })
    let replayed = 0
    for (const [position, charge] of [...unconfirmed]) {
      const id = (await run.replay(charge.keys, [...charge.args, position])) as string | null
      // Null: the entry is in the stream (this server has it, or an earlier repair journaled it again); it stays until committed.
      if (!id) continue
      unconfirmed.delete(position)
      unconfirmed.set(id, charge)
      replayed++
    }
    knownRun = current
    if (replayed > 0) options.onChargesReplayed?.({ replica: replicaId, charges: replayed })
  }

  let checking: Promise<void> | undefined
  /** Runs checkRestart unless one is still running (its result is that one's). */
  const checkRestartOnce = () =>
    (checking ??= checkRestart().finally(() => {
      checking = undefined
    }))

  /** Forgets the charges at or before `cursor` (kept in the order Redis gave them their positions). */
  function forgetCommitted(cursor: string) {
    for (const position of unconfirmed.keys()) {
      if (streamIdAfter(position, cursor)) return
      unconfirmed.delete(position)
    }
  }

  const beat = () => client.set(aliveKey(replicaId), '1', 'PX', HEARTBEAT_TTL_MS).catch((error: unknown) => options.onError?.(error))
  void beat()
  const restartCheck = setInterval(() => void checkRestartOnce().catch((error: unknown) => options.onError?.(error)), RESTART_CHECK_MS)
  restartCheck.unref?.()
  void checkRestartOnce().catch(() => undefined)
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_EVERY_MS)
  heartbeat.unref?.()

  /** Keys and flags for a payer: the token key repeats the user's when the token does not count. */
  function payerKeys(payer: Payer) {
    const accounts = payerAccounts(payer)
    return { user: accountKey(accounts.user), token: accountKey(accounts.token ?? accounts.user), useToken: accounts.token ? '1' : '0', accounts }
  }

  const entries = (items: Array<[string, string[]]>) =>
    items.map(([id, fields]) => toCharge(id, fields)).filter((charge): charge is JournaledCharge => charge !== undefined)

  return {
    async reserve(payer, estimate, floor): Promise<ReserveOutcome> {
      const keys = payerKeys(payer)
      const id = newHoldId()
      // No other call of this replica holds anything: nothing would share an auto-pipelined batch with this one.
      const via = liveHolds.size === 0 ? solo : run
      liveHolds.add(id)
      let reply: [number, string | number, string | number, number]
      try {
        reply = (await via.reserve(
          [keys.user, keys.token, holdsKey],
          [estimate, floor, keys.useToken, id, `${payer.userId}|${keys.accounts.token ? payer.tokenId : ''}`],
        )) as [number, string | number, string | number, number]
      } catch (error) {
        liveHolds.delete(id)
        throw error
      }
      const [status, amount, available, short] = reply
      if (status !== 1 || Number(amount) <= 0) liveHolds.delete(id)
      if (status < 0) {
        const missing: AccountKey[] = []
        if (status === -1 || status === -3) missing.push(keys.accounts.user)
        if ((status === -2 || status === -3) && keys.accounts.token) missing.push(keys.accounts.token)
        return { kind: 'unknown', accounts: missing }
      }
      if (hints.size >= HINTS_MAX) hints.clear()
      hints.set(hintKey(payer), { spendable: Number(available) - Number(amount), at: Date.now() })
      if (status === 0) return { kind: 'refused', available: Number(available), whose: short === 1 ? 'API key' : 'account' }
      return { kind: 'held', reservation: { payer, amount: Number(amount), id } }
    },
    async settle(reservation, actual, draft) {
      const keys = payerKeys(reservation.payer)
      const { payer } = reservation
      const logJson = encodeLogEntry(draft.log)
      const via = liveHolds.size <= 1 ? solo : run
      const [charged, id] = (await via
        .settle(
          [keys.user, keys.token, holdsKey, streamKey],
          [reservation.amount, actual, keys.useToken, reservation.id, payer.userId, payer.tokenId ?? '', payer.unlimited ? 1 : 0, logJson],
        )
        .finally(() => liveHolds.delete(reservation.id))) as [string | number, string]
      if (unconfirmed.size >= UNCONFIRMED_MAX) unconfirmed.delete(unconfirmed.keys().next().value as string)
      unconfirmed.set(id, {
        keys: [keys.user, keys.token, streamKey],
        args: [keys.useToken, charged, payer.userId, payer.tokenId ?? '', payer.unlimited ? 1 : 0, logJson],
      })
      return {
        position: id,
        payer,
        charged: Number(charged),
        line: journalLineFromFields(
          id,
          String(payer.userId),
          payer.tokenId === null ? '' : String(payer.tokenId),
          payer.unlimited ? '1' : '0',
          String(charged),
          logJson,
        ),
      }
    },
    async peek(payer) {
      const keys = payerKeys(payer)
      const [user, token] = await Promise.all([
        client.hmget(keys.user, 'b', 'p', 'h'),
        keys.accounts.token ? client.hmget(keys.token, 'b', 'p', 'h') : undefined,
      ])
      const spendable = (values: Array<string | null> | undefined) =>
        values?.[0] == null ? undefined : Number(values[0]) - Number(values[1] ?? 0) - Number(values[2] ?? 0)
      const userSpendable = spendable(user)
      if (userSpendable === undefined) return undefined
      if (!keys.accounts.token) return userSpendable
      const tokenSpendable = spendable(token)
      return tokenSpendable === undefined ? undefined : Math.min(userSpendable, tokenSpendable)
    },
    spendableHint(payer) {
      const hint = hints.get(hintKey(payer))
      return hint && Date.now() - hint.at < HINT_TTL_MS ? hint.spendable : undefined
    },
    async refund(reservation) {
      if (reservation.amount <= 0) return
      const keys = payerKeys(reservation.payer)
      await run.refund([keys.user, keys.token, holdsKey], [reservation.amount, keys.useToken, reservation.id]).finally(() => liveHolds.delete(reservation.id))
    },
    async adopt(balances) {
      if (balances.size === 0) return
      const keys: string[] = []
      const args: Array<string | number> = []
      for (const [key, stored] of balances) {
        keys.push(accountKey(key))
        args.push(stored.quota, stored.version)
      }
      await run.adopt(keys, args)
    },
    async tailPosition() {
      const [newest] = (await client.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>
      return newest?.[0] ?? null
    },
    async readAfter(position, count, blockMs) {
      blocking ??= options.blockingClient()
      const reply = (await blocking.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', streamKey, position)) as StreamReply
      return entries(reply?.[0]?.[1] ?? [])
    },
    async range(from, to) {
      const reply = (await client.xrange(streamKey, from === null ? '-' : `(${from}`, to)) as Array<[string, string[]]>
      return entries(reply)
    },
    appliedPosition: () => client.get(cursorKey),
    async committed(accounts, lastPosition) {
      const keys = [cursorKey, streamKey]
      const args: Array<string | number> = [lastPosition]
      for (const account of accounts) {
        keys.push(accountKey(account.key))
        args.push(account.charged, account.stored ? account.stored.quota : '', account.stored ? account.stored.version : 0)
      }
      await run.committed(keys, args)
    },
    async releaseOrphanedHolds() {
      const swept: Array<{ replica: string; holds: number; units: number }> = []
      let cursor = '0'
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}holds:*`, 'COUNT', 200)
        cursor = next
        for (const key of found) {
          const replica = key.slice(`${prefix}holds:`.length)
          if (replica === replicaId || (await client.exists(aliveKey(replica))) === 1) continue
          const [holds, units] = (await run.release([key], [prefix])) as [number, string]
          if (holds > 0) swept.push({ replica, holds, units: Number(units) })
        }
      } while (cursor !== '0')
      return swept
    },
    runId,
    rebuiltRun: () => client.get(rebuiltKey),
    async markRebuilt(run) {
      await client.set(rebuiltKey, run)
    },
    async *loadedAccounts() {
      let cursor = '0'
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}a:*`, 'COUNT', 500)
        cursor = next
        if (found.length > 0) yield found.map((key) => key.slice(`${prefix}a:`.length) as AccountKey)
      } while (cursor !== '0')
    },
    async rebuildPending(accounts, committed) {
      if (accounts.length === 0) return
      await run.rebuild([streamKey, cursorKey, ...accounts.map(accountKey)], [committed ?? '', prefix])
    },
    async forgetReplay(charge) {
      const keys = payerKeys(charge.payer)
      await run.forget([streamKey, keys.user, keys.token], [charge.position, charge.charged, keys.useToken])
    },
    async close() {
      clearInterval(heartbeat)
      clearInterval(restartCheck)
      await client.del(aliveKey(replicaId)).catch(() => undefined)
      blocking?.disconnect()
    },
  }
}
