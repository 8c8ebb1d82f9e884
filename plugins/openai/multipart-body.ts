// A multipart/form-data body built without I/O (UpstreamRequest bodies are bytes): text fields and one file.
// The boundary is fixed and lengthened until no part contains it, so the same input gives the same bytes.
// see https://www.rfc-editor.org/rfc/rfc7578

/** A file part. */
export interface MultipartFile {
  /** Form field name. */
  field: string
  /** File name sent with it. */
  filename: string
  /** Its content type. */
  type: string
  /** Its bytes. */
  bytes: Uint8Array
}

/** The encoded body and the Content-Type header that names its boundary. */
export function multipartBody(fields: Record<string, string>, file: MultipartFile | undefined): { contentType: string; body: Uint8Array<ArrayBuffer> } {
  const encoder = new TextEncoder()
  const texts = Object.values(fields).join('\n')
  const fileText = file ? new TextDecoder('latin1').decode(file.bytes) : ''
  let boundary = 'hanggent-form-boundary'
  while (texts.includes(boundary) || fileText.includes(boundary)) boundary += '-x'
  const parts: Uint8Array[] = []
  for (const [name, value] of Object.entries(fields))
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  if (file) {
    parts.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
    )
    parts.push(file.bytes, encoder.encode('\r\n'))
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`))
  const body = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    body.set(part, offset)
    offset += part.byteLength
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body }
}
