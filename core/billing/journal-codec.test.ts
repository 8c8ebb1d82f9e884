import { describe, expect, test } from 'bun:test'
import type { LogEntry } from '../jobs/log-writer.ts'
import { decodeJournalEntry, encodeJournalEntry, encodeLogEntry, journalLineFromFields } from './journal-codec.ts'

const row = (createdAt?: Date): LogEntry => ({
  type: 'consume',
  ...(createdAt ? { createdAt } : {}),
  userId: 7,
  username: 'ann "the" tester\n',
  tokenId: 3,
  model: 'gpt-4o-mini',
  promptTokens: 14,
  completionTokens: 48,
  quota: 15,
  details: { outcome: 'completed', price: { inputPerMTok: 0.15 }, tokens: { input: 14, output: 48 }, note: 'ü\u2028' },
})

describe('journal lines', () => {
  test('a usage row is written exactly as JSON.stringify writes it, dates included', () => {
    for (const log of [row(new Date('2026-12-07T18:54:31.773Z')), row(), row(new Date(Number.NaN))]) expect(encodeLogEntry(log)).toBe(JSON.stringify(log))
  })

  test('an entry reads back as it was written, its date a Date again', () => {
    const entry = { position: '42', payer: { userId: 7, tokenId: 3, unlimited: false }, charged: 15, log: row(new Date('2026-12-07T18:54:31.773Z')) }
    expect(decodeJournalEntry(encodeJournalEntry(entry))).toEqual(entry)
    const unlimited = { ...entry, payer: { userId: 7, tokenId: null, unlimited: true } }
    expect(decodeJournalEntry(encodeJournalEntry(unlimited))).toEqual(unlimited)
  })

  test('a Redis stream entry gives the same line as the entry it carries', () => {
    const entry = {
      position: '1733600000000-0',
      payer: { userId: 7, tokenId: null, unlimited: true },
      charged: 15,
      log: row(new Date('2026-12-07T18:54:31.773Z')),
    }
    expect(journalLineFromFields('1733600000000-0', '7', '', '1', '15', encodeLogEntry(entry.log))).toBe(encodeJournalEntry(entry))
  })
})
