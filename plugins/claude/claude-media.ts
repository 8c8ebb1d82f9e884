import type { HubPart } from '@hanggent/plugin-sdk'
import type { ClaudeDocumentBlock, ClaudeImageBlock, ClaudeSource, ClaudeTextBlock } from './claude-api.ts'

// see https://docs.claude.com/en/docs/build-with-claude/vision (image sources: base64 with
// image/jpeg|png|gif|webp, or url) and https://docs.claude.com/en/docs/build-with-claude/pdf-support
// (document sources: base64 or url PDFs, plain text, custom content). `file` sources (Files API)
// name an upload the hub cannot carry. Anything Anthropic cannot take becomes a visible text
// placeholder with a warning, so the model (and the log) know something was left out.

type ImagePart = Extract<HubPart, { type: 'image' }>
type FilePart = Extract<HubPart, { type: 'file' }>

const PDF = 'application/pdf'
const PLAIN_TEXT = 'text/plain'

/** A `data:` URL split into media type and base64 data; undefined for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)?(?:;[^;,]*)*;base64,(.*)$/s.exec(url)
  return match ? { mediaType: match[1] ?? 'application/octet-stream', data: match[2] ?? '' } : undefined
}

const signatures: Array<[string, string]> = [
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
]

/** The image media type recognised from the first bytes of base64 data. */
export function sniffImageMediaType(data: string): string | undefined {
  return signatures.find(([prefix]) => data.startsWith(prefix))?.[1]
}

/** A text block standing in for content Anthropic cannot take. */
export function placeholderBlock(what: string, reason: string): ClaudeTextBlock {
  return { type: 'text', text: `[${what} omitted: ${reason}]` }
}

/** An Anthropic image source as a hub image part; undefined (with a warning) for sources the hub cannot hold. */
export function imageFromClaude(source: ClaudeSource | undefined, path: string, warnings: string[]): ImagePart | undefined {
  if (source?.type === 'base64' && typeof source.data === 'string') return { type: 'image', data: source.data, mediaType: source.media_type }
  if (source?.type === 'url' && typeof source.url === 'string') return { type: 'image', url: source.url }
  warnings.push(`${path}: an image with a "${source?.type ?? 'missing'}" source cannot cross the hub and was dropped`)
  return undefined
}

function contentText(content: unknown, path: string, warnings: string[]): string {
  if (typeof content === 'string') return content
  const blocks = Array.isArray(content) ? (content as Array<{ type?: unknown; text?: unknown }>) : []
  const texts = blocks.filter((block) => block.type === 'text' && typeof block.text === 'string').map((block) => block.text as string)
  if (texts.length < blocks.length) warnings.push(`${path}: only the text of a custom-content document crosses the hub`)
  return texts.join('\n')
}

/** An Anthropic document block as a hub file part; undefined (with a warning) for sources the hub cannot hold. */
export function documentFromClaude(block: ClaudeDocumentBlock, path: string, warnings: string[]): FilePart | undefined {
  const source = block.source as ClaudeSource | undefined
  let part: FilePart | undefined
  if (source?.type === 'base64' && typeof source.data === 'string') part = { type: 'file', data: source.data, mediaType: source.media_type }
  else if (source?.type === 'url' && typeof source.url === 'string') part = { type: 'file', url: source.url, mediaType: PDF }
  else if (source?.type === 'text' && typeof source.data === 'string')
    part = { type: 'file', data: Buffer.from(source.data, 'utf8').toString('base64'), mediaType: PLAIN_TEXT }
  else if (source?.type === 'content')
    part = { type: 'file', data: Buffer.from(contentText(source.content, path, warnings), 'utf8').toString('base64'), mediaType: PLAIN_TEXT }
  if (!part) {
    warnings.push(`${path}: a document with a "${source?.type ?? 'missing'}" source cannot cross the hub and was dropped`)
    return undefined
  }
  if (typeof block.title === 'string') part.name = block.title
  if (block.context || block.citations) warnings.push(`${path}: document context and citations have no hub equivalent and were dropped`)
  return part
}

/** A hub image as an Anthropic image block, or a placeholder when its source cannot be sent. */
export function imageToClaude(part: ImagePart, warnings: string[]): ClaudeImageBlock | ClaudeTextBlock {
  if (part.detail && part.detail !== 'auto') warnings.push(`image detail "${part.detail}" has no Anthropic equivalent and was ignored`)
  const inline = part.data !== undefined ? { data: part.data, mediaType: part.mediaType } : part.url ? parseDataUrl(part.url) : undefined
  if (inline) {
    let mediaType = inline.mediaType ?? sniffImageMediaType(inline.data)
    if (!mediaType) {
      mediaType = 'image/png'
      warnings.push('an inline image without a media type was sent as image/png')
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: inline.data } }
  }
  if (part.url && /^https?:\/\//i.test(part.url)) return { type: 'image', source: { type: 'url', url: part.url } }
  warnings.push(`an image at "${part.url ?? ''}" cannot be sent to Anthropic (it takes inline data or http(s) URLs); a placeholder was sent`)
  return placeholderBlock('image', 'its source cannot be sent to Anthropic')
}

/** A hub file as an Anthropic document (PDF or plain text) or image block, or a placeholder for other types. */
export function fileToClaude(part: FilePart, warnings: string[]): ClaudeDocumentBlock | ClaudeImageBlock | ClaudeTextBlock {
  const inline = part.data !== undefined ? { data: part.data, mediaType: part.mediaType } : part.url ? parseDataUrl(part.url) : undefined
  const mediaType = inline?.mediaType ?? part.mediaType
  if (mediaType?.startsWith('image/')) return imageToClaude({ type: 'image', data: inline?.data, url: inline ? undefined : part.url, mediaType }, warnings)
  let block: ClaudeDocumentBlock | undefined
  if (inline && mediaType === PDF) block = { type: 'document', source: { type: 'base64', media_type: PDF, data: inline.data } }
  else if (inline && mediaType === PLAIN_TEXT)
    block = { type: 'document', source: { type: 'text', media_type: PLAIN_TEXT, data: Buffer.from(inline.data, 'base64').toString('utf8') } }
  else if (!inline && part.url && /^https?:\/\//i.test(part.url) && (mediaType === undefined || mediaType === PDF))
    block = { type: 'document', source: { type: 'url', url: part.url } }
  const name = part.name ?? 'file'
  if (!block) {
    warnings.push(`file "${name}" (${mediaType ?? 'unknown type'}) cannot be sent to Anthropic (it takes PDF, plain text and images); a placeholder was sent`)
    return placeholderBlock(`file "${name}" (${mediaType ?? 'unknown type'})`, 'Anthropic does not accept this file type')
  }
  if (part.name !== undefined) block.title = part.name
  return block
}
