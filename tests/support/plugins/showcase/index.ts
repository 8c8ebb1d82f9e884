import { Type } from '@sinclair/typebox'
import { BalanceReadError, PLUGIN_SPEC_VERSION, definePlugin } from '@hanggent/plugin-sdk'

// A plugin the dashboard tests load through PLUGINS (as a package folder): one channel type whose
// settings schema uses every field kind the channel form renders (see the SDK's settings-form.ts),
// and models priced per token, per call and per unit. Calls go upstream in OpenAI's chat dialect.

const settings = Type.Object(
  {
    region: Type.String({
      minLength: 2,
      maxLength: 20,
      title: 'Region',
      description: 'Where the account lives',
      'x-i18n': { fr: { title: 'Région' }, ja: { title: 'リージョン' }, zh: { title: '区域' } },
    }),
    apiSecret: Type.Optional(Type.String({ writeOnly: true, title: 'Signing secret' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, default: 1, title: 'Retries' })),
    temperatureCap: Type.Optional(Type.Number({ minimum: 0, maximum: 2, title: 'Temperature cap' })),
    verbose: Type.Optional(Type.Boolean({ default: false, title: 'Verbose upstream logs' })),
    tier: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')], { default: 'free', title: 'Tier' })),
    stopWords: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { title: 'Stop words' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { title: 'Extra headers' })),
    backoff: Type.Optional(
      Type.Object(
        {
          initialMs: Type.Integer({ minimum: 10, maximum: 60_000, title: 'Initial delay (ms)' }),
          jitter: Type.Optional(Type.Boolean({ title: 'Jitter' })),
        },
        { title: 'Backoff', additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export default definePlugin({
  id: 'showcase',
  specVersion: PLUGIN_SPEC_VERSION,
  name: 'Showcase (test plugin)',
  channelTypes: [
    {
      id: 'showcase',
      label: 'Showcase',
      defaultBaseUrl: 'https://api.showcase.invalid',
      settings,
      transport: {
        nativeDialects: ['openai.chat'],
        buildRequest: (call) => ({
          url: `${call.channel.baseUrl}/v1/chat/completions`,
          method: 'POST',
          headers: { authorization: `Bearer ${call.channel.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(call.body),
        }),
      },
      balanceReaders: [
        {
          id: 'showcase-credits',
          label: 'Showcase credits',
          read: () => Promise.reject(new BalanceReadError('the showcase upstream has no balance endpoint')),
        },
      ],
    },
  ],
  models: [
    { id: 'showcase-chat', capabilities: ['chat'] },
    { id: 'showcase-image', capabilities: ['image'] },
    { id: 'showcase-search', capabilities: ['chat'] },
  ],
  pricing: {
    'showcase-chat': { inputPerMTok: 1.25, outputPerMTok: 5 },
    'showcase-image': { perCall: 0.04 },
    'showcase-search': { inputPerMTok: 0.5, outputPerMTok: 1.5, perUnit: { searchUnits: 0.0025 } },
  },
  tokenizers: { 'showcase-*': { count: (text) => Math.ceil(text.length / 4) } },
  dialects: [],
})
