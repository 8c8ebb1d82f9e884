import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: its decoders drop tool calls (the kit must name the fixture and toolCalls).
export default tinyVendorPlugin('drops-tool-calls', { dropToolCalls: true })
