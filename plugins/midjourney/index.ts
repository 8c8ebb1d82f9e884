import { definePlugin } from '@hanggent/plugin-sdk'
import { midjourneyPlatform } from './mj-platform.ts'
import { MidjourneyChannelSettings, midjourneyTransport } from './mj-transport.ts'

/** Midjourney through Midjourney-Proxy / Midjourney-Proxy-Plus upstreams, with New API's `/mj` routes. */
export default definePlugin({
  id: 'midjourney',
  specVersion: '1.2',
  name: 'Midjourney',
  channelTypes: [{ id: 'midjourney', label: 'Midjourney-Proxy', settings: MidjourneyChannelSettings, transport: midjourneyTransport }],
  models: [],
  pricing: {},
  dialects: [],
  tasks: [midjourneyPlatform],
})
