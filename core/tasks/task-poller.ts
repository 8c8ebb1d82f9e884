import { eq } from 'drizzle-orm'
import type { TaskPlatform, UpstreamTaskState } from '@hanggent/plugin-sdk'
import { ledgerState } from '../db/schema.ts'
import type { RelayServices } from '../relay/pipeline.ts'
import { runLeasedJob, type LeasedJob } from '../jobs/leased-job.ts'
import { channelClient } from '../routing/channel-client.ts'
import { applyTaskState, backOffTasks, dueTasks, failTask, timedOutTasks, type TaskRow } from './task-store.ts'
import { refundTask } from './task-refund.ts'
import { taskChannelContext, TASK_UPSTREAM_TIMEOUT_MS, upstreamReply } from './task-submit.ts'
import { platformOf } from './task-view.ts'

// The task poller: one replica at a time (a lease), every TASK_POLL_INTERVAL_SECONDS. Each pass first
// fails and refunds tasks past TASK_TIMEOUT_MINUTES, then fetches due unfinished tasks from their
// channels in the platform's batch size, applies what the upstream says, and refunds those that ended
// in FAILURE. All state is in the `tasks` table, so a restarted gateway picks up where it stopped.

/** Most tasks one pass loads. */
const PASS_LIMIT = 500

/** What one pass did, for tests and logs. */
export interface PollSummary {
  /** Tasks fetched from upstreams. */
  polled: number
  /** Tasks that reached SUCCESS or FAILURE in this pass. */
  finished: number
  /** Tasks failed for passing the timeout. */
  timedOut: number
  /** Refunds made. */
  refunded: number
}

/** Fails a task and refunds it; counts what happened. */
async function failAndRefund(services: RelayServices, row: TaskRow, reason: string, summary: PollSummary): Promise<boolean> {
  const failed = await failTask(services.context, row.id, reason, services.context.now())
  if (!failed) return false
  summary.finished++
  if ((await refundTask(services.context, services.ledger, failed, reason)).refunded) summary.refunded++
  return true
}

/** Applies one reported state; refunds a transition into FAILURE. */
async function apply(services: RelayServices, row: TaskRow, state: UpstreamTaskState, summary: PollSummary): Promise<void> {
  const { context } = services
  const updated = await applyTaskState(context, row, state, context.now(), context.config.taskPollIntervalSeconds * 1000)
  if (!updated || (updated.status !== 'SUCCESS' && updated.status !== 'FAILURE')) return
  summary.finished++
  if (updated.status === 'FAILURE' && (await refundTask(context, services.ledger, updated, updated.failReason ?? 'the upstream reported a failure')).refunded)
    summary.refunded++
}

/** Fetches one batch of one channel's tasks and applies the states; a failed fetch backs the batch off. */
async function pollBatch(services: RelayServices, platform: TaskPlatform, rows: TaskRow[], summary: PollSummary, signal: AbortSignal): Promise<void> {
  const { context, directory } = services
  const channel = directory.channel(rows[0]!.channelId ?? -1)
  if (!channel) {
    for (const row of rows) await failAndRefund(services, row, 'the channel that ran this task was deleted', summary)
    return
  }
  const ids = rows.map((row) => row.upstreamTaskId ?? '')
  let states: UpstreamTaskState[]
  try {
    const request = platform.polling.buildRequest(taskChannelContext(services, channel), ids)
    const answer = await channelClient(context).read(request, { timeoutMs: TASK_UPSTREAM_TIMEOUT_MS, purpose: 'the task fetch', signal })
    states = platform.polling.readReply(upstreamReply(answer.status, answer.text), ids)
  } catch (error) {
    context.logger.log('warn', 'task fetch failed', { platform: platform.id, channelId: channel.id, error: String(error) })
    await backOffTasks(context, rows, context.now(), context.config.taskPollIntervalSeconds * 1000)
    return
  }
  summary.polled += rows.length
  const byUpstreamId = new Map(states.map((state) => [state.upstreamTaskId, state]))
  const unanswered: TaskRow[] = []
  for (const row of rows) {
    const state = byUpstreamId.get(row.upstreamTaskId ?? '')
    if (state) await apply(services, row, state, summary)
    else unanswered.push(row)
  }
  await backOffTasks(context, unanswered, context.now(), context.config.taskPollIntervalSeconds * 1000)
}

/** One polling pass over every platform (see the file comment). */
export async function pollTasksOnce(services: RelayServices, signal: AbortSignal = new AbortController().signal): Promise<PollSummary> {
  const { context } = services
  const summary: PollSummary = { polled: 0, finished: 0, timedOut: 0, refunded: 0 }
  const timeoutMinutes = context.config.taskTimeoutMinutes
  if (timeoutMinutes > 0) {
    const cutoff = new Date(context.now().getTime() - timeoutMinutes * 60_000)
    for (const row of await timedOutTasks(context, cutoff, PASS_LIMIT))
      if (await failAndRefund(services, row, `the task did not finish within ${timeoutMinutes} minutes`, summary)) summary.timedOut++
  }
  const groups = new Map<string, TaskRow[]>()
  for (const row of await dueTasks(context, context.now(), PASS_LIMIT)) {
    const key = `${row.platform}\u0000${row.channelId}`
    groups.set(key, [...(groups.get(key) ?? []), row])
  }
  for (const rows of groups.values()) {
    if (signal.aborted) break
    const platform = platformOf(context.registry, rows[0]!.platform)
    if (!platform) continue
    const size = Math.max(1, platform.polling.batchSize)
    for (let start = 0; start < rows.length && !signal.aborted; start += size)
      await pollBatch(services, platform, rows.slice(start, start + size), summary, signal)
  }
  return summary
}

/**
 * The lease name: per deployment, so gateways of different databases sharing one Redis (staging and
 * production, or test runs) each poll their own tasks; the deployment is named by the ledger's namespace.
 */
async function leaseName(services: RelayServices): Promise<string> {
  const rows = await services.context.database.db.select({ value: ledgerState.value }).from(ledgerState).where(eq(ledgerState.name, 'namespace'))
  return rows[0] ? `task-polling:${rows[0].value}` : 'task-polling'
}

/** Starts the leased poller (one replica of the deployment at a time); stop it at shutdown. */
export async function startTaskPoller(services: RelayServices): Promise<LeasedJob> {
  const { context } = services
  return runLeasedJob({
    leases: context.leases,
    name: await leaseName(services),
    intervalMs: context.config.taskPollIntervalSeconds * 1000,
    run: async (signal) => {
      await pollTasksOnce(services, signal)
    },
    onError: (error) => context.logger.log('error', 'task polling failed', { error: String(error) }),
  })
}
