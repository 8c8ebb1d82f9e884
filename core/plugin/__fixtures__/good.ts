import { Type } from '@sinclair/typebox'
import { definePlugin } from '@hanggent/plugin-sdk'

// The smallest valid plugin: one channel type, one priced model, no dialect of its own.
export default definePlugin({
  id: 'tiny',
  specVersion: 1,
  name: 'Tiny',
  channelTypes: [
    {
      id: 'tiny',
      label: 'Tiny',
      defaultBaseUrl: 'http://127.0.0.1:1',
      settings: Type.Object({}),
      transport: {
        nativeDialects: ['openai.chat'],
        buildRequest: (call) => ({ url: `${call.channel.baseUrl}/chat`, method: 'POST', headers: {}, body: JSON.stringify(call.body) }),
      },
    },
  ],
  models: [{ id: 'tiny-1', capabilities: ['chat'] }],
  pricing: { 'tiny-1': { inputPerMTok: 1, outputPerMTok: 2 }, 'tiny-*': { inputPerMTok: 3 } },
  dialects: [],
})
