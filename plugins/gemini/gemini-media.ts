import type { HubPart } from '@hanggent/plugin-sdk'
import type { GeminiPart } from '../../schemas/gemini-generate.ts'

// see https://ai.google.dev/gemini-api/docs/image-understanding (inlineData / fileData, supported MIME types)
// see https://ai.google.dev/gemini-api/docs/audio (audio/wav, audio/mp3, audio/aiff, audio/aac, audio/ogg, audio/flac)
// Gemini names every medium by MIME type; the hub splits images, audio and other files. Images are
// `image/*`, audio is `audio/*` (the hub keeps the short format, e.g. `mp3`), anything else is a file.

type MediaPart = Extract<HubPart, { type: 'image' | 'audio' | 'file' }>

const audioFormatByMime: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav' }

/** The hub's short audio format for an audio MIME type (`audio/mpeg` → `mp3`). */
export function audioFormat(mimeType: string): string {
  return audioFormatByMime[mimeType] ?? mimeType.slice('audio/'.length)
}

/** The MIME type Gemini expects for a hub audio format (`mp3` → `audio/mp3`). */
export function audioMimeType(format: string): string {
  return format.includes('/') ? format : `audio/${format || 'wav'}`
}

const imageSignatures: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
]
const imageExtensions: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
}

/** The image type of base64 data from its first bytes; JPEG when unknown (Gemini requires a type). */
export function sniffImageType(base64: string): string {
  return imageSignatures.find(([prefix]) => base64.startsWith(prefix))?.[1] ?? 'image/jpeg'
}

/** An image type guessed from a URL's file extension, or undefined. */
export function imageTypeOfUrl(url: string): string | undefined {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase()
  return extension ? imageExtensions[extension] : undefined
}

/** Splits a `data:<type>;base64,<data>` URL; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(url)
  return match ? { mediaType: match[1] ?? 'application/octet-stream', data: match[2] ?? '' } : undefined
}

/** The hub part for an `inlineData` or `fileData` part, or undefined when the part has neither. */
export function decodeMediaPart(part: GeminiPart): MediaPart | undefined {
  if (part.inlineData) {
    const { mimeType, data } = part.inlineData
    if (mimeType.startsWith('image/')) return { type: 'image', data, mediaType: mimeType }
    if (mimeType.startsWith('audio/')) return { type: 'audio', data, format: audioFormat(mimeType) }
    return { type: 'file', data, mediaType: mimeType }
  }
  if (part.fileData) {
    const { mimeType, fileUri } = part.fileData
    if (mimeType?.startsWith('image/')) return { type: 'image', url: fileUri, mediaType: mimeType }
    return mimeType ? { type: 'file', url: fileUri, mediaType: mimeType } : { type: 'file', url: fileUri }
  }
  return undefined
}

/**
 * The Gemini part for a hub image, audio or file part. Data goes inline; a URL goes as `fileData`
 * (Gemini fetches Files API, Cloud Storage and YouTube URIs itself; the gateway does no I/O here), except
 * data URLs, which are inlined.
 */
export function encodeMediaPart(part: MediaPart, warn: (message: string) => void): GeminiPart | undefined {
  if (part.type === 'audio') return { inlineData: { mimeType: audioMimeType(part.format), data: part.data } }
  const inline = part.data !== undefined ? { mediaType: part.mediaType, data: part.data } : part.url !== undefined ? parseDataUrl(part.url) : undefined
  if (part.type === 'image') {
    if (part.detail === 'low' || part.detail === 'high') warn(`image detail "${part.detail}" has no Gemini equivalent and was dropped`)
    if (inline) return { inlineData: { mimeType: inline.mediaType ?? sniffImageType(inline.data), data: inline.data } }
    if (part.url !== undefined) return { fileData: { mimeType: part.mediaType ?? imageTypeOfUrl(part.url) ?? 'image/jpeg', fileUri: part.url } }
    warn('an image part without data or URL was dropped')
    return undefined
  }
  if (inline) return { inlineData: { mimeType: inline.mediaType ?? 'application/octet-stream', data: inline.data } }
  if (part.url !== undefined) return { fileData: part.mediaType ? { mimeType: part.mediaType, fileUri: part.url } : { fileUri: part.url } }
  warn('a file part without data or URL was dropped')
  return undefined
}
