import type { logs } from '../db/schema.ts'
import type { CommittedAccount, JournaledCharge } from '../billing/balance-store.ts'
import { encodeLogEntry } from '../billing/journal-codec.ts'
import { CursorConflictError, type BatchMessage, type BatchResult, type CursorUpdate } from './batch-sql.ts'

/** A row for the logs table as the relay and admin API produce it. */
export type LogEntry = typeof logs.$inferInsert

/** Where journaled charges come from, and what must happen once a batch of them is committed. */
export interface JournalSink {
  /** The cursor row to move with each batch; absent for journals nothing outlives (in-memory databases). */
  cursorName?: string
  /** True when another process may commit the same journal: the cursor must still be where this process left it. */
  guarded: boolean
  /** Runs after the batch's transaction committed (balances adopted, journal space freed); awaited before the next batch. */
  committed(accounts: CommittedAccount[], lastPosition: string): Promise<void> | void
  /** Told when a guarded cursor had moved: another process commits this journal now. */
  conflict?(): void
}

/** Writes one batch in one transaction, wherever the database is (see Database.writeBatch). */
export type BatchTarget = (message: BatchMessage) => Promise<BatchResult>

/** Collects log rows and journaled charges and writes them in group commits, off the request path. */
export interface LogWriter {
  /** Queues a row; never blocks the caller on I/O. */
  write(entry: LogEntry): void
  /** Queues journaled charges (in journal order) for the next group commit. */
  commitCharges(sink: JournalSink, charges: JournaledCharge[]): void
  /** The cursor a guarded sink's next batch must find; set when a committer takes over. */
  setCursor(position: string | null): void
  /** Writes everything queued so far (tests, shutdown, consistent admin reads). */
  flush(): Promise<void>
  /** Charges queued but not committed yet. */
  backlog(): number
  /** Resolves once no charge is queued (all committed, or dropped because another committer owns them); never forces a batch. */
  chargesDrained(): Promise<void>
  /** Log rows queued but not written yet (metrics read it when scraped). */
  queuedRows(): number
  /** Calls `listener` after each batch written, with its duration in milliseconds (metrics). */
  onBatch(listener: (durationMs: number, committed: boolean) => void): void
  /** Flushes and stops. */
  close(): Promise<void>
}

/** Options of the writer. */
export interface LogWriterOptions {
  /** How long a first row waits for company before its batch is written; later batches follow at once while rows keep coming. */
  delayMs?: number
  /**
   * When set, every batch waits until its oldest row or charge is this old (unless it fills `maxRows`, or
   * on flush), instead of following the last one at once, so that sparse calls share one transaction
   * rather than each paying for its own: on the event loop (postgres.js) or on the cores the calls need
   * (PGlite's thread). buildContext sets it for both (see build-context.ts).
   */
  gatherMs?: number
  /** Most rows of each kind in one transaction. */
  maxRows?: number
  /** Pause after a failed batch before trying again. */
  retryMs?: number
  /** Receives failures (the batch stays queued and is retried). */
  onError?: (error: unknown) => void
  /** Current time, for rows without one. */
  now?: () => Date
}

/**
 * Group commit: rows and charges queue in memory; the first one arms a short timer, and each batch is
 * one transaction written by the database's bulk writer (batch-sql.ts, in the database's own thread when
 * it has one). While a batch is being written the next one gathers, so under load a transaction carries
 * every call that finished during the previous one (with `gatherMs`, a batch waits until its oldest entry is
 * that old, so sparse calls share one too). Charges travel as the journal lines that made them
 * durable, so this thread serialises nothing twice. A failed batch goes back to the front of the queue:
 * charges are never dropped, and their journal keeps them across a crash.
 */
export function createLogWriter(target: BatchTarget, options: LogWriterOptions = {}): LogWriter {
  const delayMs = options.delayMs ?? 5
  const gatherMs = options.gatherMs
  /** When the oldest row or charge still queued was queued (undefined: none is). */
  let gatheringSince: number | undefined
  const maxRows = options.maxRows ?? 2000
  const retryMs = options.retryMs ?? 500
  const now = options.now ?? (() => new Date())
  let rows: LogEntry[] = []
  let charges: JournaledCharge[] = []
  let sink: JournalSink | undefined
  let cursor: string | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let writing: Promise<boolean> | undefined
  let closed = false
  const batchListeners: Array<(durationMs: number, committed: boolean) => void> = []
  let drainWaiters: Array<() => void> = []

  /** Wakes whoever waits for the charge queue to empty, once it has. */
  function tellDrained() {
    if (charges.length > 0 || drainWaiters.length === 0) return
    const waiters = drainWaiters
    drainWaiters = []
    for (const wake of waiters) wake()
  }

  function arm(delay: number) {
    if (timer || writing || closed) return
    timer = setTimeout(() => {
      timer = undefined
      void drain()
    }, delay)
  }

  /** Writes one batch; true when it committed. */
  async function writeOne(): Promise<boolean> {
    const batchRows = rows.length > maxRows ? rows.slice(0, maxRows) : rows
    const batchCharges = charges.length > maxRows ? charges.slice(0, maxRows) : charges
    rows = rows.length > maxRows ? rows.slice(maxRows) : []
    charges = charges.length > maxRows ? charges.slice(maxRows) : []
    // What is left over (a full batch's overflow) is as old as the batch; otherwise the next entry starts a new wait.
    if (rows.length === 0 && charges.length === 0) gatheringSince = undefined
    const target_ = batchCharges.length > 0 ? sink : undefined
    const lastPosition = batchCharges.length > 0 ? batchCharges[batchCharges.length - 1]!.position : undefined
    const cursorUpdate: CursorUpdate | undefined =
      target_?.cursorName && lastPosition ? { name: target_.cursorName, position: lastPosition, ...(target_.guarded ? { expected: cursor } : {}) } : undefined
    const message: BatchMessage = {
      rows: batchRows.length === 0 ? '' : `[${batchRows.map(encodeLogEntry).join(',')}]`,
      charges: chargeLines(batchCharges),
      ...(cursorUpdate ? { cursor: cursorUpdate } : {}),
      now: now().toISOString(),
    }
    let result: BatchResult
    const startedAt = batchListeners.length > 0 ? performance.now() : 0
    try {
      result = await target(message)
      for (const listener of batchListeners) listener(performance.now() - startedAt, true)
    } catch (error) {
      for (const listener of batchListeners) listener(performance.now() - startedAt, false)
      // Another committer owns these charges now; ours are dropped from memory (they stay in the journal).
      if (error instanceof CursorConflictError || (error as { name?: unknown }).name === 'CursorConflictError') {
        charges = []
        target_?.conflict?.()
      } else {
        rows = batchRows.concat(rows)
        charges = batchCharges.concat(charges)
        gatheringSince = performance.now() - (gatherMs ?? 0)
      }
      options.onError?.(error)
      return false
    }
    if (target_ && lastPosition) {
      cursor = lastPosition
      try {
        await target_.committed(result.accounts, lastPosition)
      } catch (error) {
        options.onError?.(error)
      }
    }
    return true
  }

  /** Something is queued and may be written now: always without gatherMs; with it, once it waited that long, fills a batch, or is forced. */
  const ripe = (force: boolean) =>
    (rows.length > 0 || charges.length > 0) &&
    (force || gatherMs === undefined || rows.length >= maxRows || charges.length >= maxRows || performance.now() - (gatheringSince ?? 0) >= gatherMs)

  /** What is left of the oldest entry's wait for company (gatherMs), or the retry pause after a failure. */
  const nextDelay = (ok: boolean) => (!ok ? retryMs : gatherMs === undefined ? delayMs : Math.max(0, gatherMs - (performance.now() - (gatheringSince ?? 0))))

  /** An entry was queued: a full queue is written at once, else the wait for company starts if it has not. */
  function queued(full: boolean) {
    gatheringSince ??= performance.now()
    if (full) void drain()
    else arm(gatherMs ?? delayMs)
  }

  /** Writes batches while some are ripe (all that is queued, when forced) or one fails (then retries after a pause). */
  function drain(force = false): Promise<boolean> {
    if (writing) return writing
    let ok = true
    writing = (async () => {
      while (ok && ripe(force)) {
        ok = await writeOne()
        tellDrained()
      }
      return ok
    })().finally(() => {
      writing = undefined
      if (rows.length > 0 || charges.length > 0) arm(nextDelay(ok))
    })
    return writing
  }

  return {
    write(entry) {
      if (closed) return
      rows.push(entry)
      queued(rows.length >= maxRows)
    },
    commitCharges(from, entries) {
      sink = from
      for (const entry of entries) charges.push(entry)
      queued(charges.length >= maxRows)
    },
    setCursor(position) {
      cursor = position
    },
    async flush() {
      if (timer) {
        clearTimeout(timer)
        timer = undefined
      }
      // A batch under way may have left rows queued behind it: keep going until empty or a failure.
      while (await drain(true)) if (rows.length === 0 && charges.length === 0) return
    },
    backlog: () => charges.length,
    chargesDrained() {
      if (charges.length === 0) return Promise.resolve()
      return new Promise<void>((resolve) => drainWaiters.push(resolve))
    },
    queuedRows: () => rows.length,
    onBatch(listener) {
      batchListeners.push(listener)
    },
    async close() {
      await this.flush()
      closed = true
      if (timer) clearTimeout(timer)
      tellDrained()
    },
  }
}

/**
 * A batch's journal lines: the bytes the journal wrote, copied into one buffer of their own (it crosses to the
 * embedded database's thread by transfer, neither joined nor cloned as a string), or the lines joined when some
 * came without bytes (the Redis journal).
 */
function chargeLines(charges: JournaledCharge[]): string | Uint8Array {
  // Lines written in the same turn sit side by side in one buffer: each such run is copied at once.
  const runs: Uint8Array[] = []
  let size = 0
  for (const { bytes } of charges) {
    if (!bytes) return charges.map((each) => each.line).join('\n')
    size += bytes.byteLength
    const last = runs[runs.length - 1]
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.byteLength === bytes.byteOffset)
      runs[runs.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + bytes.byteLength)
    else runs.push(bytes)
  }
  return size === 0 ? '' : new Uint8Array(Bun.concatArrayBuffers(runs))
}
