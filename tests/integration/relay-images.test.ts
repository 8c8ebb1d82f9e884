import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeImagen, type FakeImagen } from '../support/fake-imagen.ts'
import { FAKE_GPT_IMAGE_TOKENS, FAKE_PNG_BASE64, startFakeOpenAIImages, type FakeOpenAIImages } from '../support/fake-openai-images.ts'

// Images through the gateway with the official openai SDK (issue 12 item 2): generations (url and b64_json), edits with
// uploaded files and a mask, variations, through an OpenAI and an Azure channel, against a fake that records the JSON
// and the multipart form it received. Billing is checked to the unit: dall-e per image by size and quality, gpt-image-1
// by its text, image-input and image-output tokens; bad input is a 400/413 in OpenAI's error shape that charges nothing.

const png = (seed: number) => {
  const bytes = Buffer.from(FAKE_PNG_BASE64, 'base64')
  return new Uint8Array([...bytes, seed, seed + 1, seed + 2])
}
const MASK = png(200)

describe('images', () => {
  let gateway: TestGateway
  let fake: FakeOpenAIImages
  let openai: OpenAI
  /** A client whose key's group is served by the Azure channel. */
  let azure: OpenAI
  let userId: number
  let azureUserId: number
  let imagen: FakeImagen
  /** A client whose key's group is served by the Gemini channel. */
  let gemini: OpenAI
  let geminiUserId: number

  beforeAll(async () => {
    fake = await startFakeOpenAIImages({ azureKey: 'azure-key', azureDeployments: { 'dalle3-deploy': 'dall-e-3', 'gpt-image-1': 'gpt-image-1' } })
    gateway = await startGateway({}, { maxRequestBodyMb: 2 })
    await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['dall-e-2', 'dall-e-3', 'gpt-image-1'] })
    await gateway.createChannel({
      name: 'azure',
      type: 'azure',
      key: 'azure-key',
      baseUrl: fake.url,
      models: ['dall-e-3', 'gpt-image-1'],
      groups: ['azure'],
      settings: { apiVersion: '2025-04-01-preview', deployments: { 'dall-e-3': 'dalle3-deploy' } },
    })
    imagen = await startFakeImagen('gemini-key')
    await gateway.createChannel({
      name: 'gemini',
      type: 'gemini',
      key: 'gemini-key',
      baseUrl: imagen.url,
      models: ['imagen-4.0-generate-001'],
      groups: ['gemini'],
    })
    geminiUserId = await gateway.createUser({ username: 'gemini-painter', quota: 50_000_000, group: 'gemini' })
    gemini = new OpenAI({ apiKey: (await gateway.createToken({ userId: geminiUserId, unlimited: true })).key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    userId = await gateway.createUser({ username: 'painter', quota: 50_000_000 })
    azureUserId = await gateway.createUser({ username: 'azure-painter', quota: 50_000_000, group: 'azure' })
    const key = await gateway.createToken({ userId, unlimited: true })
    const azureKey = await gateway.createToken({ userId: azureUserId, unlimited: true })
    openai = new OpenAI({ apiKey: key.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
    azure = new OpenAI({ apiKey: azureKey.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 })
  }, 120_000)
  afterAll(async () => {
    await gateway?.stop()
    await fake?.stop()
    await imagen?.stop()
  })

  /** Runs a call and answers how many units it cost the user. */
  async function charged<T>(user: number, call: () => Promise<T>): Promise<{ result: T; units: number }> {
    const before = await gateway.balance(user)
    const result = await call()
    await gateway.logs()
    const after = await gateway.balance(user)
    return { result, units: before.quota - after.quota }
  }

  test('generate with a url answer: dall-e-3 hd 1792x1024 is $0.12 = 60,000 units, the fake got the JSON as sent', async () => {
    fake.reset()
    const { result, units } = await charged(userId, () =>
      openai.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse at dusk', size: '1792x1024', quality: 'hd', response_format: 'url' }),
    )
    expect(result.data?.[0]?.url).toBe('https://images.fake.example/img-0.png')
    expect(result.data?.[0]?.revised_prompt).toBe('A vivid rendering of: a lighthouse at dusk')
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/images/generations',
      auth: 'Bearer sk-up',
      fields: { model: 'dall-e-3', prompt: 'a lighthouse at dusk', size: '1792x1024', quality: 'hd', response_format: 'url' },
    })
    expect(units).toBe(60_000)
    const log = (await gateway.logs({ type: 'consume' })).find((row) => row.model === 'dall-e-3')
    expect(log?.details).toMatchObject({ quantities: { images1792x1024Hd: 1 } })
  })

  test('generate b64_json: dall-e-2 2 × 256x256 at $0.016 = 16,000 units; an upstream returning fewer images is billed for those only', async () => {
    fake.reset()
    const { result, units } = await charged(userId, () =>
      openai.images.generate({ model: 'dall-e-2', prompt: 'two cats', n: 2, size: '256x256', response_format: 'b64_json' }),
    )
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64])
    expect(units).toBe(16_000)
    fake.returnImages = 1
    const fewer = await charged(userId, () => openai.images.generate({ model: 'dall-e-2', prompt: 'three cats', n: 3, size: '512x512' }))
    expect(fewer.result.data).toHaveLength(1)
    expect(fewer.units).toBe(9_000)
  })

  test('gpt-image-1 is billed by tokens: 14 text × $5/M + 1,056 output × $40/M = 21,155 units', async () => {
    fake.reset()
    const { result, units } = await charged(userId, () => openai.images.generate({ model: 'gpt-image-1', prompt: 'a red bicycle', quality: 'medium' }))
    expect(result.usage).toMatchObject({ input_tokens: FAKE_GPT_IMAGE_TOKENS.text, output_tokens: FAKE_GPT_IMAGE_TOKENS.perOutputImage })
    expect(units).toBe(21_155)
  })

  test('edit with two uploaded images and a mask (gpt-image-1): the fake received the exact bytes; image tokens at $10/M', async () => {
    fake.reset()
    const first = png(1)
    const second = png(2)
    const { result, units } = await charged(userId, () =>
      openai.images.edit({
        model: 'gpt-image-1',
        prompt: 'put them side by side',
        image: [new File([first], 'one.png', { type: 'image/png' }), new File([second], 'two.png', { type: 'image/png' })],
        mask: new File([MASK], 'mask.png', { type: 'image/png' }),
      }),
    )
    expect(result.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64)
    const received = fake.requests[0]!
    expect(received.path).toBe('/v1/images/edits')
    expect(received.fields).toMatchObject({ model: 'gpt-image-1', prompt: 'put them side by side' })
    const images = [...(received.files.image ?? []), ...(received.files['image[]'] ?? [])]
    expect(images.map((file) => [file.name, Buffer.from(file.bytes).toString('hex')])).toEqual([
      ['one.png', Buffer.from(first).toString('hex')],
      ['two.png', Buffer.from(second).toString('hex')],
    ])
    expect(Buffer.from(received.files.mask![0]!.bytes).equals(Buffer.from(MASK))).toBe(true)
    // 14 × 5 + 646 × 10 + 1,056 × 40 = 48,770 micro-USD = 24,385 units
    expect(units).toBe(24_385)
  })

  test('edit with dall-e-2 and a mask, and a variation: per image by size', async () => {
    fake.reset()
    const image = png(7)
    const edit = await charged(userId, () =>
      openai.images.edit({
        model: 'dall-e-2',
        prompt: 'add a hat',
        image: new File([image], 'cat.png', { type: 'image/png' }),
        mask: new File([MASK], 'm.png', { type: 'image/png' }),
      }),
    )
    expect(edit.result.data?.[0]?.url).toBeString()
    expect(Buffer.from(fake.requests[0]!.files.image![0]!.bytes).equals(Buffer.from(image))).toBe(true)
    expect(fake.requests[0]!.files.mask![0]!.name).toBe('m.png')
    expect(edit.units).toBe(10_000)
    const variation = await charged(userId, () =>
      openai.images.createVariation({ model: 'dall-e-2', image: new File([image], 'cat.png', { type: 'image/png' }), n: 2, size: '512x512' }),
    )
    expect(variation.result.data).toHaveLength(2)
    expect(fake.requests[1]).toMatchObject({ path: '/v1/images/variations', fields: { model: 'dall-e-2', n: '2', size: '512x512' } })
    expect(Buffer.from(fake.requests[1]!.files.image![0]!.bytes).equals(Buffer.from(image))).toBe(true)
    expect(variation.units).toBe(18_000)
  })

  test('through an Azure channel: deployment URLs, api-version and api-key; generate and edit', async () => {
    fake.reset()
    const generated = await charged(azureUserId, () =>
      azure.images.generate({ model: 'dall-e-3', prompt: 'a harbour', size: '1024x1024', quality: 'standard' }),
    )
    expect(generated.result.data?.[0]?.url).toBeString()
    expect(fake.requests[0]).toMatchObject({
      path: '/openai/deployments/dalle3-deploy/images/generations',
      apiVersion: '2025-04-01-preview',
      auth: 'azure-key',
    })
    expect(generated.units).toBe(20_000)
    const image = png(9)
    const edited = await charged(azureUserId, () =>
      azure.images.edit({ model: 'gpt-image-1', prompt: 'paint it blue', image: new File([image], 'boat.png', { type: 'image/png' }) }),
    )
    expect(edited.result.data?.[0]?.b64_json).toBe(FAKE_PNG_BASE64)
    expect(fake.requests[1]).toMatchObject({ path: '/openai/deployments/gpt-image-1/images/edits', auth: 'azure-key' })
    expect(Buffer.from(fake.requests[1]!.files.image![0]!.bytes).equals(Buffer.from(image))).toBe(true)
    // 14 × 5 + 323 × 10 + 1,056 × 40 = 45,540 micro-USD = 22,770 units
    expect(edited.units).toBe(22_770)
  })

  test('a Gemini channel serves OpenAI image generations with Imagen (:predict), converted both ways; $0.04 an image', async () => {
    const { result, units } = await charged(geminiUserId, () =>
      gemini.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'a fox in snow', n: 2, size: '1792x1024', response_format: 'b64_json' }),
    )
    expect(imagen.requests.at(-1)).toEqual({
      path: '/v1beta/models/imagen-4.0-generate-001:predict',
      apiKey: 'gemini-key',
      body: { instances: [{ prompt: 'a fox in snow' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } },
    })
    expect(result.data?.map((image) => image.b64_json)).toEqual([FAKE_PNG_BASE64, FAKE_PNG_BASE64])
    expect(result.created).toBeNumber()
    expect(units).toBe(40_000)
    // Imagen hosts no files: a url answer is a data: URL of the same bytes.
    const asUrl = await gemini.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'a fox', response_format: 'url' })
    expect(asUrl.data?.[0]?.url).toBe(`data:image/png;base64,${FAKE_PNG_BASE64}`)
    // Edits are multipart and never converted: a clear 501, nothing charged.
    const before = await gateway.balance(geminiUserId)
    const refused = await gemini.images.edit({ model: 'imagen-4.0-generate-001', prompt: 'x', image: new File([png(5)], 'a.png', { type: 'image/png' }) }).then(
      () => 0,
      (error: { status?: number }) => error.status,
    )
    expect(refused).toBe(501)
    await gateway.logs()
    expect((await gateway.balance(geminiUserId)).quota).toBe(before.quota)
  })

  test('image models serve image routes only, and chat models are refused on them; nothing charged', async () => {
    fake.reset()
    const before = await gateway.balance(userId)
    const chat = await openai.chat.completions.create({ model: 'dall-e-3', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => undefined,
      (error: { status?: number; code?: string }) => [error.status, error.code],
    )
    expect(chat).toEqual([404, 'model_not_supported'])
    const image = await openai.images.generate({ model: 'gpt-4o', prompt: 'x' }).then(
      () => undefined,
      (error: { status?: number; code?: string }) => [error.status, error.code],
    )
    expect(image).toEqual([404, 'model_not_supported'])
    expect(fake.requests).toHaveLength(0)
    expect((await gateway.balance(userId)).quota).toBe(before.quota)
  })

  describe("bad input: a 4xx in OpenAI's error shape, nothing charged, nothing sent upstream", () => {
    let key: string

    beforeAll(async () => {
      key = (await gateway.createToken({ userId, unlimited: true })).key
    })

    /** Posts a form to an image route and answers the status and error. */
    async function post(path: string, body: FormData | string): Promise<{ status: number; error: Record<string, unknown> }> {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` }
      if (typeof body === 'string') headers['content-type'] = 'application/json'
      const response = await fetch(`${gateway.url}/v1/images/${path}`, { method: 'POST', headers, body })
      return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error }
    }

    const form = (entries: Array<[string, string | File]>) => {
      const data = new FormData()
      for (const [name, value] of entries) data.append(name, value)
      return data
    }
    const image = () => new File([png(3)], 'a.png', { type: 'image/png' })

    const cases: Array<[string, string, () => FormData | string, number, string | null]> = [
      [
        'a file under a wrong field name',
        'edits',
        () =>
          form([
            ['prompt', 'x'],
            ['model', 'gpt-image-1'],
            ['picture', image()],
          ]),
        400,
        'picture',
      ],
      [
        'a text field with a wrong name',
        'variations',
        () =>
          form([
            ['image', image()],
            ['model', 'dall-e-2'],
            ['colour', 'red'],
          ]),
        400,
        'colour',
      ],
      [
        'a text file posted as the image',
        'edits',
        () =>
          form([
            ['prompt', 'x'],
            ['image', new File(['hello, not an image'], 'a.png', { type: 'image/png' })],
          ]),
        400,
        'image',
      ],
      ['a 0-byte image', 'variations', () => form([['image', new File([], 'empty.png', { type: 'image/png' })]]), 400, 'image'],
      ['no image at all', 'edits', () => form([['prompt', 'x']]), 400, 'image'],
      ['n = 2 on dall-e-3', 'generations', () => JSON.stringify({ model: 'dall-e-3', prompt: 'x', n: 2 }), 400, 'n'],
      ['n = 11', 'generations', () => JSON.stringify({ model: 'dall-e-2', prompt: 'x', n: 11 }), 400, 'n'],
      ['an unknown size', 'generations', () => JSON.stringify({ model: 'dall-e-2', prompt: 'x', size: '999x999' }), 400, 'size'],
      ['a quality the model lacks', 'generations', () => JSON.stringify({ model: 'dall-e-3', prompt: 'x', quality: 'ultra' }), 400, 'quality'],
      [
        'variations with dall-e-3',
        'variations',
        () =>
          form([
            ['image', image()],
            ['model', 'dall-e-3'],
          ]),
        400,
        'model',
      ],
      [
        'output_compression above 100 in an edits form (digits converted once, range checked)',
        'edits',
        () =>
          form([
            ['prompt', 'x'],
            ['model', 'gpt-image-1'],
            ['output_compression', '150'],
            ['image', image()],
          ]),
        400,
        'output_compression',
      ],
      ['a JSON body on the edits route', 'edits', () => JSON.stringify({ prompt: 'x' }), 400, null],
      [
        'a body over MAX_REQUEST_BODY_MB',
        'edits',
        () =>
          form([
            ['prompt', 'x'],
            ['image', new File([png(4), new Uint8Array(3 * 1024 * 1024)], 'big.png')],
          ]),
        413,
        null,
      ],
    ]

    for (const [name, path, body, status, param] of cases) {
      test(name, async () => {
        fake.reset()
        const before = await gateway.balance(userId)
        const answer = await post(path, body())
        expect(answer.status).toBe(status)
        expect(answer.error.type).toBe('invalid_request_error')
        expect(answer.error.message).toBeString()
        if (param !== null) expect(answer.error.param).toBe(param)
        expect(fake.requests).toHaveLength(0)
        expect((await gateway.balance(userId)).quota).toBe(before.quota)
      })
    }
  })

  test('RSS stays steady over 200 oversized uploads, each refused by its Content-Length before it is read', async () => {
    const key = (await gateway.createToken({ userId, unlimited: true })).key
    const oversized = new Uint8Array(3 * 1024 * 1024)
    const send = async () => {
      const response = await fetch(`${gateway.url}/v1/images/edits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(oversized.byteLength) },
        body: oversized,
      })
      await response.arrayBuffer()
      return response.status
    }
    for (let index = 0; index < 10; index++) expect(await send()).toBe(413)
    Bun.gc(true)
    const before = process.memoryUsage.rss()
    for (let index = 0; index < 200; index++) expect(await send()).toBe(413)
    Bun.gc(true)
    const grown = process.memoryUsage.rss() - before
    console.log(`RSS after 200 oversized (3 MB) uploads: ${(grown / 1024 / 1024).toFixed(1)} MB grown`)
    // 200 uploads held in memory would be 600 MB; refused early, RSS moves by allocator noise only.
    expect(grown).toBeLessThan(64 * 1024 * 1024)
  })
})
