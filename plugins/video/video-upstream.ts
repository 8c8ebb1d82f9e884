import type { ChannelContext, TaskPrice, TaskResultFile, TaskSubmitOutcome, UpstreamReply, UpstreamRequest, UpstreamTaskState } from '@hanggent/plugin-sdk'

// The video platform's hub: every video request, whichever route it came on (`/v1/videos` or
// `/v1/video/generations`), is read into one VideoRequest, and every provider (OpenAI's Videos API, Kling)
// is a VideoUpstream that turns it into its own wire format and reads its answers back into the gateway's
// task states. N routes + M providers, not N×M.

/** A video request in the platform's own terms, JSON-safe (it is stored with the task). */
export interface VideoRequest {
  /** The model the client named (also the priced name). */
  model: string
  /** What to make. */
  prompt: string
  /** Seconds of video asked for, once the provider's default is filled in. */
  seconds?: number
  /** Output size `WIDTHxHEIGHT`, once the provider's default is filled in. */
  size?: string
  /** Quality mode (Kling `std` / `pro`). */
  mode?: string
  /** A reference image: an http(s) URL or a `data:` URL. */
  image?: string
  /** Vendor parameters passed through (New API's `metadata`), `model` removed so it cannot change the priced name. */
  metadata?: Record<string, unknown>
}

/** One provider of the video platform, for the channel types it serves. Pure apart from the clock a JWT needs. */
export interface VideoUpstream {
  /** Provider id, e.g. `openai`, `kling`. */
  id: string
  /** Channel types whose channels this provider serves. */
  channelTypes: string[]
  /** True for the models this provider makes (by family prefix, so dated snapshots match). */
  serves(model: string): boolean
  /** List prices by priced name (the model). */
  prices: Record<string, TaskPrice>
  /** The request with the provider's defaults filled in; throws GatewayError 400 naming the field for values it does not take. */
  prepare(request: VideoRequest): VideoRequest
  /** What the price depends on besides seconds: a mode and/or a resolution. */
  priceKeys(request: VideoRequest): { mode?: string; resolution?: string }
  /** The upstream create request. */
  buildSubmit(channel: ChannelContext, request: VideoRequest): UpstreamRequest
  /** The create answer, or undefined when the reply is not in this provider's shape. */
  readSubmitReply(reply: UpstreamReply, request: VideoRequest): TaskSubmitOutcome | undefined
  /** The upstream request that reads one task. */
  buildFetch(channel: ChannelContext, upstreamTaskId: string): UpstreamRequest
  /** The task's state, or undefined when the reply is not in this provider's shape. */
  readFetchReply(reply: UpstreamReply, upstreamTaskId: string): UpstreamTaskState | undefined
  /** The request for a result file, or undefined to fetch the file's URL as it is. */
  buildContent(channel: ChannelContext, upstreamTaskId: string, file: TaskResultFile, variant: string | undefined): UpstreamRequest | undefined
}
