// see https://developer.mozilla.org/docs/Web/URI/Reference/Schemes/data — OpenAI takes inline images
// and files as base64 data URLs (`data:image/png;base64,…`).

/** Splits a base64 data URL into media type and data; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]*)(?:;[^;,]*)*;base64,/i.exec(url)
  if (!match) return undefined
  return { mediaType: match[1] || 'application/octet-stream', data: url.slice(match[0].length) }
}

/** Builds a base64 data URL. */
export function toDataUrl(mediaType: string | undefined, data: string): string {
  return `data:${mediaType ?? 'application/octet-stream'};base64,${data}`
}
