import type { LogEntry } from '../jobs/log-writer.ts'
import type { JournalEntry } from './balance-store.ts'

// One journal entry as one line of JSON, the same in the journal file and in the Redis stream's `e`
// field, so a replay reads exactly what the live path wrote.

interface EncodedEntry {
  p: string
  u: number
  t: number | null
  f: 0 | 1
  c: number
  l: LogEntry
}

/** One line of JSON, without the newline. */
export function encodeJournalEntry(entry: Omit<JournalEntry, 'line'>): string {
  const encoded: EncodedEntry = {
    p: entry.position,
    u: entry.payer.userId,
    t: entry.payer.tokenId,
    f: entry.payer.unlimited ? 1 : 0,
    c: entry.charged,
    l: entry.log,
  }
  return JSON.stringify(encoded)
}

/** Reads a line back; undefined for a line that is not a whole entry (a write cut short by a crash). */
export function decodeJournalEntry(line: string): JournalEntry | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const encoded = value as Partial<EncodedEntry>
  if (typeof encoded.p !== 'string' || typeof encoded.u !== 'number' || typeof encoded.c !== 'number' || typeof encoded.l !== 'object' || encoded.l === null)
    return undefined
  const log = { ...encoded.l }
  if (typeof log.createdAt === 'string') log.createdAt = new Date(log.createdAt)
  return {
    position: encoded.p,
    payer: { userId: encoded.u, tokenId: typeof encoded.t === 'number' ? encoded.t : null, unlimited: encoded.f === 1 },
    charged: encoded.c,
    log,
  }
}

/**
 * The journal line of a Redis stream entry, from its fields as they arrived: the usage row is already
 * JSON there, so it is spliced in rather than parsed and serialised again.
 */
export function journalLineFromFields(position: string, userId: string, tokenId: string, unlimited: string, charged: string, logJson: string): string {
  return `{"p":${JSON.stringify(position)},"u":${Number(userId)},"t":${tokenId === '' ? 'null' : Number(tokenId)},"f":${unlimited === '1' ? 1 : 0},"c":${Number(charged)},"l":${logJson}}`
}
