import type { AppContext } from '../app-context.ts'
import { isZeroUsage, type Usage } from '@hanggent/plugin-sdk'
import type { ModelPrice, PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { QuotaLedger, Reservation } from '../billing/ledger.ts'
import { priceUsage } from '../billing/price-usage.ts'
import type { GatewayError } from '../errors.ts'
import type { Caller } from './authenticate.ts'
import type { RelayProbe } from '../observe/relay-observer.ts'

/** Tokens added per streamed tool call when we count output ourselves (name/argument framing). */
const TOKENS_PER_COUNTED_TOOL_CALL = 5

/** How logs name calls made without a relay key: from the dashboard playground, as the signed-in user. */
export const PLAYGROUND = 'playground'

/** The token columns of a log row; playground calls have no token and show as "playground". */
function tokenColumns(caller: Caller): { tokenId: number | null; tokenName: string } {
  return caller.token ? { tokenId: caller.token.id, tokenName: caller.token.name } : { tokenId: null, tokenName: PLAYGROUND }
}

/** What the pipeline knows about a call once it is admitted (priced and reserved). */
export interface AdmittedCall {
  caller: Caller
  requestId: string
  clientIp: string | undefined
  /** Model the client asked for (and is priced by). */
  model: string
  stream: boolean
  startedAt: number
  /** The prompt as the dialect gives it for counting. */
  prompt: PromptEstimateInput
  /** Prompt tokens counted before the call; undefined when the payer was rich enough to skip counting. */
  promptEstimate?: number
  price: ModelPrice
  groupRatio: number
  /**
   * The hold on the payer's balance, or its promise when admission let the upstream call start before the
   * hold was confirmed (a Redis ledger and a payer far above the call's cost): see CallRecord.reserved.
   */
  reservation: Reservation | Promise<Reservation>
}

/** How a call's answer ended: the upstream's usage when reported, else what was delivered, and the outcome. */
export interface CallEnd {
  usage: Usage | undefined
  observed: ObservedOutput
  outcome: CallOutcome
}

/**
 * An admitted call on its way to settlement: what happens to it (the channel tried, what a conversion
 * dropped, the first token) is told through its methods, and it settles or refunds itself once.
 */
export class CallRecord {
  #channelId: number | undefined
  #upstreamModel: string | undefined
  #firstTokenAt: number | undefined
  #warnings: string[] = []
  #continuedFrom: { channelId: number; deliveredCharacters: number } | undefined
  /** The hold, once confirmed; until then `call.reservation` is its promise. */
  #reservation: Reservation | undefined

  constructor(
    private readonly books: { context: AppContext; ledger: QuotaLedger; probe?: RelayProbe },
    /** The call as admitted. */
    readonly call: AdmittedCall,
  ) {
    const { reservation } = call
    if (!(reservation instanceof Promise)) this.#reservation = reservation
    // A refusal reaches whoever awaits reserved(); handled here too, so it is never an unhandled rejection meanwhile.
    else
      reservation.then(
        (held) => {
          this.#reservation = held
        },
        () => undefined,
      )
  }

  /**
   * The confirmed hold; throws the ledger's refusal (403 insufficient_quota, 401) when the hold made
   * alongside the upstream call was refused. Nothing of the answer may reach the client before this resolves.
   */
  async reserved(): Promise<Reservation> {
    if (this.#reservation) return this.#reservation
    return await this.call.reservation
  }

  /** The ledger's refusal of a hold made alongside the upstream call (undefined when held), once it is known. */
  async refusal(): Promise<unknown> {
    if (this.#reservation) return undefined
    return this.reserved().then(
      () => undefined,
      (error: unknown) => error,
    )
  }

  /** The request id, for logs. */
  get requestId(): string {
    return this.call.requestId
  }

  /** A channel is about to be tried with this upstream model: logs and settlement name it. */
  attempting(channelId: number, upstreamModel: string): void {
    this.#channelId = channelId
    this.#upstreamModel = upstreamModel
  }

  /** What the conversion of the answering attempt could not carry over, kept with the usage log. */
  dropped(warnings: string[]): void {
    this.#warnings = warnings
  }

  /** The stream was cut on this channel after delivering this much text and continued on the channel tried last; kept in the usage row's details. */
  continued(from: { channelId: number; deliveredCharacters: number }): void {
    this.#continuedFrom = from
  }

  /** The first event of a streamed answer is ready for the client (time to first token); only the first call counts. */
  firstToken(): void {
    if (this.#firstTokenAt !== undefined) return
    this.#firstTokenAt = Date.now()
    this.books.probe?.firstToken()
  }

  /**
   * Charges the exact price of the finished call with its usage row; resolves once the charge is durable,
   * so the client may be given the end of its answer. Returns the units charged.
   */
  async settle(end: CallEnd): Promise<number> {
    const settled = this.books.probe?.settling()
    if (!settled) return (await this.#settle(end)).units
    try {
      const charged = await this.#settle(end)
      settled({ usage: charged.usage, quota: charged.units, outcome: end.outcome })
      return charged.units
    } catch (error) {
      settled(error instanceof Error ? error : new Error(String(error)))
      throw error
    }
  }

  /** Prices the call and charges it (see settle); answers the usage billed and the units charged. */
  async #settle(end: CallEnd): Promise<{ usage: Usage; units: number }> {
    const { context, ledger } = this.books
    const record = this.call
    const { outcome } = end
    const { usage, source } = await usageFor(context, record, end.usage, end.observed)
    const counted = source !== 'upstream'
    if (source === 'unusable')
      context.logger.log(
        'warn',
        'provider reported usage that cannot be billed (negative, not a number, or over 100 million tokens); billed by our own count',
        {
          requestId: record.requestId,
          model: record.model,
          upstreamModel: this.#upstreamModel,
          channelId: this.#channelId,
        },
      )
    // "No usage" (the provider said nothing) is counted above; "zero usage" is the provider's word, billed as
    // reported, but no real call reads nothing: flag it, since a plugin that drops the counts makes calls free.
    const zeroReported = !counted && isZeroUsage(usage)
    if (zeroReported)
      context.logger.log('warn', 'provider reported zero usage; billed as reported', {
        requestId: record.requestId,
        model: record.model,
        upstreamModel: this.#upstreamModel,
        channelId: this.#channelId,
      })
    const breakdown = priceUsage(usage, record.price, record.groupRatio)
    const finishedAt = Date.now()
    const reservation = await this.reserved()
    const units = await ledger.settle(reservation, breakdown.units, {
      type: 'consume',
      createdAt: new Date(finishedAt),
      userId: record.caller.user.id,
      username: record.caller.user.username,
      ...tokenColumns(record.caller),
      channelId: this.#channelId,
      model: record.model,
      upstreamModel: this.#upstreamModel,
      promptTokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
      completionTokens: usage.outputTokens,
      cacheReadTokens: usage.cacheReadTokens,
      cacheWriteTokens: usage.cacheWriteTokens,
      reasoningTokens: usage.reasoningTokens,
      // The ledger fills in what it actually charged (quota, details.charged, details.shortfall).
      quota: breakdown.units,
      latencyMs: finishedAt - record.startedAt,
      firstTokenMs: this.#firstTokenAt === undefined ? null : this.#firstTokenAt - record.startedAt,
      isStream: record.stream,
      requestId: record.requestId,
      ip: record.clientIp,
      group: record.caller.group,
      statusCode: 200,
      details: {
        outcome,
        ...(this.#warnings.length > 0 ? { warnings: this.#warnings } : {}),
        ...(this.#continuedFrom ? { continuedFrom: this.#continuedFrom } : {}),
        usageSource: counted ? 'counted' : 'upstream',
        ...(zeroReported
          ? { suspiciousUsage: 'zero' }
          : source === 'unusable'
            ? { suspiciousUsage: 'unusable', reportedUsage: reportedCounts(end.usage) }
            : {}),
        ...(usage.quantities && Object.keys(usage.quantities).length > 0 ? { quantities: usage.quantities } : {}),
        reserved: reservation.amount,
        priced: breakdown.units,
        ...(record.caller.token ? {} : { via: PLAYGROUND }),
        price: breakdown.price,
        groupRatio: breakdown.groupRatio,
        baseUsd: breakdown.baseUsd,
        tokens: breakdown.tokens,
        ...(breakdown.quantities ? { quantityCharges: breakdown.quantities } : {}),
      },
    })
    return { usage, units }
  }

  /** Returns the whole reservation of a failed call (none when the hold itself was refused) and records the error. */
  async fail(error: GatewayError): Promise<void> {
    const reservation = await this.reserved().catch(() => undefined)
    if (reservation) await this.books.ledger.refund(reservation)
    const { caller, requestId, clientIp, model, stream, startedAt } = this.call
    logRelayError(this.books.context, caller, { requestId, clientIp, model, channelId: this.#channelId, stream, startedAt }, error)
  }
}

/** How a call ended, recorded in the log details. */
export type CallOutcome = 'completed' | 'client-aborted' | 'upstream-error' | 'timeout'

/** The output seen when the upstream reported no usage. */
export interface ObservedOutput {
  outputText: string
  toolCalls: number
}

/**
 * More tokens of one kind than any model reads or writes in one call (context windows stop near 10
 * million). A report above it is broken, and would not fit the usage row (`prompt_tokens` is an
 * integer column): before this bound, one such row made every later group commit fail.
 */
export const MOST_REPORTED_TOKENS = 100_000_000

const TOKEN_FIELDS = ['inputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheWrite1hTokens', 'outputTokens', 'reasoningTokens'] as const

/**
 * The upstream's usage as billable numbers, fractional counts rounded down (as the SDK's tokenCount reads
 * every vendor counter); undefined when a count or quantity is not a number or is negative, or a token
 * count (a token field, or a quantity named `…Tokens` such as realtime audio) is over MOST_REPORTED_TOKENS:
 * the caller bills by its own rule instead (the relay by its own count, as when the upstream reports nothing).
 */
export function usableUsage(reported: Usage): Usage | undefined {
  const usage: Usage = { ...reported }
  for (const field of TOKEN_FIELDS) {
    const value = reported[field]
    if (value === undefined && field === 'cacheWrite1hTokens') continue
    if (typeof value !== 'number' || !(value >= 0) || value > MOST_REPORTED_TOKENS) return undefined
    usage[field] = Math.floor(value)
  }
  for (const [name, amount] of Object.entries(reported.quantities ?? {})) {
    if (typeof amount !== 'number' || !(amount >= 0) || !Number.isFinite(amount)) return undefined
    if (name.endsWith('Tokens') && amount > MOST_REPORTED_TOKENS) return undefined
  }
  return usage
}

/** The token counts of a report we could not bill, for the usage row (not the vendor's raw object: a broken upstream may send anything there). */
export function reportedCounts(reported: Usage | undefined): Record<string, unknown> {
  const counts: Record<string, unknown> = Object.fromEntries(TOKEN_FIELDS.map((field) => [field, reported?.[field] ?? null]))
  if (reported?.quantities) counts.quantities = reported.quantities
  return counts
}

// Settling counts only when an upstream reported no usage (or none we could bill), or the client left: what was
// delivered is in the client's hands (a stream's final events wait for the charge), so the count may take a trip
// to a counting thread (tens of µs) rather than make the event loop load the tables (~0.45 s, every call stalled).
const IN_BACKGROUND = { background: true } as const

/** Where the billed usage came from: the upstream's report, our count (none reported), or our count instead of a report we could not bill. */
type UsageSource = 'upstream' | 'counted' | 'unusable'

/** Upstream usage when reported (and usable), else our own count of what was delivered. */
async function usageFor(
  context: AppContext,
  record: AdmittedCall,
  reported: Usage | undefined,
  observed: ObservedOutput,
): Promise<{ usage: Usage; source: UsageSource }> {
  const usable = reported && usableUsage(reported)
  if (usable) return { usage: usable, source: 'upstream' }
  const counter = context.tokenCounter
  const outputTokens = observed.outputText === '' ? 0 : await counter.count(record.model, [observed.outputText], IN_BACKGROUND)
  const inputTokens = record.promptEstimate ?? record.prompt.fixedTokens + (await counter.count(record.model, record.prompt.texts, IN_BACKGROUND))
  // Non-token quantities the dialect expected (a rerank query's search units) are billed as estimated too.
  const quantities = expectedQuantities(record.prompt)
  return {
    usage: {
      inputTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: outputTokens + observed.toolCalls * TOKENS_PER_COUNTED_TOOL_CALL,
      reasoningTokens: 0,
      ...(quantities ? { quantities } : {}),
    },
    source: reported ? 'unusable' : 'counted',
  }
}

/** The non-token quantities a prompt estimate expects (PromptEstimateInput.quantities), without unset ones. */
export function expectedQuantities(prompt: PromptEstimateInput): Record<string, number> | undefined {
  const entries = Object.entries(prompt.quantities ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0)
  return entries.length > 0 ? Object.fromEntries(entries) : undefined
}

/** Writes an error log row for a caller we know, so users and admins can see why a call failed. */
export function logRelayError(
  context: AppContext,
  caller: Caller,
  call: { requestId: string; clientIp?: string; model?: string; channelId?: number; stream: boolean; startedAt: number },
  error: GatewayError,
): void {
  context.logWriter.write({
    type: 'error',
    userId: caller.user.id,
    username: caller.user.username,
    ...tokenColumns(caller),
    channelId: call.channelId,
    model: call.model,
    quota: 0,
    latencyMs: Date.now() - call.startedAt,
    isStream: call.stream,
    requestId: call.requestId,
    ip: call.clientIp,
    group: caller.group,
    statusCode: error.status,
    content: error.message,
    details: { code: error.code, ...(caller.token ? {} : { via: PLAYGROUND }) },
  })
}
