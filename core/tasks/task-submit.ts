import type { ChannelContext, TaskParent, TaskPlatform, TaskResult, TaskStatus, TaskSubmission, TaskSubmitOutcome, UpstreamReply } from '@hanggent/plugin-sdk'
import { isFinishedTaskStatus } from '@hanggent/plugin-sdk'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { Reservation } from '../billing/ledger.ts'
import type { RelayServices } from '../relay/pipeline.ts'
import { modelAllowed, type KeyCaller } from '../relay/authenticate.ts'
import { logRelayError } from '../relay/settle.ts'
import { planAttempts } from '../routing/select-channel.ts'
import type { RuntimeChannel } from '../routing/channel-directory.ts'
import { channelClient } from '../routing/channel-client.ts'
import { priceTask, type TaskCharge } from './task-pricing.ts'
import { findUserTask, insertTask, nextPollAt, resultOf, newTaskId, type TaskRow } from './task-store.ts'
import { refundTask } from './task-refund.ts'

// Submitting a task: the platform reads the request, the core checks the key may use the priced name,
// finds the channels (the parent's own channel for a follow-up; failover among the others for a new
// task), prices it, builds the first upstream request (so a follow-up the parent cannot take is refused
// before any money moves), holds the price, sends, and on acceptance charges it with a consume log row
// and stores the task. A refusal releases the hold: nothing is charged.

/** One submit as the route handler hands it over. */
export interface SubmitInput {
  platform: TaskPlatform
  caller: KeyCaller
  submission: TaskSubmission
  requestId: string
  clientIp: string | undefined
  startedAt: number
}

/** Time the upstream has to answer a submit or a fetch. */
export const TASK_UPSTREAM_TIMEOUT_MS = 30_000

/** An upstream's answer as the SDK's UpstreamReply. */
export function upstreamReply(status: number, text: string): UpstreamReply {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status, text, json }
}

/** The channel context plugins build requests from, with a key picked for this request. */
export function taskChannelContext(services: RelayServices, channel: RuntimeChannel): ChannelContext {
  return channelClient(services.context).channel({
    id: channel.id,
    type: channel.type,
    baseUrl: channel.baseUrl,
    key: services.keys.pick(channel),
    settings: channel.settings,
  })
}

/** The parent of a follow-up, owned by the same user on the same platform; 404 otherwise (ids are not probeable). */
async function loadParent(services: RelayServices, input: SubmitInput): Promise<{ row: TaskRow; parent: TaskParent } | undefined> {
  const id = input.submission.parentTaskId
  if (id === undefined) return undefined
  const row = await findUserTask(services.context, id, input.caller.user.id)
  if (!row || row.platform !== input.platform.id || !row.upstreamTaskId || row.channelId === null)
    throw new GatewayError(404, 'not_found', `Task "${id}" does not exist`, { param: 'taskId' })
  const result = resultOf(row)
  return {
    row,
    parent: { id: row.id, upstreamTaskId: row.upstreamTaskId, action: row.action, status: row.status as TaskStatus, ...(result ? { result } : {}) },
  }
}

/** The channels to try: the parent's channel for a follow-up, else the enabled channels of the platform's types serving the priced name. */
function candidatesFor(services: RelayServices, input: SubmitInput, parentRow: TaskRow | undefined): RuntimeChannel[] {
  const { directory, context } = services
  const { platform, caller, submission } = input
  if (parentRow) {
    const channel = parentRow.channelId === null ? undefined : directory.channel(parentRow.channelId)
    if (channel?.status !== 'enabled' || channel.keys.length === 0)
      throw new GatewayError(503, 'no_available_channel', 'The channel that ran the parent task is not available any more')
    return [channel]
  }
  const candidates = directory.candidates(caller.group, submission.model).filter((channel) => platform.channelTypes.includes(channel.type))
  if (candidates.length > 0) return planAttempts(candidates, 1 + context.options.get().retryTimes)
  if (!directory.knows(caller.group, submission.model))
    throw new GatewayError(404, 'model_not_found', `No channel serves "${submission.model}" to group "${caller.group}"`, { param: 'model' })
  throw new GatewayError(503, 'no_available_channel', `No available channel for "${submission.model}" in group "${caller.group}"`)
}

/** The price, or 403 when neither the admin nor the plugin prices the name and self-use mode is off. */
function chargeFor(services: RelayServices, input: SubmitInput): TaskCharge {
  const options = services.context.options.get()
  const charge = priceTask(options, input.platform, input.submission, input.caller.group)
  if (charge) return charge
  if (options.selfUseMode) return { baseUsd: 0, groupRatio: 1, units: 0, source: 'plugin' }
  throw new GatewayError(403, 'model_price_not_configured', `"${input.submission.model}" has no price configured. An administrator must set its price first.`)
}

/** Sends the submit to one channel and reads the platform's verdict; transport faults and unreadable answers are retryable refusals. */
async function trySubmit(
  services: RelayServices,
  platform: TaskPlatform,
  request: ReturnType<TaskPlatform['buildSubmit']>,
  submission: TaskSubmission,
): Promise<TaskSubmitOutcome> {
  try {
    const answer = await channelClient(services.context).read(request, { timeoutMs: TASK_UPSTREAM_TIMEOUT_MS, purpose: 'the task submit' })
    return platform.readSubmitReply(upstreamReply(answer.status, answer.text), submission)
  } catch (error) {
    const failure = toGatewayError(error)
    const shown = failure.status >= 500 ? failure : new GatewayError(502, 'bad_upstream_response', failure.message)
    return { accepted: false, error: shown, retryable: true }
  }
}

/** Runs a submit end to end; returns the stored task (the route renders it). */
export async function submitTask(services: RelayServices, input: SubmitInput): Promise<TaskRow> {
  const { context, ledger } = services
  const { platform, caller, submission } = input
  if (caller.token && !modelAllowed(caller.token.models, submission.model))
    throw new GatewayError(403, 'model_not_allowed', `This API key is not allowed to use "${submission.model}"`, { param: 'model' })
  const loaded = await loadParent(services, input)
  const attempts = candidatesFor(services, input, loaded?.row)
  const charge = chargeFor(services, input)
  // Built before the hold: a follow-up the parent cannot take (an unknown customId) is refused with nothing charged.
  const firstChannel = attempts[0]!
  const firstRequest = platform.buildSubmit(taskChannelContext(services, firstChannel), submission, loaded?.parent)
  const payer = { userId: caller.user.id, tokenId: caller.token.id, unlimited: caller.token.unlimited }
  const reservation: Reservation | undefined = charge.units > 0 ? await ledger.reserve(payer, charge.units, charge.units) : undefined
  let accepted: { channel: RuntimeChannel; outcome: Extract<TaskSubmitOutcome, { accepted: true }> } | undefined
  let lastError: GatewayError | undefined
  for (const [index, channel] of attempts.entries()) {
    const request = index === 0 ? firstRequest : platform.buildSubmit(taskChannelContext(services, channel), submission, loaded?.parent)
    const outcome = await trySubmit(services, platform, request, submission)
    if (outcome.accepted) {
      accepted = { channel, outcome }
      break
    }
    lastError = outcome.error
    context.logger.log('warn', 'task submit refused', {
      channelId: channel.id,
      platform: platform.id,
      status: outcome.error.status,
      message: outcome.error.message,
    })
    if (!outcome.retryable) break
  }
  if (!accepted) {
    if (reservation) await ledger.refund(reservation)
    const error = lastError ?? new GatewayError(503, 'no_available_channel', `No available channel for "${submission.model}"`)
    logRelayError(
      context,
      caller,
      { requestId: input.requestId, clientIp: input.clientIp, model: submission.model, stream: false, startedAt: input.startedAt },
      error,
    )
    throw error
  }
  return recordAccepted(services, input, charge, reservation, accepted)
}

/** Charges an accepted submit and stores its task. */
async function recordAccepted(
  services: RelayServices,
  input: SubmitInput,
  charge: TaskCharge,
  reservation: Reservation | undefined,
  accepted: { channel: RuntimeChannel; outcome: Extract<TaskSubmitOutcome, { accepted: true }> },
): Promise<TaskRow> {
  const { context, ledger } = services
  const { platform, caller, submission } = input
  const { channel, outcome } = accepted
  const id = newTaskId()
  const now = context.now()
  const charged = reservation
    ? await ledger.settle(reservation, charge.units, {
        type: 'consume',
        createdAt: now,
        userId: caller.user.id,
        username: caller.user.username,
        tokenId: caller.token.id,
        tokenName: caller.token.name,
        channelId: channel.id,
        model: submission.model,
        quota: charge.units,
        latencyMs: now.getTime() - input.startedAt,
        requestId: input.requestId,
        ip: input.clientIp,
        group: caller.group,
        statusCode: 200,
        content: `task ${id} submitted (${platform.id} ${submission.action}${submission.mode ? `, ${submission.mode} mode` : ''})`,
        details: {
          taskId: id,
          platform: platform.id,
          action: submission.action,
          ...(submission.mode ? { mode: submission.mode } : {}),
          priceUsd: charge.baseUsd,
          groupRatio: charge.groupRatio,
          priceSource: charge.source,
        },
      })
    : 0
  const state = outcome.state
  const status: TaskStatus = state?.status ?? 'SUBMITTED'
  const finished = isFinishedTaskStatus(status)
  const row = await insertTask(context, {
    id,
    platform: platform.id,
    action: submission.action,
    model: submission.model,
    mode: submission.mode ?? null,
    userId: caller.user.id,
    tokenId: caller.token.id,
    group: caller.group,
    channelId: channel.id,
    upstreamTaskId: outcome.upstreamTaskId,
    parentTaskId: submission.parentTaskId ?? null,
    status,
    progress: finished ? 100 : (state?.progress ?? 0),
    prompt: submission.prompt ?? null,
    result: (state?.result as TaskResult & Record<string, unknown>) ?? null,
    note: outcome.note ?? null,
    failReason: state?.failReason ?? null,
    quota: charged,
    submitTime: now,
    startTime: finished ? now : null,
    finishTime: finished ? now : null,
    nextPollAt: finished ? null : nextPollAt(now, context.config.taskPollIntervalSeconds * 1000, 0),
  })
  if (status === 'FAILURE') await refundTask(context, ledger, row, row.failReason ?? 'the upstream reported a failure')
  return row
}
