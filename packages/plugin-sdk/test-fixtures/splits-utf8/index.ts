import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: its stream framer breaks a UTF-8 character split across two chunks.
export default tinyVendorPlugin('splits-utf8', { decodeChunksAlone: true })
