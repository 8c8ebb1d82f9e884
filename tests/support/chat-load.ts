// The client side of the reliability campaigns: one chat call as a client sees it (status, request id,
// whether the whole answer arrived, the error it was told), calls kept in flight by several clients
// while a fault runs, and outcomes counted by what went wrong. Each campaign keeps only its fault and
// its books.

/** What a client saw of one chat call. */
export interface ChatOutcome {
  /** The HTTP status, or 0 when the call failed on the network (or timed out). */
  status: number
  /** The gateway's `x-request-id`, when headers arrived. */
  requestId: string | null
  /** True only when the whole answer arrived (a stream up to its `[DONE]`). */
  complete: boolean
  /**
   * `error.type/error.code: message` of a non-200 answer, `stream type/code: message` for a stream
   * refused at its end (its last event), or the network failure.
   */
  error?: string
  /** Milliseconds the call took. */
  ms: number
}

/** A call that never answers is given up after this long (and counted as a failure). */
const CALL_TIMEOUT_MS = 20_000

interface ErrorBody {
  error?: { type?: string; code?: string; message?: string }
}

/** `type/code: message` of an OpenAI-shaped error body. */
function errorLabel(body: ErrorBody | undefined): string {
  return `${body?.error?.type}/${body?.error?.code}: ${body?.error?.message}`
}

/** A 200 answer's completeness, and for a stream cut short the error its last event carried. */
function readAnswer(text: string, stream: boolean): Pick<ChatOutcome, 'complete' | 'error'> {
  if (!stream) {
    try {
      return { complete: Array.isArray((JSON.parse(text) as { choices?: unknown[] }).choices) }
    } catch {
      return { complete: false, error: 'invalid JSON answer' }
    }
  }
  if (text.includes('data: [DONE]')) return { complete: true }
  const event = /data: (\{"error".*)\n/.exec(text)?.[1]
  return event ? { complete: false, error: `stream ${errorLabel(JSON.parse(event) as ErrorBody)}` } : { complete: false }
}

/** One `gpt-4o-mini` chat call to the gateway at `url` with key `key` (`index` numbers its question). */
export async function chatCall(url: string, key: string, index: number, stream: boolean, timeoutMs = CALL_TIMEOUT_MS): Promise<ChatOutcome> {
  const started = Date.now()
  let requestId: string | null = null
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream, max_tokens: 200, messages: [{ role: 'user', content: `Question ${index}` }] }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    requestId = response.headers.get('x-request-id')
    const text = await response.text()
    const ms = Date.now() - started
    if (response.status !== 200) return { status: response.status, requestId, complete: false, error: errorLabel(JSON.parse(text) as ErrorBody), ms }
    return { status: 200, requestId, ...readAnswer(text, stream), ms }
  } catch (error) {
    return { status: 0, requestId, complete: false, error: String(error), ms: Date.now() - started }
  }
}

/**
 * Keeps `clients` calls in flight until `stopped()`: each client takes the next index (from `from`) and
 * awaits `step(index, client)`; a step that returns false ends its client. Resolves with the next unused index.
 */
export async function keepCalling(
  clients: number,
  stopped: () => boolean,
  step: (index: number, client: number) => Promise<boolean | undefined | void>,
  from = 0,
): Promise<number> {
  let next = from
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (!stopped()) if ((await step(next++, client)) === false) return
    }),
  )
  return next
}

/** Outcomes counted by status and error (request ids left out, so equal errors count together). */
export function outcomeSummary(outcomes: ChatOutcome[]): Record<string, number> {
  const byStatus: Record<string, number> = {}
  for (const outcome of outcomes) {
    const label = `${outcome.status} ${outcome.error ?? ''}`.replace(/req_\w+/g, 'req_…').trim()
    byStatus[label] = (byStatus[label] ?? 0) + 1
  }
  return byStatus
}
