import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI, { toFile } from 'openai'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { FAKE_TRANSCRIPT, fakeSpeechBytes, silentWav, startFakeOpenAIAudio, type FakeOpenAIAudio } from '../support/fake-openai-audio.ts'

// Speech, transcriptions and translations through OpenAI and Azure channels with the official openai SDK:
// speech bytes arrive unchanged and before the upstream has finished; transcripts in every response format;
// billing to the unit per character and per second of audio read from the file; bad input refused for free.

const MP3_FIXTURE = readFileSync(join(import.meta.dir, '../../plugins/openai/__fixtures__/openai-audio-silence-1s.mp3'))

describe('audio relay', () => {
  let gateway: TestGateway
  let fake: FakeOpenAIAudio
  const users: Record<'openai' | 'azure', { id: number; key: string; client: OpenAI }> = {} as never

  beforeAll(async () => {
    fake = startFakeOpenAIAudio()
    gateway = await startGateway({}, { maxRequestBodyMb: 2, maxAudioSeconds: 90 })
    const models = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'whisper-1', 'gpt-4o-transcribe']
    await gateway.createChannel({ name: 'openai-audio', type: 'openai', key: 'sk-upstream', baseUrl: fake.url, models, groups: ['default'] })
    await gateway.createChannel({ name: 'azure-audio', type: 'azure', key: 'azure-key', baseUrl: fake.url, models, groups: ['azure'] })
    for (const group of ['openai', 'azure'] as const) {
      const id = await gateway.createUser({ username: `audio-${group}`, quota: 100_000_000, group: group === 'openai' ? 'default' : 'azure' })
      const token = await gateway.createToken({ userId: id, unlimited: true })
      users[group] = { id, key: token.key, client: new OpenAI({ apiKey: token.key, baseURL: `${gateway.url}/v1`, maxRetries: 0 }) }
    }
  }, 120_000)
  afterAll(async () => {
    await gateway?.stop()
    fake?.stop()
  })

  /** Runs `call` and answers what it cost the user, in units. */
  async function charged(user: 'openai' | 'azure', call: () => Promise<unknown>): Promise<number> {
    const before = await gateway.balance(users[user].id)
    await call()
    await gateway.services.inflight.drain(10_000)
    const after = await gateway.balance(users[user].id)
    return before.quota - after.quota
  }

  const lastRequest = () => fake.requests.at(-1)!

  for (const channel of ['openai', 'azure'] as const) {
    test(`${channel}: speech streams the upstream's exact bytes, the first before the upstream has finished, billed per character`, async () => {
      const input = 'Hello from the gateway! '.repeat(5) // 120 characters
      fake.holdSpeech = true
      fake.speechSize = 64 * 1024
      const finishedBefore = fake.speechFinished
      let first: Uint8Array | undefined
      let rest: Uint8Array[] = []
      const cost = await charged(channel, async () => {
        const response = await users[channel].client.audio.speech.create({ model: 'tts-1', input, voice: 'alloy', response_format: 'mp3' })
        expect(response.headers.get('content-type')).toBe('audio/mpeg')
        const reader = response.body!.getReader()
        first = (await reader.read()).value
        // The upstream still holds its second half: what the client has came through as it arrived.
        expect(fake.speechFinished).toBe(finishedBefore)
        fake.releaseSpeech()
        rest = []
        for (;;) {
          const step = await reader.read()
          if (step.done) break
          rest.push(step.value)
        }
      })
      fake.holdSpeech = false
      expect(first?.byteLength).toBeGreaterThan(0)
      expect(Buffer.concat([first!, ...rest])).toEqual(Buffer.from(fakeSpeechBytes(64 * 1024)))
      expect(lastRequest().json).toEqual({ model: 'tts-1', input, voice: 'alloy', response_format: 'mp3' })
      if (channel === 'azure') {
        expect(lastRequest().path).toBe('/openai/deployments/tts-1/audio/speech')
        expect(lastRequest().query).toStartWith('?api-version=')
      } else expect(lastRequest().path).toBe('/v1/audio/speech')
      // tts-1: $15 per 1M characters → 120 × 15 / 1e6 USD = 900 units.
      expect(cost).toBe(900)
    })

    test(`${channel}: transcriptions in every response format, the multipart form received intact, billed 61.5 s whatever is claimed`, async () => {
      const wav = silentWav(61.5)
      const expected: Record<string, (answer: unknown) => void> = {
        json: (answer) => expect(answer).toMatchObject({ text: FAKE_TRANSCRIPT }),
        text: (answer) => expect(answer).toBe(`${FAKE_TRANSCRIPT}\n`),
        srt: (answer) => expect(answer).toBe(`1\n00:00:00,000 --> 00:00:02,500\n${FAKE_TRANSCRIPT}\n\n`),
        vtt: (answer) => expect(answer).toBe(`WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n${FAKE_TRANSCRIPT}\n\n`),
        verbose_json: (answer) => expect(answer).toMatchObject({ task: 'transcribe', duration: 2.5, text: FAKE_TRANSCRIPT, segments: [{ id: 0 }] }),
      }
      for (const format of ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const) {
        let answer: unknown
        const cost = await charged(channel, async () => {
          // The file name and type claim one second; the fake's answer claims 2.5 s (3 s in usage): the bytes say 61.5 s.
          answer = await users[channel].client.audio.transcriptions.create({
            file: await toFile(wav, 'one-second.wav', { type: 'audio/wav' }),
            model: 'whisper-1',
            response_format: format,
            language: 'en',
            prompt: 'A fox.',
            temperature: 0.2,
            ...(format === 'verbose_json' ? { timestamp_granularities: ['word', 'segment'] } : {}),
          } as OpenAI.Audio.TranscriptionCreateParams)
        })
        expected[format]!(answer)
        const received = lastRequest()
        expect(received.path).toBe(channel === 'azure' ? '/openai/deployments/whisper-1/audio/transcriptions' : '/v1/audio/transcriptions')
        expect(received.files).toHaveLength(1)
        expect(received.files[0]!.field).toBe('file')
        expect(received.files[0]!.filename).toBe('one-second.wav')
        expect(Buffer.from(received.files[0]!.bytes).equals(Buffer.from(wav))).toBe(true)
        const fields = Object.fromEntries(received.fields.filter(([name]) => !name.endsWith('[]')))
        expect(fields).toEqual({ model: 'whisper-1', response_format: format, language: 'en', prompt: 'A fox.', temperature: '0.2' })
        if (format === 'verbose_json')
          expect(received.fields.filter(([name]) => name === 'timestamp_granularities[]').map(([, value]) => value)).toEqual(['word', 'segment'])
        // whisper-1: $0.006 per minute → 61.5 s × 0.0001 USD = 3,075 units.
        expect(cost).toBe(3075)
      }
    })

    test(`${channel}: translations`, async () => {
      const cost = await charged(channel, async () => {
        const translation = await users[channel].client.audio.translations.create({
          file: await toFile(MP3_FIXTURE, 'silence.mp3', { type: 'audio/mpeg' }),
          model: 'whisper-1',
        })
        expect(translation.text).toBe(FAKE_TRANSCRIPT)
      })
      expect(lastRequest().path).toBe(channel === 'azure' ? '/openai/deployments/whisper-1/audio/translations' : '/v1/audio/translations')
      expect(Buffer.from(lastRequest().files[0]!.bytes).equals(MP3_FIXTURE)).toBe(true)
      // 40 MPEG frames of 1,152 samples at 44.1 kHz = 1.045 s (rounded to the millisecond) × 50 units per second = 52.25 → 52 units.
      expect(cost).toBe(52)
    })
  }

  test('gpt-4o-transcribe: billed by the tokens a json answer reports, per second when the answer (text) reports none', async () => {
    fake.tokenUsage = { input_tokens: 1000, output_tokens: 200 }
    try {
      const file = async () => toFile(silentWav(61.5), 'a.wav', { type: 'audio/wav' })
      const byTokens = await charged('openai', async () => users.openai.client.audio.transcriptions.create({ file: await file(), model: 'gpt-4o-transcribe' }))
      // 1,000 audio input tokens × $6/1M + 200 output tokens × $10/1M = $0.008 = 4,000 units.
      expect(byTokens).toBe(4000)
      const bySeconds = await charged('openai', async () =>
        users.openai.client.audio.transcriptions.create({ file: await file(), model: 'gpt-4o-transcribe', response_format: 'text' }),
      )
      expect(bySeconds).toBe(3075)
    } finally {
      fake.tokenUsage = undefined
    }
  })

  test('the usage log names the seconds billed', async () => {
    const logs = await gateway.logs({ type: 'consume' })
    const whisper = logs.find((row) => row.model === 'whisper-1' && (row.details as { quantities?: { seconds?: number } }).quantities?.seconds === 61.5)
    expect(whisper).toBeDefined()
    const speech = logs.find((row) => row.model === 'tts-1')
    expect((speech!.details as { quantities?: Record<string, number> }).quantities).toEqual({ characters: 120 })
  })

  describe('bad input: a clear 4xx in OpenAI error shape, nothing charged, nothing sent upstream', () => {
    /** Posts a form built by `build` to a path and checks the refusal. */
    async function refused(path: string, body: BodyInit, status: number, match: RegExp, param?: string, headers: Record<string, string> = {}) {
      const sent = fake.requests.length
      const before = await gateway.balance(users.openai.id)
      const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${users.openai.key}`, ...headers }, body })
      const answer = (await response.json()) as { error: { message: string; type: string; param?: string | null } }
      expect({ status: response.status, message: answer.error.message }).toMatchObject({ status, message: expect.stringMatching(match) })
      expect(answer.error.type).toBe('invalid_request_error')
      if (param) expect(answer.error.param).toBe(param)
      expect(fake.requests.length).toBe(sent)
      expect((await gateway.balance(users.openai.id)).quota).toBe(before.quota)
    }
    const form = (entries: Array<[string, string | Blob, string?]>) => {
      const data = new FormData()
      for (const [name, value, filename] of entries) typeof value === 'string' ? data.append(name, value) : data.append(name, value, filename)
      return data
    }
    const wav = () => new Blob([silentWav(2)], { type: 'audio/wav' })

    test('the file in a wrong field, or none', async () => {
      await refused(
        '/v1/audio/transcriptions',
        form([
          ['model', 'whisper-1'],
          ['audio', wav(), 'a.wav'],
        ]),
        400,
        /Unexpected file field `audio`/,
        'audio',
      )
      await refused('/v1/audio/transcriptions', form([['model', 'whisper-1']]), 400, /Missing required parameter: 'file'/, 'file')
    })
    test('a misspelt text field', async () => {
      await refused(
        '/v1/audio/transcriptions',
        form([
          ['modle', 'whisper-1'],
          ['file', wav(), 'a.wav'],
        ]),
        400,
        /model|modle/,
      )
    })
    test('a text file posted as audio', async () => {
      const text = new Blob(['this is not audio at all, just words in a file\n'.repeat(20)], { type: 'audio/mpeg' })
      await refused(
        '/v1/audio/transcriptions',
        form([
          ['model', 'whisper-1'],
          ['file', text, 'speech.mp3'],
        ]),
        400,
        /not audio whose duration can be read/,
        'file',
      )
    })
    test('a 0-byte file', async () => {
      await refused(
        '/v1/audio/translations',
        form([
          ['model', 'whisper-1'],
          ['file', new Blob([]), 'empty.wav'],
        ]),
        400,
        /file is empty/,
        'file',
      )
    })
    test('a body over MAX_REQUEST_BODY_MB, refused on its Content-Length', async () => {
      const big = new Blob([silentWav(140)], { type: 'audio/wav' }) // 2.24 MB > 2 MB
      const sent = fake.requests.length
      const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${users.openai.key}` },
        body: form([
          ['model', 'whisper-1'],
          ['file', big, 'big.wav'],
        ]),
      })
      expect(response.status).toBe(413)
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/larger than the 2 MB limit/)
      expect(fake.requests.length).toBe(sent)
    })
    test('200 oversized uploads leave nothing in memory: RSS steady, nothing sent upstream', async () => {
      const big = new Blob([silentWav(140)], { type: 'audio/wav' }) // 2.24 MB > 2 MB
      const post = async () => {
        const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${users.openai.key}` },
          body: form([
            ['model', 'whisper-1'],
            ['file', big, 'big.wav'],
          ]),
        })
        await response.arrayBuffer()
        return response.status
      }
      for (let index = 0; index < 20; index++) expect(await post()).toBe(413)
      Bun.gc(true)
      const before = process.memoryUsage.rss()
      const sent = fake.requests.length
      for (let round = 0; round < 20; round++) expect(await Promise.all(Array.from({ length: 9 }, post))).toEqual(Array(9).fill(413))
      Bun.gc(true)
      const grown = process.memoryUsage.rss() - before
      // 180 more uploads of 2.24 MB (403 MB offered): the gateway (in this process) keeps none of them.
      expect(grown).toBeLessThan(40 * 1024 * 1024)
      expect(fake.requests.length).toBe(sent)
    }, 60_000)
    test('audio longer than MAX_AUDIO_SECONDS', async () => {
      const long = new Blob([silentWav(100)], { type: 'audio/wav' }) // 1.6 MB, 100 s > 90 s
      await refused(
        '/v1/audio/transcriptions',
        form([
          ['model', 'whisper-1'],
          ['file', long, 'long.wav'],
        ]),
        400,
        /lasts 100 s, longer than this gateway's 90 s maximum/,
        'file',
      )
    })
    test('an unknown response_format', async () => {
      await refused(
        '/v1/audio/transcriptions',
        form([
          ['model', 'whisper-1'],
          ['response_format', 'xml'],
          ['file', wav(), 'a.wav'],
        ]),
        400,
        /response_format/,
      )
    })
    test('a temperature outside 0 to 1, on transcriptions and translations: converted from the form text once and refused naming it', async () => {
      for (const [path, temperature] of [
        ['/v1/audio/transcriptions', '1.5'],
        ['/v1/audio/translations', '-0.2'],
      ] as const) {
        const fields: Array<[string, string | Blob, string?]> = [
          ['model', 'whisper-1'],
          ['temperature', temperature],
          ['file', wav(), 'a.wav'],
        ]
        await refused(path, form(fields), 400, /Invalid 'temperature'.*from 0 to 1/, 'temperature')
      }
    })
    test('a body that is not a multipart form', async () => {
      await refused('/v1/audio/transcriptions', JSON.stringify({ model: 'whisper-1' }), 400, /multipart\/form-data/, undefined, {
        'content-type': 'application/json',
      })
    })
    test('speech with empty input, or input over 4096 characters', async () => {
      const speech = (input: string) => JSON.stringify({ model: 'tts-1', input, voice: 'alloy' })
      await refused('/v1/audio/speech', speech(''), 400, /input/, undefined, { 'content-type': 'application/json' })
      await refused('/v1/audio/speech', speech('x'.repeat(4097)), 400, /input/, undefined, { 'content-type': 'application/json' })
    })
  })
})
