// The plugin toolkit: helpers every provider plugin needs and would otherwise write again — narrowing
// parsed JSON, token counts and prompt estimates, key and extra headers, typed channel settings, the
// injected clock. All pure; none reaches into the gateway.
export * from './values.ts'
export * from './tokens.ts'
export * from './headers.ts'
export * from './settings.ts'
export * from './clock.ts'
export * from './model-lookup.ts'
