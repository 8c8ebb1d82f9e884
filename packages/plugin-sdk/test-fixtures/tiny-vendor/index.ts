import { tinyVendorPlugin } from './tiny-vendor.ts'

// The correct Tiny Vendor plugin: passes the conformance kit, gateway step included.
export default tinyVendorPlugin('tiny-vendor')
