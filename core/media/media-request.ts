import type { ClientDialect, FormFile, FormFileRule, MediaMeasure, MediaSpec, PromptEstimateInput } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { parseJsonObject } from '../relay/read-body.ts'
import { checkAudioLength, readAudioSeconds, roundSeconds } from './audio-duration.ts'
import { multipartBoundary, parseMultipartForm } from './multipart-form.ts'
import { checkFileContent, ruleOfField } from './image-file.ts'

// The request side of a media dialect (ClientDialect.media): a multipart form is parsed once, its files are
// checked against the dialect's rules and audio is measured from its own bytes, all before the call is
// priced or routed, so a refused upload costs nothing and never reaches an upstream.

/** A media request once read: the codec's body (a form's text fields), its files, and what was measured. */
export interface MediaRequest {
  body: Record<string, unknown>
  files: FormFile[]
  measured: MediaMeasure
}

/** Reads a media dialect's body: JSON as other dialects, or a multipart form checked against the dialect's file rules. */
export async function readMediaRequest(media: MediaSpec, bytes: Uint8Array, contentType: string | null, maxAudioSeconds: number): Promise<MediaRequest> {
  if (media.request === 'json') return { body: parseJsonObject(bytes), files: [], measured: {} }
  if (bytes.byteLength === 0) throw new GatewayError(400, 'invalid_request', 'Request body is empty; expected a multipart/form-data form')
  const form = parseMultipartForm(bytes, multipartBoundary(contentType))
  const rules = media.files ?? []
  checkFiles(form.files, rules)
  let audioSeconds: number | undefined
  for (const file of form.files) {
    const rule = rules.find((candidate) => candidate.field === file.field)
    if (rule?.kind !== 'audio') continue
    audioSeconds = (audioSeconds ?? 0) + (await readAudioSeconds(file.bytes, file.field, file.contentType))
    checkAudioLength(audioSeconds, maxAudioSeconds, file.field)
  }
  return { body: form.fields, files: form.files, measured: audioSeconds === undefined ? {} : { audioSeconds: roundSeconds(audioSeconds) } }
}

/** Every file in a declared field, within its count, non-empty; every required field present. */
export function checkFiles(files: readonly FormFile[], rules: readonly FormFileRule[]): void {
  const accepted = rules.flatMap((rule) => [rule.field, ...(rule.aliases ?? [])])
  for (const file of files) {
    const rule = ruleOfField(rules, file.field)
    if (!rule)
      throw new GatewayError(
        400,
        'invalid_request',
        `Unexpected file field \`${file.field}\`; this endpoint takes ${accepted.map((name) => `\`${name}\``).join(', ') || 'no files'}`,
        {
          param: file.field,
        },
      )
    if (file.bytes.byteLength === 0) throw new GatewayError(400, 'invalid_request', `The \`${file.field}\` file is empty`, { param: file.field })
    checkFileContent(file, rule)
  }
  for (const rule of rules) {
    const count = files.filter((file) => ruleOfField([rule], file.field)).length
    if (rule.required && count === 0)
      throw new GatewayError(400, 'missing_required_parameter', `Missing required parameter: '${rule.field}' (a file part of the multipart form)`, {
        param: rule.field,
      })
    if (count > (rule.maxCount ?? 1))
      throw new GatewayError(400, 'invalid_request', `Too many files in \`${rule.field}\`: ${count}, at most ${rule.maxCount ?? 1}`, { param: rule.field })
  }
}

/** True for a codec whose requests or answers are media (ClientDialect.media). */
export function isMediaCodec(codec: ClientDialect): codec is ClientDialect & { media: MediaSpec } {
  return codec.media !== undefined
}

/**
 * The prompt estimate of a media call with what was measured added to its quantities (audio seconds as
 * `seconds`), so the reservation covers a per-second price before the call.
 */
export function withMeasuredQuantities(prompt: PromptEstimateInput, media: MediaRequest | undefined): PromptEstimateInput {
  const seconds = media?.measured.audioSeconds
  if (seconds === undefined) return prompt
  return { ...prompt, quantities: { ...prompt.quantities, seconds } }
}
