// Resumable photo upload: ask the server how much of the photo it already has, then send
// the rest in parts. A photo taken in a weak-signal village may need several attempts; no
// byte is sent twice when the server kept it.
import { call, HttpError, type FetchFn } from './api'
import type { PhotoStatus } from './types'

export const partSize = 256 * 1024

export interface PhotoBytes {
  sha256: string
  size: number
  // bytes [start, end)
  slice(start: number, end: number): Promise<Uint8Array>
}

// PhotoRejected: the server will never take this photo as it is (not an image, too large).
export class PhotoRejected extends Error {
  code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'PhotoRejected'
    this.code = code
  }
}

export interface UploadOptions {
  token: string
  fetch?: FetchFn
  partSize?: number
  onProgress?: (received: number, size: number) => void
}

function receivedOf(e: HttpError): number | null {
  const r = e.body.received
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : null
}

// uploadPhoto returns when the server has the complete photo. Network and auth errors
// propagate unchanged (the caller keeps the photo and tries again later).
export async function uploadPhoto(photo: PhotoBytes, opts: UploadOptions): Promise<void> {
  const part = opts.partSize ?? partSize
  const path = `/field/photos/${photo.sha256}`
  let pos = 0
  try {
    const st = await call<PhotoStatus>('GET', path, { token: opts.token, fetch: opts.fetch })
    if (st.complete) {
      opts.onProgress?.(photo.size, photo.size)
      return
    }
    // A stale upload of a different size cannot be continued: start over (the server
    // answers 409 with its own position if it disagrees).
    pos = st.size === photo.size && st.received <= photo.size ? st.received : 0
  } catch (e) {
    if (!(e instanceof HttpError && e.status === 404)) throw e
  }

  let restarts = 0
  // Every round either advances, or follows the server's position, or restarts once;
  // the bound only stops a misbehaving server from looping forever.
  const maxRounds = Math.ceil(photo.size / part) * 3 + 10
  for (let round = 0; round < maxRounds; round++) {
    opts.onProgress?.(pos, photo.size)
    const end = Math.min(pos + part, photo.size)
    const bytes = await photo.slice(pos, end)
    let st: PhotoStatus
    try {
      st = await call<PhotoStatus>('POST', `${path}/parts?pos=${pos}&size=${photo.size}`, {
        token: opts.token,
        fetch: opts.fetch,
        raw: bytes as Uint8Array<ArrayBuffer>,
      })
    } catch (e) {
      if (!(e instanceof HttpError)) throw e
      if (e.status === 409) {
        const r = receivedOf(e)
        if (r === null || r > photo.size) throw e
        pos = r
        continue
      }
      if (e.status === 400 && e.code === 'invalid' && restarts === 0) {
        // SHA-256 mismatch: the server dropped the partial upload; send it all again once.
        restarts++
        pos = 0
        continue
      }
      if (e.status === 413 || e.status === 415 || e.status === 400) throw new PhotoRejected(e.code, e.message)
      throw e
    }
    if (st.complete) {
      opts.onProgress?.(photo.size, photo.size)
      return
    }
    if (typeof st.received !== 'number' || st.received < 0 || st.received > photo.size) {
      throw new Error(`unexpected photo status received=${String(st.received)}`)
    }
    if (st.received >= photo.size) {
      throw new Error('server has the whole photo but did not complete it')
    }
    pos = st.received
  }
  throw new Error('photo upload did not progress')
}
