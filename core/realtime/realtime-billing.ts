import type { ModelPrice, RealtimeResponseUsage } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import type { Payer, QuotaLedger, Reservation } from '../billing/ledger.ts'
import { priceUsage } from '../billing/price-usage.ts'
import type { Caller } from '../relay/authenticate.ts'
import { reportedCounts, usableUsage } from '../relay/settle.ts'
import { GatewayError } from '../errors.ts'
import { neededForNextResponse } from './realtime-rules.ts'

// A session's books: one hold at a time on the payer's balance (taken at connect, renewed after each charge),
// each finished response charged against it with its own usage row, and a summary row at close. Charges are
// made one after another, in the order the responses finished.

/** What a session is billed for and to whom. */
export interface RealtimeAccount {
  caller: Caller
  /** The session id, in every row of the session (details.realtime.sessionId) and as their request id. */
  sessionId: string
  /** The model the client asked for (and is priced by). */
  model: string
  price: ModelPrice
  groupRatio: number
  /** The least a response may be assumed to cost (see realtime-rules.ts). */
  floorUnits: number
  clientIp: string | undefined
  startedAt: number
}

/** Whether the payer can start another response, and the figures behind the answer. */
export interface Affordability {
  ok: boolean
  /** Units the payer can spend now, this session's hold included. */
  available: number
  /** Units a response must be covered by. */
  needed: number
}

/** The payer of a caller. */
export function payerOf(caller: Caller): Payer {
  return { userId: caller.user.id, tokenId: caller.token?.id ?? null, unlimited: caller.token?.unlimited ?? false }
}

/** Holds the floor for a new session, refusing with 403 insufficient_quota when the balance cannot cover it. */
export function openHold(ledger: QuotaLedger, caller: Caller, floorUnits: number): Promise<Reservation> {
  return ledger.reserve(payerOf(caller), floorUnits, floorUnits)
}

/** The books of one session. */
export class RealtimeBooks {
  #hold: Reservation | undefined
  #lastUnits = 0
  #totalUnits = 0
  #responses = 0
  #channelId: number | undefined
  #upstreamModel: string | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(
    private readonly books: { context: AppContext; ledger: QuotaLedger },
    /** What is billed, to whom. */
    readonly account: RealtimeAccount,
    hold: Reservation,
  ) {
    this.#hold = hold
  }

  /** The channel and upstream model the session was opened on, named in its rows. */
  connectedTo(channelId: number, upstreamModel: string): void {
    this.#channelId = channelId
    this.#upstreamModel = upstreamModel
  }

  /** Units charged so far. */
  get totalUnits(): number {
    return this.#totalUnits
  }

  /** Runs `work` after every charge queued before it. */
  #inOrder<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => undefined)
    return next
  }

  /** Charges one finished response (queued behind earlier ones), then renews the hold; resolves to whether another response is affordable. */
  charge(response: RealtimeResponseUsage): Promise<Affordability> {
    return this.#inOrder(async () => {
      await this.#charge(response)
      return this.#affordable()
    })
  }

  /** Whether the payer can pay for another response, once earlier charges are done. */
  affordable(): Promise<Affordability> {
    return this.#inOrder(() => this.#affordable())
  }

  async #charge(response: RealtimeResponseUsage): Promise<void> {
    const { context, ledger } = this.books
    const { account } = this
    // A report no response can have (over MOST_REPORTED_TOKENS of a kind, negative, not a number) is billed what
    // the session held for a response (the last one's cost, never below the floor): there is no text to count.
    const usable = usableUsage(response.usage)
    const usage = usable ?? { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }
    const priced = priceUsage(usage, account.price, account.groupRatio)
    const breakdown = usable ? priced : { ...priced, units: neededForNextResponse(this.#lastUnits, account.floorUnits) }
    if (!usable)
      context.logger.log(
        'warn',
        'realtime upstream reported usage that cannot be billed (negative, not a number, or over 100 million tokens); billed what the session held for a response',
        {
          sessionId: account.sessionId,
          responseId: response.responseId,
          channelId: this.#channelId,
          units: breakdown.units,
        },
      )
    // A response that finishes after the balance ran out (the hold could not be renewed) is held now for what it costs.
    const hold = this.#hold ?? (await ledger.reserve(payerOf(account.caller), breakdown.units, 1).catch(() => undefined))
    this.#hold = undefined
    this.#responses += 1
    if (!hold) {
      context.logger.log('warn', 'realtime response finished with no balance left to charge', { sessionId: account.sessionId, units: breakdown.units })
      return
    }
    const finishedAt = Date.now()
    const audioIn = (usage.quantities?.audioInputTokens ?? 0) + (usage.quantities?.cachedAudioInputTokens ?? 0)
    const audioOut = usage.quantities?.audioOutputTokens ?? 0
    const charged = await ledger.settle(hold, breakdown.units, {
      ...this.#rowOf(finishedAt),
      promptTokens: usage.inputTokens + usage.cacheReadTokens + audioIn,
      completionTokens: usage.outputTokens + audioOut,
      cacheReadTokens: usage.cacheReadTokens + (usage.quantities?.cachedAudioInputTokens ?? 0),
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      quota: breakdown.units,
      content: `realtime response ${this.#responses} of session ${account.sessionId}`,
      details: {
        realtime: { sessionId: account.sessionId, kind: 'response', index: this.#responses, responseId: response.responseId, status: response.status },
        usageSource: usable ? 'upstream' : 'held',
        ...(usable ? {} : { suspiciousUsage: 'unusable', reportedUsage: reportedCounts(response.usage) }),
        ...(usage.quantities ? { quantities: usage.quantities } : {}),
        reserved: hold.amount,
        priced: breakdown.units,
        price: breakdown.price,
        groupRatio: breakdown.groupRatio,
        baseUsd: breakdown.baseUsd,
        tokens: breakdown.tokens,
        ...(breakdown.quantities ? { quantityCharges: breakdown.quantities } : {}),
      },
    })
    this.#lastUnits = breakdown.units
    this.#totalUnits += charged
  }

  /** The fields every usage row of the session shares: who paid, through which channel, the session id as request id, written at `at`. */
  #rowOf(at: number) {
    const { account } = this
    return {
      type: 'consume' as const,
      createdAt: new Date(at),
      userId: account.caller.user.id,
      username: account.caller.user.username,
      tokenId: account.caller.token?.id ?? null,
      tokenName: account.caller.token?.name ?? '',
      channelId: this.#channelId,
      model: account.model,
      upstreamModel: this.#upstreamModel,
      latencyMs: at - account.startedAt,
      isStream: true,
      requestId: account.sessionId,
      ip: account.clientIp,
      group: account.caller.group,
      statusCode: 200,
    }
  }

  async #affordable(): Promise<Affordability> {
    const needed = neededForNextResponse(this.#lastUnits, this.account.floorUnits)
    const { ledger } = this.books
    const payer = payerOf(this.account.caller)
    if (!this.#hold && !this.#closed) {
      try {
        this.#hold = await ledger.reserve(payer, needed, 1)
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error
      }
    }
    const spendable = ledger.spendableHint(payer) ?? (await ledger.spendable(payer)) ?? 0
    const available = spendable + (this.#hold?.amount ?? 0)
    return { ok: available >= needed, available, needed }
  }

  /** Ends the books once the queued charges are done: the hold is returned and the session's summary row written. */
  close(summary: { closeCode: number; closeReason: string; closedBy: 'client' | 'upstream' | 'gateway' }): Promise<void> {
    return this.#inOrder(async () => {
      if (this.#closed) return
      this.#closed = true
      if (this.#hold) await this.books.ledger.refund(this.#hold)
      this.#hold = undefined
      const { account } = this
      const endedAt = Date.now()
      this.books.context.logWriter.write({
        ...this.#rowOf(endedAt),
        quota: 0,
        content: `realtime session ${account.sessionId}: ${this.#responses} responses, ${this.#totalUnits} units (charged on the response rows)`,
        details: {
          realtime: {
            sessionId: account.sessionId,
            kind: 'session',
            responses: this.#responses,
            chargedUnits: this.#totalUnits,
            durationMs: endedAt - account.startedAt,
            ...summary,
          },
        },
      })
    })
  }
}
