import { definePlugin } from '@hanggent/plugin-sdk'
import { KlingChannelSettings, klingTransport } from './kling-transport.ts'

/**
 * Kling AI video generation (api.klingai.com): the `kling` channel type, whose key is `accessKey|secretKey`.
 * Its requests are served by the `video` plugin's platform (`/v1/videos`, `/v1/video/generations`) through
 * this folder's kling-video-upstream.ts.
 */
export default definePlugin({
  id: 'kling',
  specVersion: '1.2',
  name: 'Kling AI',
  channelTypes: [
    { id: 'kling', label: 'Kling AI', defaultBaseUrl: 'https://api-singapore.klingai.com', settings: KlingChannelSettings, transport: klingTransport },
  ],
  models: [],
  pricing: {},
  dialects: [],
})
