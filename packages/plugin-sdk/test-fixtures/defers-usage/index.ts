import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: its push decoder lets a passthrough watcher defer the line carrying the usage (the kit must name the fixture).
export default tinyVendorPlugin('defers-usage', { pushDecoder: 'defers-usage' })
