import { and, asc, eq, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm'
import type { TaskResult, UpstreamTaskState } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import { tasks } from '../db/schema.ts'
import { randomKey } from '../security/crypto.ts'

// The `tasks` table: inserts at submit, reads scoped to a user, and the poller's conditional updates.
// A finished task (SUCCESS or FAILURE) is never changed again by an update here, so two pollers that
// race apply at most one transition into a finished state; the refund has its own guard (task-refund.ts).

/** A stored task row. */
export type TaskRow = typeof tasks.$inferSelect

/** A row to insert. */
export type NewTaskRow = typeof tasks.$inferInsert

const FINISHED = ['SUCCESS', 'FAILURE'] as const

/** A fresh public task id: unguessable (32 base-62 characters), prefixed so people can tell what it is. */
export function newTaskId(): string {
  return `task_${randomKey(32)}`
}

/** Inserts a task and returns the stored row. */
export async function insertTask(context: AppContext, row: NewTaskRow): Promise<TaskRow> {
  const [stored] = await context.database.db.insert(tasks).values(row).returning()
  if (!stored) throw new Error('task insert returned no row')
  return stored
}

/** A task by id, whoever owns it. */
export async function findTask(context: AppContext, id: string): Promise<TaskRow | undefined> {
  const [row] = await context.database.db.select().from(tasks).where(eq(tasks.id, id)).limit(1)
  return row
}

/** A task by id when `userId` owns it; undefined otherwise (the caller answers 404 either way). */
export async function findUserTask(context: AppContext, id: string, userId: number): Promise<TaskRow | undefined> {
  const [row] = await context.database.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.userId, userId)))
    .limit(1)
  return row
}

/** The tasks among `ids` that `userId` owns, in the order asked; others' ids are left out silently. */
export async function findUserTasks(context: AppContext, ids: string[], userId: number): Promise<TaskRow[]> {
  if (ids.length === 0) return []
  const rows = await context.database.db
    .select()
    .from(tasks)
    .where(and(inArray(tasks.id, ids), eq(tasks.userId, userId)))
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

/** Unfinished tasks whose next poll is due, oldest due first. */
export async function dueTasks(context: AppContext, now: Date, limit: number): Promise<TaskRow[]> {
  return context.database.db
    .select()
    .from(tasks)
    .where(and(notInArray(tasks.status, [...FINISHED]), isNotNull(tasks.nextPollAt), lte(tasks.nextPollAt, now)))
    .orderBy(asc(tasks.nextPollAt))
    .limit(limit)
}

/** Unfinished tasks submitted before `cutoff` (past the timeout). */
export async function timedOutTasks(context: AppContext, cutoff: Date, limit: number): Promise<TaskRow[]> {
  return context.database.db
    .select()
    .from(tasks)
    .where(and(notInArray(tasks.status, [...FINISHED]), lte(tasks.submitTime, cutoff)))
    .limit(limit)
}

/** The next poll time after `attempts` fetches in a row that told nothing new: interval × 2^attempts, at most 10 minutes. */
export function nextPollAt(now: Date, intervalMs: number, attempts: number): Date {
  const delay = Math.min(intervalMs * 2 ** Math.min(attempts, 16), 10 * 60_000)
  return new Date(now.getTime() + delay)
}

/**
 * Applies an upstream state to an unfinished task; returns the updated row, or undefined when the task
 * had finished meanwhile (another poller got there first). A state that leaves the task unfinished
 * schedules the next poll; a finished one clears it.
 */
export async function applyTaskState(
  context: AppContext,
  row: TaskRow,
  state: Omit<UpstreamTaskState, 'upstreamTaskId'>,
  now: Date,
  intervalMs: number,
): Promise<TaskRow | undefined> {
  const finished = state.status === 'SUCCESS' || state.status === 'FAILURE'
  const changed = state.status !== row.status || state.progress !== row.progress
  const attempts = changed ? 0 : row.pollAttempts + 1
  const [updated] = await context.database.db
    .update(tasks)
    .set({
      status: state.status,
      progress: finished ? 100 : Math.max(0, Math.min(99, Math.round(state.progress))),
      result: state.result === undefined ? row.result : (state.result as Record<string, unknown>),
      failReason: state.status === 'FAILURE' ? (state.failReason ?? row.failReason ?? 'the upstream reported a failure') : row.failReason,
      startTime: row.startTime ?? (state.status === 'IN_PROGRESS' || finished ? now : null),
      finishTime: finished ? now : null,
      nextPollAt: finished ? null : nextPollAt(now, intervalMs, attempts),
      pollAttempts: attempts,
      updatedAt: now,
    })
    .where(and(eq(tasks.id, row.id), notInArray(tasks.status, [...FINISHED])))
    .returning()
  return updated
}

/** Marks an unfinished task FAILURE with a reason; undefined when it had finished meanwhile. */
export async function failTask(context: AppContext, id: string, reason: string, now: Date): Promise<TaskRow | undefined> {
  const [updated] = await context.database.db
    .update(tasks)
    .set({ status: 'FAILURE', progress: 100, failReason: reason, finishTime: now, nextPollAt: null, updatedAt: now })
    .where(and(eq(tasks.id, id), notInArray(tasks.status, [...FINISHED])))
    .returning()
  return updated
}

/** Pushes back the next poll of tasks a fetch told nothing about (the upstream failed or left them out). */
export async function backOffTasks(context: AppContext, rows: TaskRow[], now: Date, intervalMs: number): Promise<void> {
  for (const row of rows)
    await context.database.db
      .update(tasks)
      .set({ pollAttempts: sql`${tasks.pollAttempts} + 1`, nextPollAt: nextPollAt(now, intervalMs, row.pollAttempts + 1), updatedAt: now })
      .where(and(eq(tasks.id, row.id), notInArray(tasks.status, [...FINISHED])))
}

/** The stored result as the SDK's TaskResult. */
export function resultOf(row: Pick<TaskRow, 'result'>): TaskResult | undefined {
  return (row.result ?? undefined) as TaskResult | undefined
}
