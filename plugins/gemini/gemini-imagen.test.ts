import { describe, expect, test } from 'bun:test'
import { GatewayError } from '@hanggent/plugin-sdk'
import { aspectRatioOf, imagenConversion } from './gemini-imagen.ts'
import { buildImagenRequest } from './gemini-transport.ts'

// see https://ai.google.dev/gemini-api/docs/imagen — :predict request and predictions answer.

const env = { now: () => 1_750_000_000_123, newId: (prefix: string) => `${prefix}1` }

describe('Imagen conversion', () => {
  test('OpenAI sizes map to the nearest Imagen aspect ratio; auto and others to none', () => {
    expect(aspectRatioOf('1024x1024')).toBe('1:1')
    expect(aspectRatioOf('1792x1024')).toBe('16:9')
    expect(aspectRatioOf('1024x1536')).toBe('3:4')
    expect(aspectRatioOf('auto')).toBeUndefined()
    expect(aspectRatioOf(undefined)).toBeUndefined()
  })

  test('the request: prompt as the instance, n as sampleCount; what Imagen lacks is a warning', () => {
    const encoded = imagenConversion.encodeRequest(
      { model: 'imagen-4.0-generate-001', prompt: 'a fox', n: 3, size: '1024x1792', quality: 'hd' },
      'imagen-4.0-generate-001',
    )
    expect(encoded.value).toEqual({ instances: [{ prompt: 'a fox' }], parameters: { sampleCount: 3, aspectRatio: '9:16' } })
    expect(encoded.warnings).toEqual(["size 1024x1792 is made at Imagen's nearest aspect ratio, 9:16", 'quality is not carried over to Imagen'])
    expect(() => imagenConversion.encodeRequest({ prompt: 'x', n: 5 }, 'imagen-4.0-generate-001')).toThrow(GatewayError)
  })

  test("the answer: predictions as OpenAI's image object, b64_json or a data: URL", () => {
    const text = JSON.stringify({ predictions: [{ bytesBase64Encoded: 'QUJD', mimeType: 'image/jpeg' }, { raiFilteredReason: 'filtered' }] })
    expect(imagenConversion.decodeAnswer(text, { prompt: 'x' }, env)).toEqual({ created: 1_750_000_000, data: [{ b64_json: 'QUJD' }] })
    expect(imagenConversion.decodeAnswer(text, { prompt: 'x', response_format: 'url' }, env)).toEqual({
      created: 1_750_000_000,
      data: [{ url: 'data:image/jpeg;base64,QUJD' }],
    })
    expect(() => imagenConversion.decodeAnswer('{"nope":1}', {}, env)).toThrow('without predictions')
  })

  test('the transport: :predict under the channel’s API version with the key header', () => {
    const request = buildImagenRequest({
      channel: {
        id: 1,
        type: 'gemini',
        baseUrl: 'https://generativelanguage.googleapis.com',
        key: 'g-key',
        settings: {},
        config: { azureDefaultApiVersion: 'x' },
      },
      dialect: 'gemini.imagen',
      endpoint: 'image',
      model: 'imagen-4.0-fast-generate-001',
      stream: false,
      body: { instances: [{ prompt: 'x' }] },
    })
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/imagen-4.0-fast-generate-001:predict')
    expect(request.headers['x-goog-api-key']).toBe('g-key')
  })
})
