import {
  GatewayError,
  type ChannelContext,
  type InboundRequest,
  type TaskPlatform,
  type TaskPrice,
  type TaskSubmission,
  type UpstreamReply,
  type UpstreamTaskState,
} from '@hanggent/plugin-sdk'
import { VIDEO_REFERENCE_MAX_BYTES } from '../../schemas/video.ts'
import { klingVideoUpstream } from '../kling/kling-video-upstream.ts'
import { openAIVideoUpstream } from '../openai/openai-video-upstream.ts'
import { renderOpenAIError } from '../openai/openai-errors.ts'
import { renderOpenAIVideo, renderVideoGeneration, renderVideoSubmitted } from './render-video.ts'
import { readOpenAIVideoCreate, readVideoGeneration } from './video-request.ts'
import type { VideoRequest, VideoUpstream } from './video-upstream.ts'

// The `video` task platform: OpenAI's Videos routes and New API's unified routes, served by every
// provider in `videoUpstreams` (OpenAI's Videos API on openai/openai-compatible channels, Kling on kling
// channels). A request is read into a VideoRequest, checked by the provider that makes its model, priced
// per second (by resolution or mode), and sent in the provider's format by the channel's type; whichever
// provider made a task, both route families show it.

/** The providers, in the order replies are recognised (Kling's envelope has a numeric `code`; OpenAI's does not). */
export const videoUpstreams: VideoUpstream[] = [klingVideoUpstream, openAIVideoUpstream]

/** The provider that makes a model; 400 naming `model` when none does. */
export function upstreamForModel(model: string): VideoUpstream {
  const upstream = videoUpstreams.find((candidate) => candidate.serves(model))
  if (!upstream)
    throw new GatewayError(400, 'model_not_supported', `model "${model}" is not a video model this gateway knows (sora-*, kling-*)`, { param: 'model' })
  return upstream
}

/** The provider for a channel's type. */
function upstreamForChannel(channel: ChannelContext): VideoUpstream {
  const upstream = videoUpstreams.find((candidate) => candidate.channelTypes.includes(channel.type))
  if (!upstream) throw new GatewayError(500, 'internal_error', `channel type "${channel.type}" serves no video provider`)
  return upstream
}

/** A VideoRequest as a TaskSubmission: provider defaults and limits applied, priced name, seconds, mode or resolution. */
export function videoSubmission(read: VideoRequest): TaskSubmission {
  const upstream = upstreamForModel(read.model)
  const request = upstream.prepare(read)
  const keys = upstream.priceKeys(request)
  return {
    action: request.image ? 'generate' : 'textGenerate',
    model: request.model,
    prompt: request.prompt,
    ...(request.seconds === undefined ? {} : { seconds: request.seconds }),
    ...keys,
    body: request as unknown as Record<string, unknown>,
  }
}

/** The stored request of a submission. */
const requestOf = (submission: TaskSubmission) => submission.body as unknown as VideoRequest

/** The first provider's reading of a reply that is in its shape. */
function recognised<T>(read: (upstream: VideoUpstream) => T | undefined, what: string, reply: UpstreamReply): T {
  for (const upstream of videoUpstreams) {
    const value = read(upstream)
    if (value !== undefined) return value
  }
  throw new Error(`the video upstream's ${what} answer (${reply.status}) is in no known shape: ${reply.text.slice(0, 200)}`)
}

const allPrices: Record<string, TaskPrice> = Object.assign({}, ...videoUpstreams.map((upstream) => upstream.prices))
const maxBodyBytes = VIDEO_REFERENCE_MAX_BYTES * 2

/** The video task platform. */
export const videoPlatform: TaskPlatform = {
  id: 'video',
  label: 'Video generation',
  channelTypes: [...new Set(videoUpstreams.flatMap((upstream) => upstream.channelTypes))],
  routes: [
    {
      kind: 'submit',
      method: 'POST',
      path: '/v1/videos',
      accepts: ['json', 'multipart'],
      maxBodyBytes,
      readSubmission: (body) => videoSubmission(readOpenAIVideoCreate(body)),
    },
    {
      kind: 'submit',
      method: 'POST',
      path: '/v1/video/generations',
      accepts: ['json'],
      maxBodyBytes,
      readSubmission: (body) => videoSubmission(readVideoGeneration(body)),
    },
    { kind: 'content', method: 'GET', path: '/v1/videos/:id/content', buildRequest: buildContentRequest },
    { kind: 'fetch', method: 'GET', path: '/v1/videos/:id', render: renderOpenAIVideo },
    { kind: 'fetch', method: 'GET', path: '/v1/video/generations/:id', render: renderVideoGeneration },
  ],
  prices: allPrices,
  buildSubmit: (channel, submission) => upstreamForChannel(channel).buildSubmit(channel, requestOf(submission)),
  readSubmitReply(reply, submission) {
    const outcome = recognised((upstream) => upstream.readSubmitReply(reply, requestOf(submission)), 'submit', reply)
    if (!outcome.accepted) return outcome
    const request = requestOf(submission)
    return { ...outcome, note: { seconds: String(request.seconds ?? ''), size: request.size ?? '' } }
  },
  renderSubmitted: renderVideoSubmitted,
  polling: {
    batchSize: 1,
    buildRequest: (channel, ids) => upstreamForChannel(channel).buildFetch(channel, ids[0] ?? ''),
    readReply: (reply, ids): UpstreamTaskState[] => [recognised((upstream) => upstream.readFetchReply(reply, ids[0] ?? ''), 'fetch', reply)],
  },
  renderError: renderOpenAIError,
}

/** The content request for the task's channel: OpenAI's authenticated download, or undefined for a public file URL. */
function buildContentRequest(channel: ChannelContext, upstreamTaskId: string, request: InboundRequest, file: Parameters<VideoUpstream['buildContent']>[2]) {
  const variant = request.url.searchParams.get('variant') ?? undefined
  if (variant !== undefined && !['video', 'thumbnail', 'spritesheet'].includes(variant))
    throw new GatewayError(400, 'invalid_request', 'variant must be video, thumbnail or spritesheet', { param: 'variant' })
  return upstreamForChannel(channel).buildContent(channel, upstreamTaskId, file, variant)
}
