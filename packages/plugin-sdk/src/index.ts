// The public surface of the plugin SDK: the contract a provider plugin is checked against, the hub
// model every dialect converts through, the error type plugins throw, and the SSE helpers their
// stream decoders and encoders use. Nothing here reaches into the gateway: the gateway imports this.
export * from './contract.ts'
export * from './realtime-contract.ts'
export * from './task-contract.ts'
export * from './hub.ts'
export * from './errors.ts'
export * from './sse.ts'
export * from './stream-decoder.ts'
export * from './signed-reasoning.ts'
export * from './settings-form.ts'
export * from './spec-version.ts'
export * from './manifest.ts'
export * from './toolkit/index.ts'
export * from './plugin-entry.ts'
export * from './media-contract.ts'
