import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: a model it knows has no price and no stated reason.
export default tinyVendorPlugin('missing-price', { unpricedModel: true })
