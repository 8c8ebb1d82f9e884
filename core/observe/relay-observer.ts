import type { Usage } from '@hanggent/plugin-sdk'

// The one instrumentation seam of the relay. The pipeline asks the observer for a probe when a request
// arrives and tells the probe each step (authenticated, admitted, each upstream attempt, first token,
// settlement, the answer, the end); metrics and traces are two probes behind it. With both off the
// services carry no observer and the pipeline's `probe?.…` calls cost a property check each.

/** The request as it arrives. */
export interface RelayStart {
  /** The route pattern (`/v1/chat/completions`), or 'playground'. */
  route: string
  /** The client's dialect (`openai.chat`). */
  dialect: string
  /** The client's headers (a `traceparent` is read from them). */
  headers: Headers
}

/** One upstream attempt in flight. */
export interface AttemptProbe {
  /** Headers the upstream request carries (`traceparent` of the attempt's span); undefined when none. */
  readonly headers: Record<string, string> | undefined
  /** The attempt answered (`status` of the upstream, or the gateway's status for a network fault or timeout) or failed. */
  end(result: { status: number; ok: boolean; code?: string }): void
}

/** What a call settled at. */
export interface Settlement {
  usage: Usage
  /** Quota units charged. */
  quota: number
  /** How the answer ended ('completed', 'client-aborted', …). */
  outcome: string
}

/** One relayed request, told what happens to it; each method is called at most once unless said otherwise. */
export interface RelayProbe {
  /** The caller is known (or authentication failed, then `finished` follows). */
  authenticated(): void
  /** The call was priced and reserved for `model`. */
  admitted(model: string, stream: boolean): void
  /** A channel is about to be tried (once per attempt, in order). */
  attempt(channel: { id: number; type: string; upstreamModel: string }): AttemptProbe
  /** The first event of a streamed answer is ready for the client. */
  firstToken(): void
  /** Settlement begins; the returned function is called with what was charged, or with an error. */
  settling(): (result: Settlement | Error) => void
  /** The client gets an answer with this status (a stream: 200, before its body); `code` for errors. */
  responded(status: number, code?: string): void
  /** The request is over (a stream: once settled); idempotent. */
  closed(): void
}

/** Makes a probe per relayed request. */
export interface RelayObserver {
  /** A probe for a request that just arrived. */
  begin(start: RelayStart): RelayProbe
}

/** One observer telling several (metrics and traces); undefined when there is none, so the pipeline pays nothing. */
export function combineObservers(observers: Array<RelayObserver | undefined>): RelayObserver | undefined {
  const present = observers.filter((observer): observer is RelayObserver => observer !== undefined)
  if (present.length <= 1) return present[0]
  return { begin: (start) => fanOut(present.map((observer) => observer.begin(start))) }
}

/** A probe passing each call to every probe; attempt headers merge (later probes win on a clash). */
function fanOut(probes: RelayProbe[]): RelayProbe {
  return {
    authenticated: () => probes.forEach((probe) => probe.authenticated()),
    admitted: (model, stream) => probes.forEach((probe) => probe.admitted(model, stream)),
    attempt(channel) {
      const attempts = probes.map((probe) => probe.attempt(channel))
      const merged = attempts.reduce<Record<string, string> | undefined>(
        (headers, attempt) => (attempt.headers ? { ...headers, ...attempt.headers } : headers),
        undefined,
      )
      return { headers: merged, end: (result) => attempts.forEach((attempt) => attempt.end(result)) }
    },
    firstToken: () => probes.forEach((probe) => probe.firstToken()),
    settling() {
      const ends = probes.map((probe) => probe.settling())
      return (result) => ends.forEach((end) => end(result))
    },
    responded: (status, code) => probes.forEach((probe) => probe.responded(status, code)),
    closed: () => probes.forEach((probe) => probe.closed()),
  }
}
