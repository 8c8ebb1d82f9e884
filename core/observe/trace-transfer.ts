import type { AttemptRecord, TraceRecord } from './trace-record.ts'

// How trace records cross from the relay thread to the export worker: as numbers in one transferred
// Float64Array, not as objects or JSON. Ids travel as 32-bit words, times and counts as themselves,
// absent values as NaN, and text (routes, models, channel types, codes, messages) as indexes into a
// table both threads keep: a batch carries only the texts the worker has not seen. Structured clone of
// the records (or JSON.stringify on the relay thread and JSON.parse in the worker) cost several
// microseconds per traced request across the two threads; this costs a fraction of one.

/** One batch of packed records, as posted to the worker (its `numbers` buffer is transferred). */
export interface PackedRecords {
  /** The records' slots. */
  numbers: Float64Array<ArrayBuffer>
  /** Slots used. */
  length: number
  /** Texts new to the worker, in index order after those it has. */
  texts: string[]
  /** The worker forgets its texts before reading these (the relay thread's table was full and started over). */
  resetTexts: boolean
}

/** Slots of a record before its attempts, and of each attempt (the protobuf writer reads them in place: otlp-proto.ts). */
export const HEADER_SLOTS = 26
export const ATTEMPT_SLOTS = 10
/** Texts kept before both tables start over, at the next batch (texts repeat, but error messages may not). */
const TEXT_LIMIT = 4096

/** A hex digit's value by char code. */
const NIBBLE = new Uint8Array(128)
for (let digit = 0; digit < 16; digit++) {
  NIBBLE[digit.toString(16).charCodeAt(0)] = digit
  NIBBLE[digit.toString(16).toUpperCase().charCodeAt(0)] = digit
}
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** The 32-bit word at `word` of a hex id (8 digits from word × 8). */
function hexWord(hex: string, word: number): number {
  let value = 0
  for (let index = word * 8; index < word * 8 + 8; index++) value = value * 16 + (NIBBLE[hex.charCodeAt(index)] as number)
  return value
}

/** A 32-bit word as 8 hex digits. */
function wordHex(word: number): string {
  return (HEX[word >>> 24] as string) + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] + HEX[word & 255]
}

/** Packs records on the relay thread into batches for the worker. */
export class TraceRecordPacker {
  private numbers: Float64Array<ArrayBuffer>
  private length = 0
  private readonly textIndex = new Map<string, number>()
  private newTexts: string[] = []
  private resetTexts = false
  /** Records packed into the current batch. */
  records = 0

  /** A packer whose batches start with room for `capacity` slots (grown when needed). */
  constructor(private readonly capacity = 256 * (HEADER_SLOTS + ATTEMPT_SLOTS)) {
    this.numbers = new Float64Array(capacity)
  }

  /** Adds one finished record to the current batch. */
  add(record: TraceRecord): void {
    const attempts = record.attempts
    this.reserve(HEADER_SLOTS + attempts.length * ATTEMPT_SLOTS)
    const slots = this.numbers
    let at = this.length
    const settlement = record.settlement
    const parent = record.parentSpanId
    slots[at] = attempts.length
    slots[at + 1] = this.text(record.route)
    slots[at + 2] = this.text(record.dialect)
    slots[at + 3] = hexWord(record.traceId, 0)
    slots[at + 4] = hexWord(record.traceId, 1)
    slots[at + 5] = hexWord(record.traceId, 2)
    slots[at + 6] = hexWord(record.traceId, 3)
    slots[at + 7] = parent ? hexWord(parent, 0) : Number.NaN
    slots[at + 8] = parent ? hexWord(parent, 1) : Number.NaN
    slots[at + 9] = record.start
    slots[at + 10] = record.authEnd ?? Number.NaN
    slots[at + 11] = record.admissionStart ?? Number.NaN
    slots[at + 12] = record.admissionEnd ?? Number.NaN
    slots[at + 13] = this.text(record.model)
    slots[at + 14] = record.stream === undefined ? Number.NaN : record.stream ? 1 : 0
    slots[at + 15] = record.firstToken ?? Number.NaN
    slots[at + 16] = record.status ?? Number.NaN
    slots[at + 17] = this.text(record.code)
    slots[at + 18] = record.end
    slots[at + 19] = settlement ? settlement.start : Number.NaN
    slots[at + 20] = settlement?.end ?? Number.NaN
    slots[at + 21] = this.text(settlement?.error)
    slots[at + 22] = settlement?.inputTokens ?? Number.NaN
    slots[at + 23] = settlement?.outputTokens ?? Number.NaN
    slots[at + 24] = settlement?.quota ?? Number.NaN
    slots[at + 25] = this.text(settlement?.outcome)
    at += HEADER_SLOTS
    for (const attempt of attempts) {
      slots[at] = hexWord(attempt.spanId, 0)
      slots[at + 1] = hexWord(attempt.spanId, 1)
      slots[at + 2] = attempt.channelId
      slots[at + 3] = this.text(attempt.channelType)
      slots[at + 4] = this.text(attempt.upstreamModel)
      slots[at + 5] = attempt.index
      slots[at + 6] = attempt.start
      slots[at + 7] = attempt.end ?? Number.NaN
      slots[at + 8] = attempt.status ?? Number.NaN
      slots[at + 9] = this.text(attempt.error)
      at += ATTEMPT_SLOTS
    }
    this.length = at
    this.records++
  }

  /** The current batch, to post with its buffer transferred; undefined when empty. The next batch starts fresh. */
  take(): PackedRecords | undefined {
    if (this.records === 0) return undefined
    const packed: PackedRecords = { numbers: this.numbers, length: this.length, texts: this.newTexts, resetTexts: this.resetTexts }
    this.numbers = new Float64Array(this.capacity)
    this.length = 0
    this.records = 0
    this.newTexts = []
    this.resetTexts = false
    if (this.textIndex.size >= TEXT_LIMIT) {
      this.textIndex.clear()
      this.resetTexts = true
    }
    return packed
  }

  /** A text's index in the shared table (added when new), or NaN for none. */
  private text(value: string | undefined): number {
    if (value === undefined) return Number.NaN
    let index = this.textIndex.get(value)
    if (index === undefined) {
      index = this.textIndex.size
      this.textIndex.set(value, index)
      this.newTexts.push(value)
    }
    return index
  }

  /** Room for `count` more slots. */
  private reserve(count: number): void {
    if (this.length + count <= this.numbers.length) return
    const grown = new Float64Array(Math.max(this.numbers.length * 2, this.length + count))
    grown.set(this.numbers.subarray(0, this.length))
    this.numbers = grown
  }
}

/** Unpacks batches in the worker, keeping the text table the packer's batches add to. */
export class TraceRecordUnpacker {
  private texts: string[] = []

  /** Takes a batch's new texts into the table (before reading its records, by unpack or in place). */
  learn(packed: PackedRecords): void {
    if (packed.resetTexts) this.texts = []
    for (const text of packed.texts) this.texts.push(text)
  }

  /** The text at a slot's index, or undefined for NaN. */
  text(slot: number | undefined): string | undefined {
    return slot === undefined || Number.isNaN(slot) ? undefined : this.texts[slot]
  }

  /** The records of one batch, in the order they were packed. */
  unpack(packed: PackedRecords): TraceRecord[] {
    this.learn(packed)
    const slots = packed.numbers
    const records: TraceRecord[] = []
    let at = 0
    while (at < packed.length) {
      const attemptCount = slots[at] as number
      const record: TraceRecord = {
        route: this.text(slots[at + 1]) ?? '',
        dialect: this.text(slots[at + 2]) ?? '',
        traceId: wordHex(slots[at + 3] as number) + wordHex(slots[at + 4] as number) + wordHex(slots[at + 5] as number) + wordHex(slots[at + 6] as number),
        start: slots[at + 9] as number,
        attempts: [],
        end: slots[at + 18] as number,
      }
      if (!Number.isNaN(slots[at + 7])) record.parentSpanId = wordHex(slots[at + 7] as number) + wordHex(slots[at + 8] as number)
      setNumber(record, 'authEnd', slots[at + 10])
      setNumber(record, 'admissionStart', slots[at + 11])
      setNumber(record, 'admissionEnd', slots[at + 12])
      const model = this.text(slots[at + 13])
      if (model !== undefined) record.model = model
      if (!Number.isNaN(slots[at + 14])) record.stream = slots[at + 14] === 1
      setNumber(record, 'firstToken', slots[at + 15])
      setNumber(record, 'status', slots[at + 16])
      const code = this.text(slots[at + 17])
      if (code !== undefined) record.code = code
      if (!Number.isNaN(slots[at + 19])) {
        const settlement: NonNullable<TraceRecord['settlement']> = { start: slots[at + 19] as number }
        setNumber(settlement, 'end', slots[at + 20])
        const error = this.text(slots[at + 21])
        if (error !== undefined) settlement.error = error
        setNumber(settlement, 'inputTokens', slots[at + 22])
        setNumber(settlement, 'outputTokens', slots[at + 23])
        setNumber(settlement, 'quota', slots[at + 24])
        const outcome = this.text(slots[at + 25])
        if (outcome !== undefined) settlement.outcome = outcome
        record.settlement = settlement
      }
      at += HEADER_SLOTS
      for (let index = 0; index < attemptCount; index++) {
        const attempt: AttemptRecord = {
          spanId: wordHex(slots[at] as number) + wordHex(slots[at + 1] as number),
          channelId: slots[at + 2] as number,
          channelType: this.text(slots[at + 3]) ?? '',
          upstreamModel: this.text(slots[at + 4]) ?? '',
          index: slots[at + 5] as number,
          start: slots[at + 6] as number,
        }
        setNumber(attempt, 'end', slots[at + 7])
        setNumber(attempt, 'status', slots[at + 8])
        const error = this.text(slots[at + 9])
        if (error !== undefined) attempt.error = error
        record.attempts.push(attempt)
        at += ATTEMPT_SLOTS
      }
      records.push(record)
    }
    return records
  }
}

/** Sets an optional number field when the slot holds one (NaN stands for absent). */
function setNumber<Target extends object>(target: Target, key: keyof Target & string, slot: number | undefined): void {
  if (slot !== undefined && !Number.isNaN(slot)) (target as Record<string, unknown>)[key] = slot
}
