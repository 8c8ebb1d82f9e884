import { definePlugin } from '@hanggent/plugin-sdk'
import { videoPlatform } from './video-platform.ts'

/**
 * Video generation: OpenAI's `/v1/videos` routes and New API's `/v1/video/generations`, served by OpenAI
 * (Sora) on `openai`/`openai-compatible` channels and by Kling on `kling` channels (the `kling` plugin's type).
 */
export default definePlugin({
  id: 'video',
  specVersion: '1.2',
  name: 'Video generation',
  channelTypes: [],
  models: [],
  pricing: {},
  dialects: [],
  tasks: [videoPlatform],
})
