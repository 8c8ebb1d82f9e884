import { GatewayError, isRecord, versionedUrl, type TaskPrice, type TaskStatus, type UpstreamReply, type UpstreamTaskState } from '@hanggent/plugin-sdk'
import type { VideoRequest, VideoUpstream } from '../video/video-upstream.ts'
import { multipartBody } from './multipart-body.ts'
import { openAIAuthHeaders } from './openai-transport.ts'

// OpenAI's Videos API (Sora) as a provider of the video platform, for `openai` and `openai-compatible`
// channels: create (JSON, or multipart when a reference image is sent as a file), retrieve, and the
// content download that needs the channel's key (so it is always fetched through the gateway).
// see https://platform.openai.com/docs/api-reference/videos and the openai package's resources/videos.d.ts
// (seconds 4/8/12, default 4; size 720x1280 default, 1280x720, and 1024x1792/1792x1024 on sora-2-pro)
// see https://openai.com/api/pricing (Sora 2 $0.10/s at 720p; Sora 2 Pro $0.30/s at 720p, $0.50/s at 1024p)

const allowedSeconds = [4, 8, 12]
const standardSizes = ['720x1280', '1280x720']
const proSizes = [...standardSizes, '1024x1792', '1792x1024']
const isPro = (model: string) => model.startsWith('sora-2-pro')

const sora2: TaskPrice = { perSecond: 0.1, defaultSeconds: 4 }
const sora2Pro: TaskPrice = { perSecond: 0.3, defaultSeconds: 4, byResolution: { '1024x1792': { perSecond: 0.5 }, '1792x1024': { perSecond: 0.5 } } }

/** Sora list prices per second of video, by model (dated snapshots included). */
export const openAIVideoPrices: Record<string, TaskPrice> = {
  'sora-2': sora2,
  'sora-2-2025*': sora2,
  'sora-2-pro': sora2Pro,
  'sora-2-pro-2025*': sora2Pro,
}

const statusMap: Record<string, TaskStatus> = { queued: 'SUBMITTED', in_progress: 'IN_PROGRESS', completed: 'SUCCESS', failed: 'FAILURE' }

/** The OpenAI Video object's state as the gateway's; unknown statuses (a chained gateway's `unknown`) stay in progress. */
export function mapOpenAIVideoStatus(status: unknown): TaskStatus {
  return (typeof status === 'string' ? statusMap[status] : undefined) ?? 'IN_PROGRESS'
}

/** The `data:` URL as a file part for multipart, named by its type (OpenAI reads the type from the part). */
function dataUrlFile(url: string): { filename: string; type: string; bytes: Uint8Array } {
  const match = /^data:([^;]+);base64,(.*)$/.exec(url)
  const type = match?.[1] ?? 'application/octet-stream'
  const extension = type.split('/')[1] ?? 'bin'
  return { filename: `reference.${extension === 'jpeg' ? 'jpg' : extension}`, type, bytes: new Uint8Array(Buffer.from(match?.[2] ?? '', 'base64')) }
}

/** The upstream's message in OpenAI's error envelope, or undefined when the body is not one. */
function openAIErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined
  return typeof body.error.message === 'string' ? body.error.message : 'the upstream refused the video'
}

/** OpenAI's Videos API as a VideoUpstream. */
export const openAIVideoUpstream: VideoUpstream = {
  id: 'openai',
  channelTypes: ['openai', 'openai-compatible'],
  serves: (model) => model.startsWith('sora-'),
  prices: openAIVideoPrices,
  prepare(request) {
    const seconds = request.seconds ?? 4
    if (!allowedSeconds.includes(seconds))
      throw new GatewayError(400, 'invalid_request', `seconds must be one of 4, 8 or 12 for ${request.model}`, { param: 'seconds' })
    const size = request.size ?? '720x1280'
    const sizes = isPro(request.model) ? proSizes : standardSizes
    if (!sizes.includes(size)) throw new GatewayError(400, 'invalid_request', `size must be one of ${sizes.join(', ')} for ${request.model}`, { param: 'size' })
    return { ...request, seconds, size }
  },
  priceKeys: (request) => (request.size === undefined ? {} : { resolution: request.size }),
  buildSubmit(channel, request: VideoRequest) {
    const url = versionedUrl(channel.baseUrl, '/videos')
    const fields = { model: request.model, prompt: request.prompt, seconds: String(request.seconds ?? 4), size: request.size ?? '720x1280' }
    if (request.image?.startsWith('data:')) {
      const file = dataUrlFile(request.image)
      const { contentType, body } = multipartBody(fields, { field: 'input_reference', ...file })
      return { url, method: 'POST', headers: { 'content-type': contentType, ...openAIAuthHeaders(channel) }, body }
    }
    const body = request.image ? { ...fields, input_reference: { image_url: request.image } } : fields
    return { url, method: 'POST', headers: { 'content-type': 'application/json', ...openAIAuthHeaders(channel) }, body: JSON.stringify(body) }
  },
  readSubmitReply(reply: UpstreamReply) {
    const body = reply.json
    if (reply.status < 300 && isRecord(body) && body.object === 'video' && typeof body.id === 'string') return { accepted: true, upstreamTaskId: body.id }
    const message = openAIErrorMessage(body)
    if (message === undefined) return undefined
    const clientError = reply.status >= 400 && reply.status < 500 && ![401, 403, 404, 429].includes(reply.status)
    if (clientError) return { accepted: false, retryable: false, error: new GatewayError(400, 'invalid_request', message) }
    return { accepted: false, retryable: true, error: new GatewayError(502, 'upstream_error', message) }
  },
  buildFetch: (channel, upstreamTaskId) => ({
    url: versionedUrl(channel.baseUrl, `/videos/${encodeURIComponent(upstreamTaskId)}`),
    method: 'GET',
    headers: openAIAuthHeaders(channel),
  }),
  readFetchReply(reply, upstreamTaskId): UpstreamTaskState | undefined {
    const body = reply.json
    if (!isRecord(body) || body.object !== 'video') return undefined
    const status = mapOpenAIVideoStatus(body.status)
    const progress = status === 'SUCCESS' || status === 'FAILURE' ? 100 : Math.max(0, Math.min(99, Math.round(Number(body.progress) || 0)))
    const state: UpstreamTaskState = { upstreamTaskId, status, progress }
    if (status === 'FAILURE')
      state.failReason = isRecord(body.error) && typeof body.error.message === 'string' ? body.error.message : 'the upstream reported the video failed'
    const extra = { seconds: String(body.seconds ?? ''), size: String(body.size ?? '') }
    // The content needs the channel's key, so the file is named by the upstream id and always fetched through the gateway.
    state.result = status === 'SUCCESS' ? { files: [{ kind: 'video', url: `openai-video:${upstreamTaskId}` }], extra } : { extra }
    return state
  },
  buildContent(channel, upstreamTaskId, _file, variant) {
    const query = variant ? `?variant=${encodeURIComponent(variant)}` : ''
    return {
      url: versionedUrl(channel.baseUrl, `/videos/${encodeURIComponent(upstreamTaskId)}/content${query}`),
      method: 'GET',
      headers: openAIAuthHeaders(channel),
    }
  },
}
