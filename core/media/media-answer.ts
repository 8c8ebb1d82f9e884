import type { ConversionEnv, MediaSpec } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import type { UpstreamSuccess } from '../relay/call-upstream.ts'
import type { CallOutcome, CallRecord } from '../relay/settle.ts'
import { watchIdle } from '../stream/idle-watch.ts'
import { responseBody } from '../relay/relay-stream.ts'
import type { MediaRequest } from './media-request.ts'

// The answer side of a media dialect (DialectCodec.media): speech audio goes to the client as the upstream
// sends it, one read at a time (pull-based, so a slow client slows the upstream instead of filling memory);
// a transcript is read whole and passed on unchanged with the upstream's Content-Type. Either is billed by
// the dialect's readUsage once the answer is complete.

/** What relaying a media answer needs from the admitted call. */
export interface MediaAnswerCall {
  context: AppContext
  media: MediaSpec
  request: MediaRequest
  record: CallRecord
  upstream: UpstreamSuccess
  /** Marks the request done for the inflight tracker, once settled. */
  done: () => void
}

const NOTHING_OBSERVED = { outputText: '', toolCalls: 0 }

/** Clock and ids for a media answer's conversion, from the context so tests can pin them. */
function conversionEnvOf(context: AppContext): ConversionEnv {
  return { now: () => context.now().getTime(), newId: (prefix) => `${prefix}${crypto.randomUUID().replaceAll('-', '')}` }
}

/** The upstream's Content-Type, which the client gets as it is. */
function contentTypeOf(upstream: UpstreamSuccess): string {
  return upstream.response.headers.get('content-type') ?? 'application/octet-stream'
}

/** A whole answer (json, text, srt, verbose_json, vtt): billed, then passed on byte for byte with its Content-Type. */
export async function wholeMediaAnswer(call: MediaAnswerCall): Promise<Response> {
  const { media, request, record, upstream } = call
  upstream.exchange.release()
  // A converted call (Imagen for OpenAI images) answers in the upstream's format: the client gets its own dialect's JSON.
  const decode = upstream.dialogue.decodeMedia
  const contentType = decode ? 'application/json' : contentTypeOf(upstream)
  const text = decode ? decode(upstream.text ?? '', conversionEnvOf(call.context)) : (upstream.text ?? '')
  const usage = media.readUsage({ contentType, text }, request.body, request.measured)
  await record.settle({ usage, observed: NOTHING_OBSERVED, outcome: 'completed' })
  call.done()
  return new Response(text, { status: upstream.response.status, headers: { 'content-type': contentType } })
}

/**
 * A binary answer (speech audio) relayed as it arrives. The call settles when the upstream's body ends,
 * before the client's stream is closed; an upstream that breaks off or goes silent past the idle timeout
 * ends the client's stream with an error (the call is still billed: the upstream did the work).
 */
export function binaryMediaAnswer(call: MediaAnswerCall, idleTimeoutMs: number): Response {
  const { context, media, request, record, upstream } = call
  upstream.exchange.stopTimer()
  const contentType = contentTypeOf(upstream)
  const source = responseBody(upstream.response)
  const reader = source.getReader()
  const idle = watchIdle(idleTimeoutMs, () => upstream.exchange.abort.abort('timeout'))
  let ended = false

  async function end(outcome: CallOutcome): Promise<void> {
    if (ended) return
    ended = true
    idle.stop()
    upstream.exchange.release()
    try {
      await record.settle({ usage: media.readUsage({ contentType }, request.body, request.measured), observed: NOTHING_OBSERVED, outcome })
    } finally {
      call.done()
    }
  }
  const logged = (error: unknown) => context.logger.log('error', 'media answer settlement failed', { requestId: record.requestId, error: String(error) })

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let step: Awaited<ReturnType<typeof reader.read>>
        try {
          step = await reader.read()
        } catch (error) {
          const outcome = upstream.exchange.abort.signal.reason === 'timeout' ? 'timeout' : 'upstream-error'
          await end(outcome).catch(logged)
          controller.error(error instanceof Error ? error : new Error(String(error)))
          return
        }
        if (step.done) {
          try {
            await end('completed')
            controller.close()
          } catch (error) {
            logged(error)
            controller.error(new Error('The answer could not be recorded for billing'))
          }
          return
        }
        idle.touch()
        record.firstToken()
        controller.enqueue(step.value)
      },
      async cancel() {
        upstream.exchange.abort.abort('client')
        await end('client-aborted').catch(logged)
        await reader.cancel().catch(() => undefined)
      },
    },
    { highWaterMark: 0 },
  )
  return new Response(body, { status: upstream.response.status, headers: { 'content-type': contentType, 'cache-control': 'no-cache' } })
}
