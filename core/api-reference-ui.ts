import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// The API reference UI at /swagger: Swagger UI from the swagger-ui-dist package installed with the
// gateway (pinned in package.json), never from a CDN, so it works on a machine without internet.
// Assets live under a URL carrying the package version, so browsers may cache them for good.

/** One OpenAPI document the UI offers in its selector. */
export interface ReferenceDocument {
  /** Shown in the selector. */
  name: string
  /** Where the document is served, e.g. `/swagger/json`. */
  url: string
}

/** The Swagger UI files the page loads, with their content types. */
export const REFERENCE_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
}

/** Where swagger-ui-dist is installed and its version. */
export function swaggerUiPackage(): { dir: string; version: string } {
  const manifest = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  return { dir: dirname(manifest), version }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

/** The HTML page (pure): the local assets under `assetBase`, the documents in a selector, no request leaves the gateway. */
export function referencePage(input: { title: string; assetBase: string; documents: readonly ReferenceDocument[] }): string {
  // `validatorUrl: null`: Swagger UI would otherwise send the document to a public validator for its badge.
  const options = {
    urls: input.documents,
    'urls.primaryName': input.documents[0]?.name,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    layout: 'StandaloneLayout',
  }
  // `<` escaped so no document name can close the script element.
  const json = JSON.stringify(options).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<link rel="stylesheet" href="${input.assetBase}/swagger-ui.css">
<style>body { margin: 0 } .swagger-ui .topbar .download-url-wrapper { justify-content: flex-end }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${input.assetBase}/swagger-ui-bundle.js"></script>
<script src="${input.assetBase}/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign(${json}, {
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
}))
</script>
</body>
</html>
`
}

/** An asset's bytes and their gzip form, read and compressed once on first use. */
interface LoadedAsset {
  raw: Uint8Array<ArrayBuffer>
  gzip: Uint8Array<ArrayBuffer>
}

/**
 * Serves one asset: the right content type, cached for a year (its URL changes with the package
 * version), gzip when the browser takes it. `undefined` for a name that is not an asset.
 */
export function createAssetServer(dir: string): (name: string, acceptEncoding: string | null) => Response | undefined {
  const loaded = new Map<string, LoadedAsset>()
  return (name, acceptEncoding) => {
    const type = Object.hasOwn(REFERENCE_ASSETS, name) ? REFERENCE_ASSETS[name] : undefined
    if (!type) return undefined
    let asset = loaded.get(name)
    if (!asset) {
      const raw = new Uint8Array(readFileSync(join(dir, name)))
      asset = { raw, gzip: new Uint8Array(Bun.gzipSync(raw)) }
      loaded.set(name, asset)
    }
    const gzip = /\bgzip\b/.test(acceptEncoding ?? '')
    return new Response(gzip ? asset.gzip : asset.raw, {
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        vary: 'accept-encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    })
  }
}
