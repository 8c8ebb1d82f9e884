import { GatewayError, isRecord, type TaskPrice, type TaskStatus, type UpstreamReply, type UpstreamTaskState } from '@hanggent/plugin-sdk'
import type { VideoRequest, VideoUpstream } from '../video/video-upstream.ts'
import { klingHeaders } from './kling-auth.ts'

// Kling's video API as a provider of the video platform: text2video, or image2video when a reference image
// is given; the task is read back on the same path. Kling answers `{code, message, request_id, data}`
// (code 0 = success) with `task_status` submitted / processing / succeed / failed and, when done,
// `task_result.videos[{id, url, duration}]` on a public CDN. The upstream task id the gateway keeps is
// `<kind>/<task_id>`, since the query path depends on the kind.
// see https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo and .../imageToVideo
//
// Prices: Kling bills prepaid units per clip (a 5 s std clip of kling-v1 is 1 unit, pro 3.5 units; 10 s
// doubles), and its smallest package works out at about $0.14 a unit. These defaults follow that table,
// per second so 5 s and 10 s clips cost 1× and 2×; operators with other models or packages override them.

const durations = [5, 10]
const modes = ['std', 'pro']
const klingPrice: TaskPrice = { perSecond: 0.028, defaultSeconds: 5, byMode: { std: { perSecond: 0.028 }, pro: { perSecond: 0.098 } } }

/** Default Kling prices (per second of video, by mode), for every `kling-*` model. */
export const klingVideoPrices: Record<string, TaskPrice> = { 'kling-*': klingPrice }

const statusMap: Record<string, { status: TaskStatus; progress: number }> = {
  submitted: { status: 'SUBMITTED', progress: 10 },
  processing: { status: 'IN_PROGRESS', progress: 50 },
  succeed: { status: 'SUCCESS', progress: 100 },
  failed: { status: 'FAILURE', progress: 100 },
}

/** Kling's task state as the gateway's. */
export function mapKlingStatus(status: unknown): { status: TaskStatus; progress: number } {
  return (typeof status === 'string' ? statusMap[status] : undefined) ?? { status: 'IN_PROGRESS', progress: 50 }
}

/** Kling's aspect ratio for a `WxH` size: its orientation. */
export function klingAspectRatio(size: string): string {
  const [width = 0, height = 0] = size.split('x').map(Number)
  return width > height ? '16:9' : width < height ? '9:16' : '1:1'
}

const kindOf = (request: VideoRequest) => (request.image ? 'image2video' : 'text2video')

/** Kling's `image`: a URL as is, a data URL as bare base64 (Kling takes either). */
const klingImage = (image: string) => (image.startsWith('data:') ? image.slice(image.indexOf(',') + 1) : image)

/** True for a body in Kling's envelope. */
const isKlingEnvelope = (body: unknown): body is Record<string, unknown> => isRecord(body) && typeof body.code === 'number'

/** Kling's API as a VideoUpstream. */
export const klingVideoUpstream: VideoUpstream = {
  id: 'kling',
  channelTypes: ['kling'],
  serves: (model) => model.startsWith('kling-'),
  prices: klingVideoPrices,
  prepare(request) {
    const seconds = request.seconds ?? 5
    if (!durations.includes(seconds)) throw new GatewayError(400, 'invalid_request', `seconds must be 5 or 10 for ${request.model}`, { param: 'seconds' })
    const mode = request.mode ?? 'std'
    if (!modes.includes(mode)) throw new GatewayError(400, 'invalid_request', 'mode must be std or pro', { param: 'mode' })
    return { ...request, seconds, mode, size: request.size ?? '1280x720' }
  },
  priceKeys: (request) => (request.mode === undefined ? {} : { mode: request.mode }),
  buildSubmit(channel, request) {
    const kind = kindOf(request)
    const body: Record<string, unknown> = {
      ...request.metadata,
      model_name: request.model,
      prompt: request.prompt,
      mode: request.mode ?? 'std',
      duration: String(request.seconds ?? 5),
    }
    if (request.image) body.image = klingImage(request.image)
    else body.aspect_ratio = klingAspectRatio(request.size ?? '1280x720')
    return { url: `${channel.baseUrl}/v1/videos/${kind}`, method: 'POST', headers: klingHeaders(channel), body: JSON.stringify(body) }
  },
  readSubmitReply(reply: UpstreamReply, request) {
    const body = reply.json
    if (!isKlingEnvelope(body)) return undefined
    const data = isRecord(body.data) ? body.data : undefined
    if (reply.status < 300 && body.code === 0 && typeof data?.task_id === 'string')
      return { accepted: true, upstreamTaskId: `${kindOf(request)}/${data.task_id}` }
    const message = typeof body.message === 'string' && body.message !== '' ? body.message : `Kling refused the task (code ${body.code})`
    // 1200-1299 are bad parameters (the client's to fix); auth, balance, rate and server codes may work on another channel.
    if (Number(body.code) >= 1200 && Number(body.code) < 1300)
      return { accepted: false, retryable: false, error: new GatewayError(400, 'invalid_request', message) }
    return { accepted: false, retryable: true, error: new GatewayError(502, 'upstream_error', message) }
  },
  buildFetch: (channel, upstreamTaskId) => ({ url: `${channel.baseUrl}/v1/videos/${upstreamTaskId}`, method: 'GET', headers: klingHeaders(channel) }),
  readFetchReply(reply, upstreamTaskId): UpstreamTaskState | undefined {
    const body = reply.json
    if (!isKlingEnvelope(body)) return undefined
    if (body.code !== 0 || !isRecord(body.data)) throw new Error(`Kling answered code ${String(body.code)}: ${String(body.message ?? '')}`)
    const data = body.data
    const { status, progress } = mapKlingStatus(data.task_status)
    const state: UpstreamTaskState = { upstreamTaskId, status, progress }
    if (status === 'FAILURE')
      state.failReason = typeof data.task_status_msg === 'string' && data.task_status_msg !== '' ? data.task_status_msg : 'Kling reported the task failed'
    const videos = isRecord(data.task_result) && Array.isArray(data.task_result.videos) ? data.task_result.videos.filter(isRecord) : []
    if (status === 'SUCCESS') {
      const files = videos.flatMap((video) => (typeof video.url === 'string' ? [{ kind: 'video' as const, url: video.url }] : []))
      if (files.length === 0) return { upstreamTaskId, status: 'FAILURE', progress: 100, failReason: 'Kling reported success without a video' }
      state.result = { files, extra: { seconds: String(videos[0]?.duration ?? '') } }
    }
    return state
  },
  buildContent: () => undefined,
}
