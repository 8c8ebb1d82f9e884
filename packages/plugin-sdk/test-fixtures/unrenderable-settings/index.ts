import { Type } from '@sinclair/typebox'
import { tinyVendorPlugin } from '../tiny-vendor/tiny-vendor.ts'

// Deliberately broken: a setting the dashboard's channel form cannot render (a list of objects).
export default tinyVendorPlugin('unrenderable-settings', {
  settings: Type.Object({ region: Type.Optional(Type.String()), fallbacks: Type.Array(Type.Object({ url: Type.String(), weight: Type.Number() })) }),
})
