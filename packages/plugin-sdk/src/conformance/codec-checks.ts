// The codec checks of the conformance kit: each recorded case run through the plugin's own dialect
// codec — request build, result decode, stream decode with the chunk boundary at every byte offset,
// the same stream pushed through the push decoder, error reading. Each failure names the fixture, the step and the field.
import { isClientOnlyDialect } from '../contract.ts'
import type { ClientDialectCodec, ConversionEnv, DialectCodec, HubUpstreamCodec, PluginDefinition, UpstreamDialect, UpstreamDialectCodec } from '../contract.ts'
import type { HubEvent } from '../hub.ts'
import { createSseParser, decodeSse, type SseEvent } from '../sse.ts'
import { digestEvents, digestResult, type AnswerDigest } from './answer-digest.ts'
import type { ConformanceCase, ExpectedAnswer } from './case-file.ts'
import { findMismatch, shown } from './expect-subset.ts'
import { listingFailures, transportFailures } from './transport-checks.ts'
import { QUANTITY_PATTERN } from '../manifest.ts'

/** 2025-01-01T00:00:00Z: the kit's pinned clock, so decoders replay identically. */
const KIT_NOW = 1_735_689_600_000

/** A pinned clock and counting ids (`chatcmpl-1`, `call_2`, …), as a relayed call would inject them. */
export function kitEnv(model?: string): ConversionEnv {
  let counter = 0
  return { now: () => KIT_NOW, newId: (prefix) => `${prefix}${++counter}`, ...(model !== undefined ? { model } : {}) }
}

type AnyCodec = DialectCodec | ClientDialectCodec | UpstreamDialectCodec

/** The entry's upstream role, or undefined for a client-only dialect (`role: 'client'`), which has none. */
function upstreamRole(codec: AnyCodec): UpstreamDialect | undefined {
  return isClientOnlyDialect(codec) ? undefined : codec
}

/** Describes a thrown value in one line. */
function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** Yields the given byte chunks. */
async function* chunksOf(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part
}

/** Frames bytes as the gateway does for this codec (its own frameStream, else SSE) and decodes them into hub events. */
export async function decodeStreamBytes(hub: HubUpstreamCodec, parts: Uint8Array[], env: ConversionEnv): Promise<HubEvent[]> {
  const framed: AsyncIterable<SseEvent> = hub.frameStream ? hub.frameStream(chunksOf(parts)) : decodeSse(chunksOf(parts))
  const events: HubEvent[] = []
  for await (const event of hub.decodeStream(framed, env)) events.push(event)
  return events
}

/** A digest compared with its expectation: the first difference in words, or undefined. */
function answerProblem(expected: ExpectedAnswer, digest: AnswerDigest): string | undefined {
  const mismatch = findMismatch(expected, digest)
  if (mismatch) return mismatch.message
  if (digest.error) return `the stream decoded into an error event (${digest.error.code}: ${digest.error.message})`
  return undefined
}

/** Where a chunk boundary falls, in words (saying when it splits a UTF-8 character). */
function boundaryLabel(bytes: Uint8Array, offset: number): string {
  const inside = (bytes[offset]! & 0xc0) === 0x80
  return `chunk boundary at byte ${offset} of ${bytes.length}${inside ? ', inside a UTF-8 character' : ''}`
}

/** Runs one stream case: whole, then split at every byte offset, then one byte per chunk. */
async function streamProblems(name: string, hub: HubUpstreamCodec, bytes: Uint8Array, expected: ExpectedAnswer, model: string | undefined): Promise<string[]> {
  const where = (label: string) => `fixture "${name}" (stream decode, ${label})`
  const run = async (parts: Uint8Array[], label: string): Promise<{ digest?: AnswerDigest; problem?: string }> => {
    try {
      const digest = digestEvents(await decodeStreamBytes(hub, parts, kitEnv(model)))
      const problem = answerProblem(expected, digest)
      return problem ? { problem: `${where(label)}: ${problem}` } : { digest }
    } catch (error) {
      return { problem: `${where(label)}: decodeStream threw ${describeThrown(error)}` }
    }
  }
  const whole = await run([bytes], 'whole body')
  if (whole.problem) return [whole.problem]
  const baseline = JSON.stringify(whole.digest)
  if (!hub.frameStream)
    return sseSplitProblems(
      name,
      bytes,
      async () =>
        (
          await run(
            Array.from(bytes, (byte) => Uint8Array.of(byte)),
            'one byte per chunk',
          )
        ).problem,
    )
  for (let offset = 1; offset < bytes.length; offset++) {
    const split = await run([bytes.subarray(0, offset), bytes.subarray(offset)], boundaryLabel(bytes, offset))
    if (split.problem) return [split.problem]
    const seen = JSON.stringify(split.digest)
    if (seen !== baseline)
      return [`${where(boundaryLabel(bytes, offset))}: the answer differs from the whole body's: ${shown(split.digest)} instead of ${shown(whole.digest)}`]
  }
  const bytewise = await run(
    Array.from(bytes, (byte) => Uint8Array.of(byte)),
    'one byte per chunk',
  )
  return bytewise.problem ? [bytewise.problem] : []
}

/**
 * A stream case through the dialect's push decoder (contract 1.3), as a passthrough stream feeds it: one
 * event at a time, then `end()`. It must give the answer `decodeStream` gives, and every event `canDefer`
 * would keep undecoded must give no usage and no error (a passthrough watcher would miss them).
 */
async function pushDecoderProblems(name: string, hub: HubUpstreamCodec, bytes: Uint8Array, model: string | undefined): Promise<string[]> {
  const create = hub.createStreamDecoder
  if (!create) return []
  const where = `fixture "${name}" (push decoder)`
  const framed: SseEvent[] = []
  const source = hub.frameStream ? hub.frameStream(chunksOf([bytes])) : decodeSse(chunksOf([bytes]))
  for await (const event of source) framed.push(event)
  try {
    const pulled = digestEvents(await decodeStreamBytes(hub, [bytes], kitEnv(model)))
    const decoder = create.call(hub, kitEnv(model))
    const pushed: HubEvent[] = []
    for (const event of framed) {
      if (decoder.done) break
      const deferrable = decoder.canDefer?.(event) === true
      const decoded = decoder.push(event)
      const missed = deferrable ? decoded.find((hubEvent) => hubEvent.type === 'usage' || hubEvent.type === 'error') : undefined
      if (missed) return [`${where}: canDefer answered true for an event that gives a ${missed.type} event (${event.data.slice(0, 80)})`]
      pushed.push(...decoded)
    }
    pushed.push(...decoder.end())
    const digest = digestEvents(pushed)
    if (JSON.stringify(digest) !== JSON.stringify(pulled))
      return [`${where}: pushing the events one at a time gives ${shown(digest)} where decodeStream gives ${shown(pulled)}`]
  } catch (error) {
    return [`${where}: threw ${describeThrown(error)}`]
  }
  return []
}

/** SSE events parsed from `parts`. */
function parsedEvents(parts: Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((event) => events.push(event))
  for (const part of parts) parser.push(part)
  parser.end()
  return events
}

/** True when two event lists carry the same events. */
function sameEvents(a: SseEvent[], b: SseEvent[]): boolean {
  return a.length === b.length && a.every((event, index) => event.data === b[index]!.data && event.event === b[index]!.event && event.id === b[index]!.id)
}

/**
 * An SSE stream: the decoder only ever sees whole events, so a split changes its input only if it changes
 * the events. The events are compared at every byte offset (cheap), and the decoder is re-run with one
 * byte per chunk (`bytewise`), which puts a boundary at every offset at once.
 */
async function sseSplitProblems(name: string, bytes: Uint8Array, bytewise: () => Promise<string | undefined>): Promise<string[]> {
  const baseline = parsedEvents([bytes])
  for (let offset = 1; offset < bytes.length; offset++) {
    if (!sameEvents(parsedEvents([bytes.subarray(0, offset), bytes.subarray(offset)]), baseline)) {
      return [`fixture "${name}" (stream decode, ${boundaryLabel(bytes, offset)}): the SSE events differ from the whole body's`]
    }
  }
  const problem = await bytewise()
  return problem ? [problem] : []
}

/** What a prompt estimate promises beyond the case's expectation: quantities named in camelCase with amounts of 0 or more (contract 1.2). */
function quantityProblem(quantities: unknown): string | undefined {
  if (quantities === undefined) return undefined
  if (typeof quantities !== 'object' || quantities === null || Array.isArray(quantities)) return 'quantities must be an object of name → amount'
  for (const [name, amount] of Object.entries(quantities)) {
    if (!QUANTITY_PATTERN.test(name)) return `quantities has "${name}", which is not a camelCase quantity name (e.g. "searchUnits")`
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) return `quantities.${name} is ${shown(amount)}, not an amount of 0 or more`
  }
  return undefined
}

/** Runs a case's `estimate` part through a client dialect's `estimatePrompt`. */
function estimateFailures(name: string, codec: AnyCodec, part: NonNullable<ConformanceCase['file']['estimate']>): string[] {
  if (!('estimatePrompt' in codec)) return [`fixture "${name}" (prompt estimate): dialect "${codec.dialect}" declares no routes, so it has no estimatePrompt`]
  try {
    const estimate = codec.estimatePrompt(part.body)
    const problem = quantityProblem(estimate.quantities)
    if (problem) return [`fixture "${name}" (prompt estimate): ${problem}`]
    const mismatch = findMismatch(part.expect, estimate, 'estimate')
    return mismatch ? [`fixture "${name}" (prompt estimate): ${mismatch.message}`] : []
  } catch (error) {
    return [`fixture "${name}" (prompt estimate): estimatePrompt threw ${describeThrown(error)}`]
  }
}

/** The failures of one case (empty when it passes) and the steps it exercised. */
export async function checkCase(plugin: PluginDefinition, testCase: ConformanceCase): Promise<{ failures: string[]; steps: string[]; notes: string[] }> {
  const { name, file } = testCase
  const failures: string[] = [...transportFailures(plugin, testCase), ...listingFailures(plugin, testCase)]
  const steps: string[] = [...(file.transport ? ['transport'] : []), ...(file.listing ? ['model listing'] : [])]
  if (file.dialect === undefined) {
    if (steps.length === 0)
      failures.push(
        `fixture "${name}": checks nothing (give a dialect with request + upstreamRequest, response + expect, stream, or error + expectError; or transport, or listing)`,
      )
    return { failures, steps, notes: [] }
  }
  const codec: AnyCodec | undefined = plugin.dialects.find((candidate) => candidate.dialect === file.dialect)
  if (!codec) {
    // A dialect another plugin provides (e.g. OpenAI's, spoken by an Azure channel): its codec is that plugin's to check; the gateway step replays it.
    if (plugin.channelTypes.some((entry) => entry.transport.nativeDialects.includes(file.dialect!))) {
      return {
        failures,
        steps,
        notes: [
          `fixture "${name}": dialect "${file.dialect}" comes from another plugin; its codec steps are left to that plugin (replayed in the gateway step)`,
        ],
      }
    }
    failures.push(
      `fixture "${name}": dialect "${file.dialect}" is neither one of the plugin's dialects (${plugin.dialects.map((entry) => entry.dialect).join(', ') || 'none'}) nor spoken by its channel types`,
    )
    return { failures, steps, notes: [] }
  }
  const upstream = upstreamRole(codec)
  const hub = upstream?.hub
  const needsHub = file.request !== undefined || testCase.response !== undefined || testCase.stream !== undefined
  // Request build, decoding and error reading are the upstream role's: a client-only dialect is never sent upstream as it is.
  if (!upstream && (needsHub || file.error !== undefined))
    return {
      failures: [
        ...failures,
        `fixture "${name}": dialect "${file.dialect}" is client-only (role: 'client'): it has no upstream role to build requests in or decode answers of`,
      ],
      steps,
      notes: [],
    }
  if (needsHub && !hub)
    return { failures: [...failures, `fixture "${name}": dialect "${file.dialect}" has no hub codec to run the fixture through`], steps, notes: [] }
  const model = file.request?.model
  if (hub && file.request && file.upstreamRequest) {
    steps.push('request build')
    try {
      const mismatch = findMismatch(file.upstreamRequest, hub.encodeRequest(file.request).value, 'body')
      if (mismatch) failures.push(`fixture "${name}" (request build): ${mismatch.message}`)
    } catch (error) {
      failures.push(`fixture "${name}" (request build): encodeRequest threw ${describeThrown(error)}`)
    }
  }
  if (hub && testCase.response !== undefined && file.expect) {
    steps.push('result decode')
    try {
      const problem = answerProblem(file.expect, digestResult(hub.decodeResult(testCase.response, kitEnv(model))))
      if (problem) failures.push(`fixture "${name}" (result decode): ${problem}`)
    } catch (error) {
      failures.push(`fixture "${name}" (result decode): decodeResult threw ${describeThrown(error)}`)
    }
  }
  const streamExpected = file.expectStream ?? file.expect
  if (hub && testCase.stream && streamExpected) {
    steps.push('stream decode at every byte offset')
    failures.push(...(await streamProblems(name, hub, testCase.stream, streamExpected, model)))
    if (hub.createStreamDecoder) {
      steps.push('push decoder')
      failures.push(...(await pushDecoderProblems(name, hub, testCase.stream, model)))
    }
  }
  if (file.estimate) {
    steps.push('prompt estimate')
    failures.push(...estimateFailures(name, codec, file.estimate))
  }
  if (upstream && file.error && testCase.errorBody !== undefined && file.expectError) {
    steps.push('error reading')
    try {
      const mismatch = findMismatch(file.expectError, upstream.readUpstreamError(file.error.status, testCase.errorBody), 'error')
      if (mismatch) failures.push(`fixture "${name}" (error reading, status ${file.error.status}): ${mismatch.message}`)
    } catch (error) {
      failures.push(`fixture "${name}" (error reading): readUpstreamError threw ${describeThrown(error)}`)
    }
  }
  if (steps.length === 0)
    failures.push(
      `fixture "${name}": checks nothing (give request + upstreamRequest, response + expect, stream + expect or expectStream, or error + expectError)`,
    )
  return { failures, steps, notes: [] }
}
