import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: written against a contract major version the gateway does not implement.
export default tinyVendorPlugin('wrong-spec-version', { specVersion: '2.0' })
