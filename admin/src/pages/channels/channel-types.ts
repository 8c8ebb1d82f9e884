import type { RequestOf, ResponseOf } from '../../api/types.ts'

/** A channel as the list and the form read it. */
export type Channel = ResponseOf<'listChannels'>['items'][number]
/** A channel type from the loaded plugins, with its settings schema. */
export type ChannelType = ResponseOf<'listChannelTypes'>[number]
/** A tag and how many channels carry it. */
export type ChannelTag = ResponseOf<'listChannelTags'>[number]
/** POST /api/channels body. */
export type ChannelCreateBody = RequestOf<'createChannel'>
/** POST /api/channels/batch body. */
export type ChannelBatchBody = RequestOf<'batchChannels'>
/** Channel status as the API spells it. */
export type ChannelStatus = Channel['status']
