import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { loadPluginModule, loadPlugins } from '../plugin/loader.ts'
import { createRegistry } from '../plugin/registry.ts'
import { planDialogue } from './plan-dialogue.ts'

const gatewayRoot = fileURLToPath(new URL('../..', import.meta.url))

describe('planDialogue', () => {
  test('a client-only dialect is converted even to a transport that lists it (passthrough needs both roles)', async () => {
    const memo = await loadPluginModule('./examples/plugins/memo', gatewayRoot)
    const registry = createRegistry([...(await loadPlugins([])), memo])
    const clientCodec = registry.dialect('memo.chat')!
    const body = { model: 'gpt-4o-mini', prompt: 'hello' }
    const dialogue = planDialogue({
      registry,
      clientCodec,
      // Not a registered channel type (the registry refuses those): the planner's own guard is what is checked here.
      transport: { nativeDialects: ['memo.chat', 'openai.chat'], buildRequest: () => ({ url: 'http://127.0.0.1/', method: 'POST', headers: {} }) },
      channelType: 'custom',
      body,
      hubRequest: () => clientCodec.hub!.decodeRequest(body, { headers: new Headers(), url: new URL('http://127.0.0.1/memo/v1/chat'), params: {} }),
      upstreamModel: 'gpt-4o-mini',
      stream: false,
      thinkingToContent: false,
    })
    expect(dialogue.converted).toBe(true)
    expect(dialogue.upstreamCodec.dialect).toBe('openai.chat')
    expect(dialogue.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] })
  })
})
