import type { ChannelContext, UpstreamRequest } from './contract.ts'
import type { Usage } from './hub.ts'

// Realtime sessions (contract 1.2): a WebSocket the client keeps open while events flow both ways. The
// core owns both sockets, the relay of frames, back-pressure, limits and billing; a channel type that can
// serve a session says how to open the upstream socket and how to read the usage its events report.
// Pure functions only: no I/O, no clock.

/** What the core knows when it opens an upstream realtime socket for a client. */
export interface RealtimeConnectCall {
  /** The channel the session goes to, key decrypted. */
  channel: ChannelContext
  /** The upstream model after the channel's model mapping. */
  model: string
  /** `transcription` for a transcription-only session (OpenAI's `?intent=transcription`): the model is the transcription model, not a realtime one. */
  intent?: 'transcription'
  /**
   * Headers the client's upgrade request carried, so a transport may forward the few its vendor defines for
   * clients (OpenAI's `OpenAI-Beta: realtime=v1`). Never forward auth.
   */
  clientHeaders: Headers
}

/** The upstream WebSocket to open, built without I/O. */
export interface RealtimeUpstreamSocket {
  /** Absolute `wss://` (or `ws://`) URL, query included. */
  url: string
  /** Headers of the upgrade request, auth included. */
  headers: Record<string, string>
}

/**
 * How a channel type serves realtime sessions: the upstream socket for a session, and the usage of the
 * events that end a billed response. Events pass through the gateway untouched; the plugin only reads them.
 */
export interface RealtimeTransport {
  /** The upstream socket for one session; pure. */
  connect(call: RealtimeConnectCall): RealtimeUpstreamSocket
  /**
   * The usage a server event reports for one finished response (OpenAI's `response.done`), or undefined for
   * any other event. Called with the parsed JSON of every server text frame; must not throw.
   * Non-token counts (audio tokens) go in `Usage.quantities` under names the plugin's prices use in `perUnit`.
   */
  readUsage(event: unknown): RealtimeResponseUsage | undefined
  /**
   * The upstream HTTP request that creates a session or an ephemeral client secret for a client that opens its
   * own WebRTC (or WebSocket) session with the provider (`POST /v1/realtime/sessions`, `…/transcription_sessions`,
   * `…/client_secrets`); the JSON body is the client's, with the model mapped. Absent when the provider has none. Pure.
   */
  sessionRequest?(call: RealtimeSessionCall): UpstreamRequest
}

/** Which ephemeral-session endpoint a client called. */
export type RealtimeSessionKind = 'sessions' | 'transcription_sessions' | 'client_secrets'

/** A client's request for an ephemeral realtime session or client secret, on its way to one channel. */
export interface RealtimeSessionCall {
  /** The channel, key decrypted. */
  channel: ChannelContext
  /** Which endpoint. */
  kind: RealtimeSessionKind
  /** The upstream model after mapping, when the body named one. */
  model: string | undefined
  /** The client's JSON body, model already mapped. */
  body: Record<string, unknown>
  /** The client's headers (for `OpenAI-Beta`); never forward auth. */
  clientHeaders: Headers
}

/** One finished response as a realtime event reported it. */
export interface RealtimeResponseUsage {
  /** The response id, for the usage row (e.g. `resp_…`). */
  responseId?: string
  /** The response's status as the upstream reported it (`completed`, `cancelled`, `failed`, `incomplete`). */
  status?: string
  /** What to bill. */
  usage: Usage
}
