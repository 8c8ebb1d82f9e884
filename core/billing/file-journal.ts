import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { GatewayError } from '../errors.ts'
import type { JournalEntry, JournaledCharge } from './balance-store.ts'
import { decodeJournalEntry, encodeJournalEntry } from './journal-codec.ts'

// The embedded mode's write-ahead journal of charges. A settled call's entry is written (one write(2)
// per event-loop turn for every call that settled in it) before the client receives the end of its
// answer; from then on the charge survives a crash of this process, because the kernel holds the
// bytes. The database is brought up to date from it in group commits, and on start-up from whatever
// the last run left. Power loss can lose what the background fdatasync (every SYNC_INTERVAL_MS) had
// not reached the disk yet.
//
// Files are segments named by their first position; a segment whose entries are all committed is
// deleted once a newer one is being written.

/** Rotate to a new segment beyond this size, so committed history is deleted in pieces. */
const SEGMENT_BYTES = 16 * 1024 * 1024
/** How often written entries are forced to the disk (power-loss bound). */
const SYNC_INTERVAL_MS = 100
const SEGMENT_PATTERN = /^segment-(\d{16})\.jsonl$/
const NEWLINE = 0x0a

/** The journal of charges not yet in the database. */
export interface ChargeJournal {
  /** Assigns the next position and makes the entry durable; resolves once it is, with the line written. */
  append(entry: Omit<JournalEntry, 'position'>): Promise<JournaledCharge>
  /** Entries up to `position` are in the database: their segments may go. */
  release(position: string): void
  /** Name of this journal's cursor in `ledger_state`; absent when nothing outlives the process. */
  readonly cursorName?: string
  /** Flushes and closes files. */
  close(): Promise<void>
}

/** A journal and what the previous run left in it. */
export interface OpenedJournal {
  journal: ChargeJournal
  /** Every entry found on disk, oldest first (the caller skips those the database already has). */
  recovered: JournalEntry[]
}

interface Segment {
  path: string
  lastPosition: number
}

/** Errno codes that mean the file system has no room left for the journal. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT'])

/**
 * A failed journal write as the relay's 503 (nothing was charged, the client may retry): a full disk
 * says so in words an operator can act on; any other I/O error names its code.
 */
export function journalWriteError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message =
    code && NO_SPACE.has(code)
      ? 'The gateway cannot write its data: disk full (no space left under DATA_DIR); nothing was charged. The operator must free disk space.'
      : `The gateway cannot write its data (${code ?? 'write failed'}); nothing was charged. Please retry shortly.`
  return new GatewayError(503, 'billing_unavailable', message, { kind: 'overloaded', cause: error })
}

const segmentName = (first: number) => `segment-${String(first).padStart(16, '0')}.jsonl`

/** Reads every entry of the segments in `dir`, oldest first; a torn last line is ignored. */
function readSegments(dir: string): { segments: Segment[]; entries: JournalEntry[] } {
  const names = readdirSync(dir)
    .filter((name) => SEGMENT_PATTERN.test(name))
    .sort()
  const segments: Segment[] = []
  const entries: JournalEntry[] = []
  for (const name of names) {
    const path = join(dir, name)
    let lastPosition = Number(SEGMENT_PATTERN.exec(name)?.[1]) - 1
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue
      const entry = decodeJournalEntry(line)
      if (!entry) continue
      entries.push(entry)
      lastPosition = Math.max(lastPosition, Number(entry.position))
    }
    segments.push({ path, lastPosition })
  }
  return { segments, entries }
}

/**
 * Opens the journal under `dir` (created if missing). `startAfter` is the last position the database
 * has applied, so positions keep increasing across runs even when the files were deleted. Segments
 * rotate beyond `segmentBytes` (16 MiB).
 */
export function openFileJournal(dir: string, startAfter: number, onError: (error: unknown) => void = () => {}, segmentBytes = SEGMENT_BYTES): OpenedJournal {
  mkdirSync(dir, { recursive: true })
  const { segments, entries } = readSegments(dir)
  let last = Math.max(startAfter, ...segments.map((segment) => segment.lastPosition))
  let active: { fd: number; path: string; bytes: number; lastPosition: number } | undefined
  let waiting: Array<{ entry: JournalEntry; resolve: (charge: JournaledCharge) => void; reject: (error: unknown) => void }> = []
  let scheduled = false
  let dirty = false
  let closed = false
  let failing = false

  function openSegment(first: number) {
    if (active) {
      segments.push({ path: active.path, lastPosition: active.lastPosition })
      closeSync(active.fd)
    }
    const path = join(dir, segmentName(first))
    active = { fd: openSync(path, 'a'), path, bytes: 0, lastPosition: first - 1 }
  }

  /** Writes every entry queued in this turn with one write(2), then answers their callers. */
  function writeQueued() {
    scheduled = false
    const batch = waiting
    waiting = []
    if (batch.length === 0) return
    const lines = batch.map((item) => encodeJournalEntry(item.entry))
    try {
      if (!active || active.bytes >= segmentBytes) openSegment(Number(batch[0]!.entry.position))
      const segment = active!
      const text = `${lines.join('\n')}\n`
      const bytes = Buffer.from(text)
      let offset = 0
      try {
        while (offset < bytes.length) offset += writeSync(segment.fd, bytes, offset)
      } catch (error) {
        // A write cut short (a full disk) leaves part of the batch behind: cut it off, so its calls
        // (refused) are not charged after a crash and the next entry does not start mid-line.
        if (offset > 0) {
          try {
            ftruncateSync(segment.fd, segment.bytes)
          } catch {
            segment.bytes = segmentBytes // could not cut it: the next batch starts a new segment
          }
        }
        throw error
      }
      segment.bytes += bytes.length
      segment.lastPosition = Number(batch[batch.length - 1]!.entry.position)
      dirty = true
      failing = false
      // Each charge keeps its line's bytes (a view of what was written), so the group commit hands them on as they
      // are. JSON escapes every newline inside a line, so each '\n' byte ends one.
      let start = 0
      batch.forEach((item, index) => {
        const end = bytes.indexOf(NEWLINE, start) + 1
        item.resolve({
          position: item.entry.position,
          payer: item.entry.payer,
          charged: item.entry.charged,
          line: lines[index]!,
          bytes: bytes.subarray(start, end),
        })
        start = end
      })
    } catch (error) {
      // Logged once per spell of failures, not once per refused call.
      if (!failing) onError(error)
      failing = true
      const refused = journalWriteError(error)
      for (const item of batch) item.reject(refused)
    }
  }

  const syncTimer = setInterval(() => {
    if (!dirty || !active) return
    dirty = false
    fdatasync(active.fd, (error) => {
      if (error) onError(error)
    })
  }, SYNC_INTERVAL_MS)
  syncTimer.unref?.()

  const journal: ChargeJournal = {
    cursorName: 'journal:file',
    append(draft) {
      if (closed) return Promise.reject(new Error('The charge journal is closed'))
      last += 1
      const entry: JournalEntry = { ...draft, position: String(last) }
      return new Promise((resolve, reject) => {
        waiting.push({ entry, resolve, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(writeQueued)
        }
      })
    },
    release(position) {
      const upTo = Number(position)
      for (let index = segments.length - 1; index >= 0; index--) {
        const segment = segments[index]!
        if (segment.lastPosition > upTo) continue
        try {
          unlinkSync(segment.path)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error)
        }
        segments.splice(index, 1)
      }
    },
    async close() {
      if (closed) return
      writeQueued()
      closed = true
      clearInterval(syncTimer)
      if (active) {
        try {
          if (statSync(active.path).size > 0) await new Promise<void>((resolve) => fdatasync(active!.fd, () => resolve()))
        } finally {
          closeSync(active.fd)
        }
      }
    },
  }
  return { journal, recovered: entries }
}

/** A journal for an in-memory database: nothing survives the process anyway, so nothing is written. */
export function memoryJournal(): ChargeJournal {
  let last = 0
  return {
    async append(draft) {
      last += 1
      const entry = { ...draft, position: String(last) }
      return { position: entry.position, payer: entry.payer, charged: entry.charged, line: encodeJournalEntry(entry) }
    },
    release() {},
    async close() {},
  }
}
