import { Type } from '@sinclair/typebox'
import { GatewayError, type ChannelTransport } from '@hanggent/plugin-sdk'

/** Settings of the `kling` channel type (none yet: the key `accessKey|secretKey` is all Kling needs). */
export const KlingChannelSettings = Type.Object({})

/** Kling channels serve only the video task platform; no chat dialect goes to them. */
export const klingTransport: ChannelTransport = {
  nativeDialects: [],
  buildRequest() {
    throw new GatewayError(501, 'not_implemented', 'Kling channels serve only the video generation routes')
  },
}
