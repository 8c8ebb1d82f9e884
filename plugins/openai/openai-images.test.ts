import { describe, expect, test } from 'bun:test'
import { GatewayError, type ChannelContext } from '@hanggent/plugin-sdk'
import { checkImageRequest, imageTierOf } from './openai-image-models.ts'
import { estimateImagePrompt, imageOutputCeiling, readOpenAIImageUsage } from './openai-images-usage.ts'
import { openAIImagePricing } from './image-pricing.ts'
import { buildOpenAIRequest } from './openai-transport.ts'
import { buildAzureRequest } from '../azure/azure-transport.ts'

// see https://platform.openai.com/docs/api-reference/images — per-model limits, the image object and gpt-image-1's usage.

const refusal = (run: () => void): { param?: string; message: string } => {
  try {
    run()
  } catch (error) {
    if (error instanceof GatewayError) return { param: error.param, message: error.message }
  }
  throw new Error('expected a GatewayError')
}

describe('per-model checks', () => {
  test('dall-e-3 makes one image, in its three sizes and two qualities, and only generates', () => {
    expect(() => checkImageRequest('generations', { model: 'dall-e-3', prompt: 'x', size: '1792x1024', quality: 'hd' })).not.toThrow()
    expect(refusal(() => checkImageRequest('generations', { model: 'dall-e-3', prompt: 'x', n: 2 })).param).toBe('n')
    expect(refusal(() => checkImageRequest('generations', { model: 'dall-e-3', prompt: 'x', size: '512x512' })).param).toBe('size')
    expect(refusal(() => checkImageRequest('generations', { model: 'dall-e-3', prompt: 'x', quality: 'high' })).param).toBe('quality')
    expect(refusal(() => checkImageRequest('edits', { model: 'dall-e-3', prompt: 'x' })).param).toBe('model')
  })

  test('multipart `n` arrives as digits and is checked as a number; unknown models get the loose rules', () => {
    expect(refusal(() => checkImageRequest('variations', { model: 'dall-e-2', n: '11' })).message).toContain('from 1 to 10')
    expect(() => checkImageRequest('edits', { model: 'vendor-image-model', prompt: 'x', n: '4', size: '640x480' })).not.toThrow()
    expect(refusal(() => checkImageRequest('generations', { model: 'vendor-image-model', prompt: 'x', size: 'huge' })).param).toBe('size')
  })

  test('the tier defaults to the model’s own size and quality (model absent: dall-e-2)', () => {
    expect(imageTierOf({ prompt: 'x' })).toEqual({ size: '1024x1024', quality: 'standard' })
    expect(imageTierOf({ model: 'dall-e-3', prompt: 'x', quality: 'hd' })).toEqual({ size: '1024x1024', quality: 'hd' })
  })
})

describe('usage and reservation', () => {
  test('images returned are counted at the requested tier', () => {
    const usage = readOpenAIImageUsage({ model: 'dall-e-3', size: '1024x1792', quality: 'hd' }, { created: 1, data: [{ url: 'u' }] })
    expect(usage?.quantities).toEqual({ images: 1, images1024x1792Hd: 1 })
    expect(usage?.inputTokens).toBe(0)
  })

  test("gpt-image-1's usage: text tokens as input, image tokens as their own quantity, output tokens", () => {
    const answer = {
      created: 1,
      data: [{ b64_json: 'AA==' }, { b64_json: 'AA==' }],
      usage: { input_tokens: 50, output_tokens: 2112, total_tokens: 2162, input_tokens_details: { text_tokens: 10, image_tokens: 40 } },
    }
    const usage = readOpenAIImageUsage({ model: 'gpt-image-1', prompt: 'x', n: 2 }, answer)
    expect(usage).toMatchObject({ inputTokens: 10, outputTokens: 2112, quantities: { imageInputTokens: 40, images: 2, imagesAutoAuto: 2 } })
  })

  test('the reservation: n images at the tier, and n of the largest image’s output tokens for gpt-image-1', () => {
    expect(estimateImagePrompt({ model: 'dall-e-2', prompt: 'cats', n: '3', size: '256x256' })).toEqual({
      texts: ['cats'],
      fixedTokens: 0,
      quantities: { images: 3, images256x256Standard: 3 },
    })
    expect(imageOutputCeiling({ model: 'gpt-image-1', n: 2 })).toBe(12_480)
    expect(imageOutputCeiling({ model: 'dall-e-3' })).toBe(0)
  })

  test('every dall-e tier has a price; gpt-image-1 prices its image input tokens', () => {
    expect(openAIImagePricing['dall-e-3']?.perUnit?.images1792x1024Hd).toBe(0.12)
    expect(openAIImagePricing['dall-e-2']?.perUnit?.images256x256Standard).toBe(0.016)
    expect(openAIImagePricing['gpt-image-1*']?.perUnit?.imageInputTokens).toBe(0.00001)
  })
})

describe('transports', () => {
  const channel = (type: string, baseUrl: string, settings: Record<string, unknown> = {}): ChannelContext => ({
    id: 1,
    type,
    baseUrl,
    key: 'k',
    settings,
    config: { azureDefaultApiVersion: '2025-04-01-preview' },
  })
  const call = (dialect: string, context: ChannelContext) => ({
    channel: context,
    dialect,
    endpoint: 'image' as const,
    model: 'dall-e-3',
    stream: false,
    body: { prompt: 'x' },
  })

  test('OpenAI: one path per image dialect under /v1', () => {
    const openai = channel('openai', 'https://api.openai.com')
    expect(buildOpenAIRequest(call('openai.images.generations', openai)).url).toBe('https://api.openai.com/v1/images/generations')
    expect(buildOpenAIRequest(call('openai.images.edits', openai)).url).toBe('https://api.openai.com/v1/images/edits')
    expect(buildOpenAIRequest(call('openai.images.variations', openai)).url).toBe('https://api.openai.com/v1/images/variations')
  })

  test('Azure: the deployment image routes with api-version and api-key', () => {
    const request = buildAzureRequest(
      call('openai.images.generations', channel('azure', 'https://res.openai.azure.com', { deployments: { 'dall-e-3': 'paint' } })),
      '2024-10-21',
    )
    expect(request.url).toBe('https://res.openai.azure.com/openai/deployments/paint/images/generations?api-version=2024-10-21')
    expect(request.headers['api-key']).toBe('k')
  })
})
