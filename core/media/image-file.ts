import type { FormFile, FormFileRule } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'

// Image uploads (FormFileRule.kind 'image') are recognised from their first bytes — the signatures of PNG, JPEG,
// WebP and GIF — never from the file name or the type the client states, so a text file posted as `image` is
// refused before any upstream sees it. see https://www.w3.org/TR/png/#5PNG-file-signature,
// https://developers.google.com/speed/webp/docs/riff_container, JPEG SOI marker FF D8 FF, GIF87a/GIF89a.

/** An image format the gateway recognises. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif'

/** The format a file's first bytes announce, or undefined when they announce none of the four. */
export function sniffImageFormat(head: Uint8Array): ImageFormat | undefined {
  const starts = (bytes: number[], at = 0) => head.byteLength >= at + bytes.length && bytes.every((byte, index) => head[at + index] === byte)
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg'
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp'
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'gif'
  return undefined
}

/** The megabytes of a byte count, for messages. */
const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100

/** Refuses a file over its rule's `maxBytes`, and for `image` rules one whose bytes are not a PNG, JPEG, WebP or GIF; 400s name the field. */
export function checkFileContent(file: FormFile, rule: FormFileRule): void {
  if (rule.maxBytes !== undefined && file.bytes.byteLength > rule.maxBytes)
    throw new GatewayError(
      400,
      'invalid_request',
      `The \`${file.field}\` file is ${megabytes(file.bytes.byteLength)} MB, over this endpoint's ${megabytes(rule.maxBytes)} MB limit`,
      {
        param: file.field,
      },
    )
  if (rule.kind === 'image' && sniffImageFormat(file.bytes.subarray(0, 12)) === undefined)
    throw new GatewayError(400, 'invalid_request', `The \`${file.field}\` file is not an image: send a PNG, JPEG, WebP or GIF file`, { param: file.field })
}

/** The rule a file field falls under: its own name, or one of a rule's aliases (`image[]` → `image`). */
export function ruleOfField(rules: readonly FormFileRule[], field: string): FormFileRule | undefined {
  return rules.find((rule) => rule.field === field || rule.aliases?.includes(field))
}
