import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Tiny Vendor with a push decoder (contract 1.3) that agrees with its decodeStream: the kit's push-decoder step passes.
export default tinyVendorPlugin('push-decoder', { pushDecoder: 'correct' })
