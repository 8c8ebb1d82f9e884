import type { AppContext } from '../app-context.ts'
import { isZeroUsage, type Usage } from '@hanggent/plugin-sdk'
import type { ModelPrice, PromptEstimateInput } from '@hanggent/plugin-sdk'
import type { QuotaLedger, Reservation } from '../billing/ledger.ts'
import { priceUsage } from '../billing/price-usage.ts'
import type { GatewayError } from '../errors.ts'
import type { Caller } from './authenticate.ts'

/** Tokens added per streamed tool call when we count output ourselves (name/argument framing). */
const TOKENS_PER_COUNTED_TOOL_CALL = 5

/** How logs name calls made without a relay key: from the dashboard playground, as the signed-in user. */
export const PLAYGROUND = 'playground'

/** The token columns of a log row; playground calls have no token and show as "playground". */
function tokenColumns(caller: Caller): { tokenId: number | null; tokenName: string } {
  return caller.token ? { tokenId: caller.token.id, tokenName: caller.token.name } : { tokenId: null, tokenName: PLAYGROUND }
}

/** What the pipeline knows about an admitted call, carried to settlement and logging. */
export interface CallRecord {
  caller: Caller
  requestId: string
  clientIp: string | undefined
  /** Model the client asked for (and is priced by). */
  model: string
  /** Model sent upstream after mapping; set once a channel is chosen. */
  upstreamModel?: string
  channelId?: number
  stream: boolean
  startedAt: number
  firstTokenAt?: number
  /** The prompt as the dialect gives it for counting. */
  prompt: PromptEstimateInput
  /** Prompt tokens counted before the call; undefined when the payer was rich enough to skip counting. */
  promptEstimate?: number
  price: ModelPrice
  groupRatio: number
  reservation: Reservation
  /** What a conversion could not carry over, kept with the log. */
  warnings?: string[]
}

/** How a call ended, recorded in the log details. */
export type CallOutcome = 'completed' | 'client-aborted' | 'upstream-error' | 'timeout'

/** The output seen when the upstream reported no usage. */
export interface ObservedOutput {
  outputText: string
  toolCalls: number
}

/** Upstream usage when reported, else our own count of what was delivered. */
async function usageFor(context: AppContext, record: CallRecord, reported: Usage | undefined, observed: ObservedOutput): Promise<{ usage: Usage; counted: boolean }> {
  if (reported) return { usage: reported, counted: false }
  const outputTokens = observed.outputText === '' ? 0 : await context.tokenCounter.count(record.model, [observed.outputText])
  const inputTokens = record.promptEstimate ?? record.prompt.fixedTokens + (await context.tokenCounter.count(record.model, record.prompt.texts))
  return {
    usage: { inputTokens, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: outputTokens + observed.toolCalls * TOKENS_PER_COUNTED_TOOL_CALL, reasoningTokens: 0 },
    counted: true,
  }
}

/**
 * Charges the exact price of a finished call with its usage row; resolves once the charge is durable,
 * so the client may be given the end of its answer. Returns the units charged.
 */
export async function settleCall(context: AppContext, ledger: QuotaLedger, record: CallRecord, reported: Usage | undefined, observed: ObservedOutput, outcome: CallOutcome): Promise<number> {
  const { usage, counted } = await usageFor(context, record, reported, observed)
  // "No usage" (the provider said nothing) is counted above; "zero usage" is the provider's word, billed as
  // reported, but no real call reads nothing: flag it, since a plugin that drops the counts makes calls free.
  const zeroReported = !counted && isZeroUsage(usage)
  if (zeroReported) context.logger.log('warn', 'provider reported zero usage; billed as reported', { requestId: record.requestId, model: record.model, upstreamModel: record.upstreamModel, channelId: record.channelId })
  const breakdown = priceUsage(usage, record.price, record.groupRatio)
  const finishedAt = Date.now()
  return ledger.settle(record.reservation, breakdown.units, {
    type: 'consume',
    createdAt: new Date(finishedAt),
    userId: record.caller.user.id,
    username: record.caller.user.username,
    ...tokenColumns(record.caller),
    channelId: record.channelId,
    model: record.model,
    upstreamModel: record.upstreamModel,
    promptTokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    completionTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    reasoningTokens: usage.reasoningTokens,
    // The ledger fills in what it actually charged (quota, details.charged, details.shortfall).
    quota: breakdown.units,
    latencyMs: finishedAt - record.startedAt,
    firstTokenMs: record.firstTokenAt === undefined ? null : record.firstTokenAt - record.startedAt,
    isStream: record.stream,
    requestId: record.requestId,
    ip: record.clientIp,
    group: record.caller.group,
    statusCode: 200,
    details: {
      outcome,
      ...(record.warnings && record.warnings.length > 0 ? { warnings: record.warnings } : {}),
      usageSource: counted ? 'counted' : 'upstream',
      ...(zeroReported ? { suspiciousUsage: 'zero' } : {}),
      ...(usage.quantities && Object.keys(usage.quantities).length > 0 ? { quantities: usage.quantities } : {}),
      reserved: record.reservation.amount,
      priced: breakdown.units,
      ...(record.caller.token ? {} : { via: PLAYGROUND }),
      price: breakdown.price,
      groupRatio: breakdown.groupRatio,
      baseUsd: breakdown.baseUsd,
      tokens: breakdown.tokens,
      ...(breakdown.quantities ? { quantityCharges: breakdown.quantities } : {}),
    },
  })
}

/** Returns the whole reservation of a failed call and records the error. */
export async function failCall(context: AppContext, ledger: QuotaLedger, record: CallRecord, error: GatewayError): Promise<void> {
  await ledger.refund(record.reservation)
  logRelayError(context, record.caller, { requestId: record.requestId, clientIp: record.clientIp, model: record.model, channelId: record.channelId, stream: record.stream, startedAt: record.startedAt }, error)
}

/** Writes an error log row for a caller we know, so users and admins can see why a call failed. */
export function logRelayError(context: AppContext, caller: Caller, call: { requestId: string; clientIp?: string; model?: string; channelId?: number; stream: boolean; startedAt: number }, error: GatewayError): void {
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
