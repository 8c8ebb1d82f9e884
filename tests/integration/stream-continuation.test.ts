import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, prefillTokens as openAIPrefillTokens, type FakeOpenAI } from '../support/fake-openai.ts'
import { prefillTokens, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.ts'

// A chat stream cut after some of its text reached the client is continued on a channel whose dialect continues a
// prefilled assistant turn (Anthropic): the client gets one well-formed answer in its own dialect and pays for one
// answer. The primary is the fake OpenAI, the backup the fake Anthropic serving the same model name (mapped); the
// OpenAI fixture's first text is "The", the Anthropic fixture's answer "The capital of France is Paris, on the Seine."

type Json = Record<string, unknown>

/** Served by an OpenAI primary and an Anthropic backup that can continue. */
const MODEL = 'gpt-4o-mini'
/** Served by an OpenAI primary and an OpenAI backup, which has no continuation contract. */
const OPENAI_ONLY = 'gpt-4o'
const ANSWER = 'The capital of France is Paris, on the Seine.'
/** The fake Anthropic's input tokens (fixture: 18 uncached, 2,048 read from the cache) before the prefill. */
const CLAUDE_INPUT = 18
const CLAUDE_CACHE_READ = 2048
/** Served by an Anthropic primary (passthrough for an Anthropic client) and the Anthropic backup. */
const CLAUDE_MODEL = 'claude-sonnet-4-5'
/** Served by the OpenAI primary and an OpenAI-compatible backup with DeepSeek's prefix contract (`prefix: true`, beta path). */
const DEEPSEEK_MODEL = 'gpt-4.1'
/** Served by the OpenAI primary and a vLLM-style backup (`continue_final_message`). */
const VLLM_MODEL = 'gpt-4.1-mini'
/** Served by the OpenAI primary and a Mistral-style backup (`prefix: true`; its answer repeats the prefill first). */
const MISTRAL_MODEL = 'gpt-4o-2024-08-06'
/** Served by the OpenAI primary and the Anthropic backup, mapped there to a `-thinking` model (extended thinking on). */
const THINKING_MODEL = 'gpt-4.1-nano'
/** The OpenAI fixture's whole answer, which the prefix backups continue. */
const OPENAI_ANSWER = "The capital of France is Paris. It's known for the Eiffel Tower."
/** The OpenAI fixture's usage (prompt, completion) before a prefill. */
const OPENAI_PROMPT = 24

describe('a stream cut after delivery is continued on a channel that continues a prefill', () => {
  let gateway: TestGateway
  let primary: FakeOpenAI
  let openAIBackup: FakeOpenAI
  let anthropic: FakeAnthropic
  let anthropicPrimary: FakeAnthropic
  let deepSeek: FakeOpenAI
  let vllm: FakeOpenAI
  let mistral: FakeOpenAI
  let deepSeekId: number
  let backupId: number
  let primaryId: number
  let userId: number

  beforeAll(async () => {
    primary = await startFakeOpenAI()
    openAIBackup = await startFakeOpenAI()
    anthropic = await startFakeAnthropic()
    anthropicPrimary = await startFakeAnthropic()
    deepSeek = await startFakeOpenAI({ continuation: 'deepseek' })
    vllm = await startFakeOpenAI({ continuation: 'vllm' })
    mistral = await startFakeOpenAI({ continuation: 'mistral' })
    gateway = await startGateway({}, { streamingTimeoutSeconds: 1 })
    primaryId = await gateway.createChannel({
      name: 'primary',
      type: 'openai',
      key: 'sk-a',
      baseUrl: primary.url,
      models: [MODEL, OPENAI_ONLY, DEEPSEEK_MODEL, VLLM_MODEL, MISTRAL_MODEL, THINKING_MODEL],
      priority: 10,
    })
    backupId = await gateway.createChannel({
      name: 'claude-backup',
      type: 'claude',
      key: 'sk-ant',
      baseUrl: anthropic.url,
      models: [MODEL, CLAUDE_MODEL, THINKING_MODEL],
      modelMapping: { [MODEL]: 'claude-sonnet-4-5', [THINKING_MODEL]: 'claude-sonnet-4-5-thinking' },
      priority: 0,
    })
    await gateway.createChannel({
      name: 'claude-primary',
      type: 'claude',
      key: 'sk-ant-p',
      baseUrl: anthropicPrimary.url,
      models: [CLAUDE_MODEL],
      priority: 10,
    })
    await gateway.createChannel({ name: 'openai-backup', type: 'openai', key: 'sk-b', baseUrl: openAIBackup.url, models: [OPENAI_ONLY], priority: 0 })
    // On 127.0.0.1 the host says nothing: the operator's setting names the vendor's contract.
    deepSeekId = await gateway.createChannel({
      name: 'deepseek-backup',
      type: 'openai-compatible',
      key: 'sk-d',
      baseUrl: deepSeek.url,
      models: [DEEPSEEK_MODEL],
      settings: { assistantPrefill: 'deepseek' },
      priority: 0,
    })
    await gateway.createChannel({
      name: 'vllm-backup',
      type: 'openai-compatible',
      key: 'sk-v',
      baseUrl: vllm.url,
      models: [VLLM_MODEL],
      settings: { assistantPrefill: 'vllm' },
      priority: 0,
    })
    await gateway.createChannel({
      name: 'mistral-backup',
      type: 'openai-compatible',
      key: 'sk-m',
      baseUrl: mistral.url,
      models: [MISTRAL_MODEL],
      settings: { assistantPrefill: 'mistral' },
      priority: 0,
    })
    userId = await gateway.createUser({ username: 'continuation', quota: 1_000_000_000 })
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await primary.stop()
    await openAIBackup.stop()
    await anthropic.stop()
    await anthropicPrimary.stop()
    await deepSeek.stop()
    await vllm.stop()
    await mistral.stop()
  }, 30_000)
  beforeEach(async () => {
    for (const fake of [primary, openAIBackup, anthropic, anthropicPrimary, deepSeek, vllm, mistral]) fake.reset()
    await gateway.admin('PATCH', `/api/channels/${primaryId}`, { status: 'enabled' })
  })

  /** A fresh key, so each case's charge and usage rows are its own. */
  async function freshKey(name: string) {
    return gateway.createToken({ userId, name, quota: 100_000_000 })
  }

  /** What a case charged and logged, once the call has settled. */
  async function charges(tokenId: number) {
    const rows = await gateway.logs({ type: 'consume', tokenId })
    return { rows, logged: rows.reduce((sum, row) => sum + Number(row.quota), 0), charged: (await gateway.tokenBalance(tokenId)).usedQuota }
  }

  const openAIChat = (key: string, body: Json, signal?: AbortSignal) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'Capital of France?' }], ...body }),
      signal,
    })

  /** The data of each SSE event, in order. */
  const dataOf = (raw: string) =>
    raw
      .split('\n\n')
      .map((frame) =>
        frame
          .split('\n')
          .find((line) => line.startsWith('data: '))
          ?.slice('data: '.length),
      )
      .filter((data): data is string => data !== undefined)

  /** The assistant text of an OpenAI client's stream data ([DONE] and an error event carry none). */
  const contentOf = (data: string[]) =>
    data
      .filter((item) => item !== '[DONE]')
      .map((item) => (JSON.parse(item) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '')
      .join('')

  /** The continuation request the fake Anthropic got: the client's question, then the delivered text as the assistant's turn. */
  function expectPrefill(prefill: string) {
    expect(anthropic.requests).toHaveLength(1)
    const body = anthropic.requests[0]!.body!
    expect(body.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: prefill },
    ])
    expect(body.thinking).toBeUndefined()
  }

  /** An OpenAI client's stream of `model` cut after "The" on the primary: its chunks, checked as one well-formed answer. */
  async function cutOpenAIStream(model: string, key: string, answer: string) {
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const response = await openAIChat(key, { model, stream_options: { include_usage: true } })
    expect(response.status).toBe(200)
    const data = dataOf(await response.text())
    expect(data.at(-1)).toBe('[DONE]')
    const chunks = data.slice(0, -1).map((item) => JSON.parse(item) as Json)
    expect(chunks.filter((chunk) => chunk.error)).toEqual([])
    // One answer: the primary's chunk id, created time and one role chunk throughout.
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-BcX7rT5yU6iO7pA8sD9fG0hJ1kL2z']))
    expect(new Set(chunks.map((chunk) => chunk.created))).toEqual(new Set([1748736180]))
    type Delta = { role?: string; content?: string }
    const choices = chunks.flatMap((chunk) => chunk.choices as Array<{ delta: Delta; finish_reason: string | null }>)
    expect(choices.filter((choice) => choice.delta.role !== undefined)).toHaveLength(1)
    expect(choices.map((choice) => choice.delta.content ?? '').join('')).toBe(answer)
    expect(choices.filter((choice) => choice.finish_reason !== null).map((choice) => choice.finish_reason)).toEqual(['stop'])
    return chunks.at(-1)!.usage as { prompt_tokens: number; completion_tokens: number }
  }

  /**
   * Billed as one answer: the delivered tokens ("The") moved from the continuation's input (its prefill; `input` is what
   * the backup counted) to its output, and one usage row, naming the channel that finished and where it was cut, equal
   * to the client's usage chunk and to the charge.
   */
  async function expectOneBill(
    tokenId: number,
    usage: { prompt_tokens: number; completion_tokens: number },
    expected: { channelId: number; continuedText: string; input: number },
  ) {
    const delivered = usage.completion_tokens - Math.ceil(expected.continuedText.length / 4)
    expect(delivered).toBeGreaterThan(0)
    expect(usage.prompt_tokens).toBe(expected.input - delivered)
    const { rows, logged, charged } = await charges(tokenId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      channelId: expected.channelId,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      details: { outcome: 'completed', usageSource: 'upstream', continuedFrom: { channelId: primaryId, deliveredCharacters: 3 } },
    })
    expect(charged).toBe(logged)
    expect(charged).toBeGreaterThan(0)
  }

  // A malformed chunk rather than a reset where the test needs the cut to come after delivery: a reset can reach the
  // gateway before the first event is read (the kernel drops unread data), and then the backup answers by plain failover.
  test('OpenAI client, passthrough primary with a malformed chunk after 2: one well-formed stream, one answer billed with the moved usage', async () => {
    const token = await freshKey('openai')
    const usage = await cutOpenAIStream(MODEL, token.key, ANSWER)
    expectPrefill('The')
    await expectOneBill(token.id, usage, {
      channelId: backupId,
      continuedText: ' capital of France is Paris, on the Seine.',
      input: CLAUDE_INPUT + prefillTokens('The') + CLAUDE_CACHE_READ,
    })

    // Without include_usage the client gets no usage chunk from the continuation either.
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const plain = dataOf(await (await openAIChat(token.key, { model: MODEL })).text())
    expect(plain.at(-1)).toBe('[DONE]')
    expect(plain.slice(0, -1).filter((item) => (JSON.parse(item) as { usage?: unknown }).usage)).toEqual([])
    expect(contentOf(plain)).toBe(ANSWER)
  })

  /** An Anthropic client's stream of `model`, checked in strict order: one message, one text block (index 0), the whole answer, no error. */
  async function anthropicClientStream(model: string) {
    const token = await freshKey(`anthropic ${model}`)
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': token.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Capital of France?' }] }),
    })
    expect(response.status).toBe(200)
    const events = dataOf(await response.text()).map((item) => JSON.parse(item) as Json)
    const types = events.map((event) => event.type).filter((type) => type !== 'ping')
    expect(types[0]).toBe('message_start')
    expect(types.slice(1, 2)).toEqual(['content_block_start'])
    expect(types.filter((type) => type === 'message_start')).toHaveLength(1)
    expect(types.filter((type) => type === 'message_stop')).toHaveLength(1)
    expect(types.at(-1)).toBe('message_stop')
    expect(types.at(-2)).toBe('message_delta')
    expect(types.at(-3)).toBe('content_block_stop')
    expect(types.slice(2, -3).every((type) => type === 'content_block_delta')).toBe(true)
    // Block indices: one text block, 0, opened once and closed once.
    const indexed = events.filter((event) => typeof event.index === 'number').map((event) => event.index)
    expect(new Set(indexed)).toEqual(new Set([0]))
    const text = events
      .filter((event) => event.type === 'content_block_delta')
      .map((event) => String((event.delta as Json).text))
      .join('')
    expect(text).toBe(ANSWER)
    expect(events.some((event) => event.type === 'error')).toBe(false)
    const { logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
    expect(charged).toBeGreaterThan(0)
    return events
  }

  test('Anthropic client, converted primary with a malformed chunk: events in strict order, one message, one text block', async () => {
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    await anthropicClientStream(MODEL)
    expectPrefill('The')
  })

  test("Anthropic client, passthrough Anthropic primary cut by a malformed chunk after its first text: the primary's message id, the same strict order", async () => {
    // message_start, content_block_start, ping, then the first text ("The capital"), then the reset.
    anthropicPrimary.queue({ kind: 'malformed-chunk', afterChunks: 4 })
    const events = await anthropicClientStream(CLAUDE_MODEL)
    expect((events[0]!.message as Json).id).toBe('msg_01Hq2mYzwN6h3jKzP7bQvX9e')
    expectPrefill('The capital')
  })

  test('Gemini client, converted primary silent after its first (empty) chunk: the same responseId throughout, the whole text, one finish', async () => {
    const token = await freshKey('gemini')
    // Silence past STREAMING_TIMEOUT (1 s here) after the role chunk: nothing but an empty text was delivered, so no prefill.
    primary.queue({ kind: 'stream-gap', gapMs: 5_000 })
    const response = await fetch(`${gateway.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }] }),
    })
    expect(response.status).toBe(200)
    const chunks = dataOf(await response.text()).map((item) => JSON.parse(item) as Json)
    expect(chunks.some((chunk) => chunk.error)).toBe(false)
    expect(new Set(chunks.map((chunk) => chunk.responseId)).size).toBe(1)
    type Candidate = { content?: { parts?: Array<{ text?: string }> }; finishReason?: string }
    const candidates = chunks.flatMap((chunk) => (chunk.candidates as Candidate[] | undefined) ?? [])
    expect(
      candidates
        .flatMap((candidate) => candidate.content?.parts ?? [])
        .map((part) => part.text ?? '')
        .join(''),
    ).toBe(ANSWER)
    expect(candidates.filter((candidate) => candidate.finishReason).map((candidate) => candidate.finishReason)).toEqual(['STOP'])
    expect(anthropic.requests.map((request) => request.body?.messages)).toEqual([[{ role: 'user', content: 'Capital of France?' }]])
    const { logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
  })

  test("Gemini client, converted primary with a malformed chunk after 'The capital': the delivered chunks' responseId throughout", async () => {
    const token = await freshKey('gemini text')
    primary.queue({ kind: 'malformed-chunk', afterChunks: 3 })
    const response = await fetch(`${gateway.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }] }),
    })
    const chunks = dataOf(await response.text()).map((item) => JSON.parse(item) as Json)
    expect(chunks.some((chunk) => chunk.error)).toBe(false)
    type Candidate = { content?: { parts?: Array<{ text?: string }> } }
    const texts = chunks.map((chunk) =>
      ((chunk.candidates as Candidate[] | undefined) ?? [])
        .flatMap((candidate) => candidate.content?.parts ?? [])
        .map((part) => part.text ?? '')
        .join(''),
    )
    expect(texts.join('')).toBe(ANSWER)
    // The first text came from the primary, the rest from the continuation: one response id for all.
    expect(texts[0]).toBe('The')
    expect(new Set(chunks.map((chunk) => chunk.responseId)).size).toBe(1)
    expectPrefill('The capital')
    const { logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
  })

  test('OpenAI client cut on an OpenAI primary, continued on a DeepSeek-style backup: prefix: true on the beta path, the exact text, one bill = the usage chunk', async () => {
    const token = await freshKey('deepseek')
    const usage = await cutOpenAIStream(DEEPSEEK_MODEL, token.key, OPENAI_ANSWER)
    expect(deepSeek.requests.map((request) => request.path)).toEqual(['/beta/chat/completions'])
    expect(deepSeek.requests[0]!.body!.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'The', prefix: true },
    ])
    await expectOneBill(token.id, usage, {
      channelId: deepSeekId,
      continuedText: " capital of France is Paris. It's known for the Eiffel Tower.",
      input: OPENAI_PROMPT + openAIPrefillTokens('The'),
    })
  })

  test('a continuation the backup answers whole (it ignored stream) still carries the stream on: the exact text, billed as logged', async () => {
    const token = await freshKey('vllm whole')
    vllm.queue({
      kind: 'status',
      status: 200,
      body: {
        id: 'chatcmpl-whole',
        object: 'chat.completion',
        created: 1_748_736_999,
        model: VLLM_MODEL,
        choices: [
          { index: 0, message: { role: 'assistant', content: " capital of France is Paris. It's known for the Eiffel Tower." }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 26, completion_tokens: 14, total_tokens: 40 },
      },
    })
    await cutOpenAIStream(VLLM_MODEL, token.key, OPENAI_ANSWER)
    expect(vllm.requests).toHaveLength(1)
    const { rows, logged, charged } = await charges(token.id)
    expect(rows).toHaveLength(1)
    expect(charged).toBe(logged)
    expect(charged).toBeGreaterThan(0)
  })

  test('OpenAI client cut on an OpenAI primary, continued on a vLLM-style backup: continue_final_message, the exact text, billed as logged', async () => {
    const token = await freshKey('vllm')
    await cutOpenAIStream(VLLM_MODEL, token.key, OPENAI_ANSWER)
    expect(vllm.requests).toHaveLength(1)
    const body = vllm.requests[0]!.body!
    expect(body).toMatchObject({ continue_final_message: true, add_generation_prompt: false })
    expect((body.messages as Json[]).at(-1)).toEqual({ role: 'assistant', content: 'The' })
    const { rows, logged, charged } = await charges(token.id)
    expect(rows).toHaveLength(1)
    expect(charged).toBe(logged)
    expect(charged).toBeGreaterThan(0)
  })

  test('a Mistral-style backup repeats the prefill before its continuation: the client reads the delivered text once', async () => {
    const token = await freshKey('mistral')
    await cutOpenAIStream(MISTRAL_MODEL, token.key, OPENAI_ANSWER)
    expect((mistral.requests[0]!.body!.messages as Json[]).at(-1)).toEqual({ role: 'assistant', content: 'The', prefix: true })
    const { logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
  })

  test('a backup mapped to a -thinking model continues without thinking (Anthropic refuses a prefill with it): the base model, the whole answer', async () => {
    const token = await freshKey('thinking suffix')
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    const data = dataOf(await (await openAIChat(token.key, { model: THINKING_MODEL })).text())
    expect(data.at(-1)).toBe('[DONE]')
    expect(contentOf(data)).toBe(ANSWER)
    expectPrefill('The')
    expect(anthropic.requests[0]!.body!.model).toBe('claude-sonnet-4-5')
    const { rows, logged, charged } = await charges(token.id)
    expect(rows[0]).toMatchObject({ channelId: backupId, details: { outcome: 'completed' } })
    expect(charged).toBe(logged)
  })

  test('with only an OpenAI backup (no continuation contract) the cut still ends in the error event, billed as delivered', async () => {
    const token = await freshKey('openai-only')
    primary.queue({ kind: 'reset-mid-stream', afterChunks: 2 })
    const data = dataOf(await (await openAIChat(token.key, { model: OPENAI_ONLY })).text())
    expect(data).not.toContain('[DONE]')
    expect((JSON.parse(data.at(-1)!) as { error?: { code?: string } }).error?.code).toBe('upstream_error')
    expect(openAIBackup.requests).toHaveLength(0)
    expect(anthropic.requests).toHaveLength(0)
    const { rows, logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
    expect(rows[0]).toMatchObject({ channelId: primaryId })
    expect(charged).toBeGreaterThan(0)
  })

  test("a continuation that fails too: refused, the client gets the first cut's error; cut again, it pays both parts, counted", async () => {
    const refused = await freshKey('refused')
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    anthropic.queue({ kind: 'status', status: 500 })
    let data = dataOf(await (await openAIChat(refused.key, { model: MODEL })).text())
    expect(data).not.toContain('[DONE]')
    expect((JSON.parse(data.at(-1)!) as { error?: { code?: string } }).error?.code).toBe('bad_upstream_response')
    let billed = await charges(refused.id)
    expect(billed.rows[0]).toMatchObject({ channelId: primaryId, details: { outcome: 'upstream-error', usageSource: 'counted' } })
    expect((billed.rows[0]!.details as Json).continuedFrom).toBeUndefined()
    expect(billed.charged).toBe(billed.logged)

    const cutAgain = await freshKey('cut again')
    primary.queue({ kind: 'malformed-chunk', afterChunks: 2 })
    // message_start, content_block_start, ping and the continued text reach the client; then a malformed event.
    anthropic.queue({ kind: 'malformed-chunk', afterChunks: 4 })
    data = dataOf(await (await openAIChat(cutAgain.key, { model: MODEL })).text())
    expect(data).not.toContain('[DONE]')
    expect(JSON.parse(data.at(-1)!)).toHaveProperty('error')
    expect(contentOf(data)).toBe(ANSWER)
    billed = await charges(cutAgain.id)
    // Both parts counted by the gateway: more output than the first part alone ("The": one token).
    expect(billed.rows[0]).toMatchObject({ channelId: backupId, details: { outcome: 'upstream-error', usageSource: 'counted' } })
    expect(Number(billed.rows[0]!.completionTokens)).toBeGreaterThan(5)
    expect(billed.charged).toBe(billed.logged)
  })

  test('a cut after a tool call reached the client is not continued', async () => {
    const token = await freshKey('tool')
    primary.queue({ kind: 'reset-mid-stream', afterChunks: 3 })
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }]
    const data = dataOf(await (await openAIChat(token.key, { model: MODEL, tools })).text())
    expect(data).not.toContain('[DONE]')
    expect(JSON.parse(data.at(-1)!)).toHaveProperty('error')
    expect(anthropic.requests).toHaveLength(0)
    const { logged, charged } = await charges(token.id)
    expect(charged).toBe(logged)
  })

  test('STREAM_CONTINUATION=false keeps the error event', async () => {
    const config = gateway.context.config as { streamContinuation: boolean }
    const before = config.streamContinuation
    config.streamContinuation = false
    try {
      const token = await freshKey('switched-off')
      primary.queue({ kind: 'reset-mid-stream', afterChunks: 2 })
      const data = dataOf(await (await openAIChat(token.key, { model: MODEL })).text())
      expect(data).not.toContain('[DONE]')
      expect(JSON.parse(data.at(-1)!)).toHaveProperty('error')
      expect(anthropic.requests).toHaveLength(0)
    } finally {
      config.streamContinuation = before
    }
  })

  test('a client that leaves during the continuation aborts its upstream, and pays what was delivered', async () => {
    const token = await freshKey('abort')
    primary.queue({ kind: 'reset-mid-stream', afterChunks: 2 })
    // The continuation sends an event every 150 ms; the client leaves after its first text.
    anthropic.queue({ kind: 'stream-gap', gapMs: 150 })
    const abort = new AbortController()
    const response = await openAIChat(token.key, { model: MODEL }, abort.signal)
    const reader = response.body!.getReader()
    let seen = ''
    while (!seen.includes(' capital')) {
      const step = await reader.read()
      if (step.done) break
      seen += new TextDecoder().decode(step.value)
    }
    expect(seen).toContain(' capital')
    abort.abort()
    await reader.cancel().catch(() => undefined)
    for (let wait = 0; wait < 100 && anthropic.abortedStreams === 0; wait++) await Bun.sleep(20)
    expect(anthropic.abortedStreams).toBe(1)
    const { rows, logged, charged } = await charges(token.id)
    // Settled as the client's abort (not the continuation's idle timeout, which would also end its upstream).
    expect(rows[0]).toMatchObject({ details: { outcome: 'client-aborted', usageSource: 'counted' } })
    expect(charged).toBe(logged)
    expect(charged).toBeGreaterThan(0)
  })
})
