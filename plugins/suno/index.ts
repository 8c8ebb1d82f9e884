import { definePlugin } from '@hanggent/plugin-sdk'
import { sunoPlatform } from './suno-platform.ts'
import { SunoChannelSettings, sunoTransport } from './suno-transport.ts'

/** Suno music and lyrics through Suno-API upstreams (github.com/Suno-API/Suno-API), with New API's `/suno` routes. */
export default definePlugin({
  id: 'suno',
  specVersion: '1.2',
  name: 'Suno',
  channelTypes: [{ id: 'suno', label: 'Suno-API', settings: SunoChannelSettings, transport: sunoTransport }],
  models: [],
  pricing: {},
  dialects: [],
  tasks: [sunoPlatform],
})
