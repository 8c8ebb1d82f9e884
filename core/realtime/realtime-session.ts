import type { ServerWebSocket } from 'bun'
import type { RealtimeTransport } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import { randomKey } from '../security/crypto.ts'
import type { RealtimeBooks } from './realtime-billing.ts'
import { closeReason, INSUFFICIENT_QUOTA_CLOSE, insufficientQuotaEvent, isResponseCreate, parseResponseDone } from './realtime-rules.ts'
import type { TrackedSession } from './realtime-sessions.ts'

// One realtime session: the client's socket (Bun's server WebSocket) and the upstream's (Bun's WebSocket client),
// with every frame passed on as it came (same text or binary type, same bytes). The gateway reads only two
// kinds of event: a client's `response.create`, held until the balance is checked, and the upstream's
// `response.done`, whose usage is charged. Neither socket can be paused, so memory is bounded by closing: a
// peer that lets more than `maxBufferBytes` pile up unsent is cut off with a close frame saying why.

/** What Elysia's WebSocket dispatcher calls on a socket upgraded by a native route (see elysia/ws: `ws.data.open(ws)` …). */
export interface SocketHandlers {
  open(ws: ServerWebSocket<SocketHandlers>): void
  message(ws: ServerWebSocket<SocketHandlers>, message: string | Buffer): void
  close(ws: ServerWebSocket<SocketHandlers>, code: number, reason: string): void
  drain(ws: ServerWebSocket<SocketHandlers>): void
}

/** Limits of a session, from the config. */
export interface SessionLimits {
  /** Unsent bytes either socket may hold before the session is closed. */
  maxBufferBytes: number
  /** A session with no frame either way for this long is closed. */
  idleTimeoutMs: number
}

/** A session ready for the client's upgrade: the upstream socket is already open. */
export interface SessionSetup {
  context: AppContext
  books: RealtimeBooks
  upstream: WebSocket
  /** Frames the upstream sent before the client's socket was open (session.created), in order. */
  early: Array<string | ArrayBuffer>
  transport: RealtimeTransport
  limits: SessionLimits
  /** A transcription session (`?intent=transcription`): billed from its finished input transcriptions. */
  transcription?: boolean
}

/** An outbound frame of either socket. */
type Frame = string | ArrayBuffer | Uint8Array

/** Byte length of a frame, for the buffer bound. */
function frameBytes(frame: Frame): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength
}

/**
 * Bridges a client socket to an open upstream socket. The returned handlers go on the upgrade (`data`); the
 * session is tracked from the start, and ends (settled, summary written) whichever side closes first.
 */
export function createRealtimeSession(setup: SessionSetup): { handlers: SocketHandlers; tracked: TrackedSession } {
  const { context, books, upstream, transport, limits } = setup
  const sessionId = books.account.sessionId
  let client: ServerWebSocket<SocketHandlers> | undefined
  let ended = false
  let endedResolve: () => void = () => {}
  const endedPromise = new Promise<void>((resolve) => (endedResolve = resolve))
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  /** Client frames waiting for a balance check (a response.create and whatever followed it). */
  let held: Frame[] | undefined
  let heldBytes = 0

  const log = (level: 'info' | 'warn', message: string, fields: Record<string, unknown> = {}) => context.logger.log(level, message, { sessionId, ...fields })

  function touch() {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => void end(1000, `session idle for ${Math.round(limits.idleTimeoutMs / 1000)} s`, 'gateway'), limits.idleTimeoutMs)
  }

  /** Ends the session once: both sockets closed (the client with `code` and `reason`), then the books. */
  async function end(code: number, reason: string, closedBy: 'client' | 'upstream' | 'gateway'): Promise<void> {
    if (ended) return endedPromise
    ended = true
    clearTimeout(idleTimer)
    const cut = closeReason(reason)
    try {
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING)
        upstream.close(1000, closedBy === 'client' ? 'client closed' : cut)
    } catch {
      // already closing
    }
    try {
      if (client && client.readyState === 1) client.close(code, cut)
    } catch {
      // already closing
    }
    if (closedBy !== 'client') log('info', 'realtime session closed', { code, reason: cut, closedBy })
    try {
      await books.close({ closeCode: code, closeReason: cut, closedBy })
    } catch (error) {
      context.logger.log('error', 'realtime session settlement failed', { sessionId, error: String(error) })
    }
    endedResolve()
  }

  /** Sends to the client; a client that lets too much pile up is cut off. */
  function toClient(frame: Frame) {
    if (!client || ended) return
    const sent = typeof frame === 'string' ? client.sendText(frame) : client.sendBinary(frame instanceof Uint8Array ? frame : new Uint8Array(frame))
    if (sent === 0) {
      void end(1008, 'client is not reading fast enough: event dropped', 'gateway')
      return
    }
    if (client.getBufferedAmount() > limits.maxBufferBytes)
      void end(1008, `client is not reading fast enough (over ${limits.maxBufferBytes} bytes unsent)`, 'gateway')
  }

  /** Sends to the upstream; an upstream that does not take events is cut off. */
  function toUpstream(frame: Frame) {
    if (ended) return
    upstream.send(frame)
    if (upstream.bufferedAmount > limits.maxBufferBytes)
      void end(1011, `upstream is not reading fast enough (over ${limits.maxBufferBytes} bytes unsent)`, 'gateway')
  }

  /** Ends the session with the insufficient_quota error event when the payer cannot start another response. */
  function refuse(available: number, needed: number) {
    toClient(insufficientQuotaEvent(`event_${randomKey(20)}`, available, needed))
    void end(INSUFFICIENT_QUOTA_CLOSE, 'insufficient_quota', 'gateway')
  }

  /** A client frame: passed on, unless a response.create must wait for the balance check. */
  function fromClient(frame: Frame) {
    touch()
    if (held) {
      held.push(frame)
      heldBytes += frameBytes(frame)
      if (heldBytes > limits.maxBufferBytes) void end(1008, 'client sent too much while its balance was being checked', 'gateway')
      return
    }
    if (typeof frame !== 'string' || !isResponseCreate(frame)) return toUpstream(frame)
    checkThenSend([frame])
  }

  /** Holds `waiting` (a response.create first) and what arrives meanwhile until the balance is checked; then sends or refuses. */
  function checkThenSend(waiting: Frame[]) {
    held = waiting
    heldBytes = waiting.reduce((sum, frame) => sum + frameBytes(frame), 0)
    void books.affordable().then(
      (check) => {
        const queue = held ?? []
        held = undefined
        heldBytes = 0
        if (ended) return
        if (!check.ok) return refuse(check.available, check.needed)
        for (let index = 0; index < queue.length; index++) {
          const next = queue[index] as Frame
          // A further response.create behind the first is checked in turn, with what follows it.
          if (index > 0 && typeof next === 'string' && isResponseCreate(next)) return checkThenSend(queue.slice(index))
          toUpstream(next)
        }
      },
      (error: unknown) => {
        context.logger.log('error', 'realtime balance check failed', { sessionId, error: String(error) })
        void end(1011, 'balance check failed', 'gateway')
      },
    )
  }

  /** An upstream frame: passed on at once; a response.done is charged behind it. */
  function fromUpstream(data: string | ArrayBuffer) {
    touch()
    toClient(data)
    if (typeof data !== 'string') return
    const event = parseResponseDone(data, setup.transcription)
    const response = event === undefined ? undefined : transport.readUsage(event)
    if (!response) return
    void books.charge(response).then(
      (check) => {
        if (!check.ok && !ended) refuse(check.available, check.needed)
      },
      (error: unknown) => {
        context.logger.log('error', 'realtime response charge failed', { sessionId, error: String(error) })
        void end(1011, 'billing failed', 'gateway')
      },
    )
  }

  upstream.binaryType = 'arraybuffer'
  upstream.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
    if (client) fromUpstream(event.data)
    else setup.early.push(event.data)
  })
  upstream.addEventListener('close', (event: CloseEvent) => {
    if (ended) return
    // A normal end the upstream chose is passed on; anything else is a dropped upstream: 1011 with what happened.
    if (event.code === 1000) void end(1000, event.reason || 'upstream ended the session', 'upstream')
    else void end(1011, `upstream connection lost (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`, 'upstream')
  })

  const handlers: SocketHandlers = {
    open(ws) {
      client = ws
      touch()
      for (const frame of setup.early.splice(0)) fromUpstream(frame)
      if (upstream.readyState !== WebSocket.OPEN && !ended) void end(1011, 'upstream connection lost before the session opened', 'upstream')
    },
    message(_ws, message) {
      if (!ended) fromClient(message)
    },
    close(_ws, code, reason) {
      void end(code, reason, 'client')
    },
    drain() {
      // Bun flushed what was buffered; nothing waits on it, since sends never queue here.
    },
  }
  const tracked: TrackedSession = {
    close: (code, reason) => end(code, reason, 'gateway'),
    ended: endedPromise,
    bufferedBytes: () => (ended ? 0 : (client?.getBufferedAmount() ?? 0) + upstream.bufferedAmount),
  }
  return { handlers, tracked }
}
