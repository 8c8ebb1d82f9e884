import { describe, expect, test } from 'bun:test'
import { openAIAssistantPrefill, prefillStyleByHost } from './openai-assistant-prefill.ts'

// Which OpenAI-speaking channels continue a prefilled assistant turn, and how: by the base URL's host for the hosted
// vendors that document a contract, by the channel's setting anywhere else (vLLM, a test's 127.0.0.1).

const chat = (baseUrl: string, settings: Record<string, unknown> = {}) => openAIAssistantPrefill({ baseUrl, settings }, 'openai.chat')

describe('the prefill style of an OpenAI-speaking channel', () => {
  test("chosen by the vendor's host: DeepSeek (beta URL), Mistral (echoes), Moonshot, Qwen on DashScope", () => {
    expect(prefillStyleByHost('https://api.deepseek.com')).toBe('deepseek')
    expect(chat('https://api.deepseek.com/v1')).toEqual({ messageMembers: { prefix: true }, url: 'https://api.deepseek.com/beta/chat/completions' })
    expect(chat('https://api.mistral.ai/v1')).toEqual({ messageMembers: { prefix: true }, echoesPrefill: true })
    expect(chat('https://api.moonshot.cn/v1')).toEqual({ messageMembers: { partial: true } })
    expect(chat('https://API.Moonshot.ai')).toEqual({ messageMembers: { partial: true } })
    expect(chat('https://dashscope-intl.aliyuncs.com/compatible-mode/v1')).toEqual({
      messageMembers: { partial: true },
      bodyMembers: { enable_thinking: false },
    })
  })

  test('none for OpenAI itself, Azure, look-alike hosts and anything self-hosted without the setting', () => {
    for (const baseUrl of [
      'https://api.openai.com',
      'https://me.openai.azure.com',
      'https://api.deepseek.com.evil.example',
      'http://127.0.0.1:8000',
      'not a url',
    ])
      expect(chat(baseUrl)).toBeUndefined()
  })

  test("the operator's setting wins over the host: vLLM anywhere, 'none' turns a vendor's off; other dialects never", () => {
    expect(chat('http://10.0.0.5:8000', { assistantPrefill: 'vllm' })).toEqual({ bodyMembers: { continue_final_message: true, add_generation_prompt: false } })
    expect(chat('http://127.0.0.1:9000/v1', { assistantPrefill: 'deepseek' })?.url).toBe('http://127.0.0.1:9000/beta/chat/completions')
    expect(chat('https://api.deepseek.com', { assistantPrefill: 'none' })).toBeUndefined()
    // A value the schema does not know is ignored (the host decides).
    expect(chat('https://api.openai.com', { assistantPrefill: 'openai' })).toBeUndefined()
    expect(openAIAssistantPrefill({ baseUrl: 'https://api.deepseek.com', settings: {} }, 'openai.completions')).toBeUndefined()
  })
})
