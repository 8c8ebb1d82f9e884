import { describe, expect, test } from 'bun:test'
import type { FormFile, FormFileRule } from '@hanggent/plugin-sdk'
import { GatewayError } from '../errors.ts'
import { checkFileContent, ruleOfField, sniffImageFormat } from './image-file.ts'

const file = (bytes: number[] | Uint8Array, field = 'image'): FormFile => ({ field, filename: 'f', contentType: 'image/png', bytes: Uint8Array.from(bytes) })
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]
const rule: FormFileRule = { field: 'image', required: true, kind: 'image', maxBytes: 16, aliases: ['image[]'] }

describe('image uploads', () => {
  test('the four formats are recognised from their signatures, nothing else is', () => {
    expect(sniffImageFormat(Uint8Array.from(PNG))).toBe('png')
    expect(sniffImageFormat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg')
    expect(sniffImageFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp')
    expect(sniffImageFormat(new TextEncoder().encode('GIF89a'))).toBe('gif')
    expect(sniffImageFormat(new TextEncoder().encode('hello, this is text'))).toBeUndefined()
    expect(sniffImageFormat(Uint8Array.from([0x89, 0x50]))).toBeUndefined()
  })

  test('a text file named .png and a file over maxBytes are 400s naming the field', () => {
    const refused = (candidate: FormFile) => {
      try {
        checkFileContent(candidate, rule)
      } catch (error) {
        return error instanceof GatewayError ? { status: error.status, param: error.param, message: error.message } : undefined
      }
      return undefined
    }
    expect(refused(file(PNG))).toBeUndefined()
    expect(refused(file(new TextEncoder().encode('not an image')))).toMatchObject({
      status: 400,
      param: 'image',
      message: expect.stringContaining('not an image'),
    })
    expect(refused(file([...PNG, ...new Array(10).fill(0)]))).toMatchObject({ status: 400, param: 'image', message: expect.stringContaining('limit') })
  })

  test('`image[]` falls under the `image` rule', () => {
    expect(ruleOfField([rule], 'image[]')).toBe(rule)
    expect(ruleOfField([rule], 'picture')).toBeUndefined()
  })
})
