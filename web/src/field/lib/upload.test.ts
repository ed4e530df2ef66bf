import { describe, expect, it } from 'vitest'
import { AuthError, NetworkError } from './api'
import { FakeServer, photoOf, randomBytes } from './fakeserver.test-util'
import { partSize, PhotoRejected, uploadPhoto } from './upload'

const KiB = 1024

describe('resumable photo upload', () => {
  it('sends a new photo in 256 KiB parts from 0', async () => {
    const s = new FakeServer()
    const p = photoOf(randomBytes(600 * KiB))
    await uploadPhoto(p, { token: 't', fetch: s.fetch })
    expect(s.uploads.get(p.sha256)?.complete).toBe(true)
    expect(s.log).toEqual([
      `GET /api/v1/field/photos/${p.sha256}`,
      `POST /api/v1/field/photos/${p.sha256}/parts?pos=0&size=${600 * KiB}`,
      `POST /api/v1/field/photos/${p.sha256}/parts?pos=${partSize}&size=${600 * KiB}`,
      `POST /api/v1/field/photos/${p.sha256}/parts?pos=${2 * partSize}&size=${600 * KiB}`,
    ])
  })

  it('resumes from the offset the server reports after a dropped connection', async () => {
    const s = new FakeServer()
    const p = photoOf(randomBytes(700 * KiB, 3))
    s.dropAfterParts = 2
    await expect(uploadPhoto(p, { token: 't', fetch: s.fetch })).rejects.toBeInstanceOf(NetworkError)
    expect(s.uploads.get(p.sha256)?.received).toBe(2 * partSize)
    s.log = []
    await uploadPhoto(p, { token: 't', fetch: s.fetch })
    expect(s.log).toEqual([
      `GET /api/v1/field/photos/${p.sha256}`,
      `POST /api/v1/field/photos/${p.sha256}/parts?pos=${2 * partSize}&size=${700 * KiB}`,
    ])
    expect(s.uploads.get(p.sha256)?.complete).toBe(true)
  })

  it('follows the received offset of a 409', async () => {
    const s = new FakeServer()
    const bytes = randomBytes(600 * KiB, 5)
    const p = photoOf(bytes)
    // The server already has the first 100 KiB, but the status probe says 0 (a stale answer).
    s.uploads.set(p.sha256, { size: bytes.length, data: [bytes.subarray(0, 100 * KiB)], received: 100 * KiB, complete: false })
    const realFetch = s.fetch
    let probes = 0
    const f = async (url: string, init?: RequestInit) => {
      if ((init?.method ?? 'GET') === 'GET' && probes++ === 0) {
        return new Response(JSON.stringify({ code: 'not_found', message: 'x' }), { status: 404 })
      }
      return realFetch(url, init)
    }
    await uploadPhoto(p, { token: 't', fetch: f })
    expect(s.log.filter((l) => l.startsWith('POST')).map((l) => /pos=(\d+)/.exec(l)![1])).toEqual(['0', String(100 * KiB), String(100 * KiB + partSize)])
    expect(s.uploads.get(p.sha256)?.complete).toBe(true)
  })

  it('does not upload a photo the server already has', async () => {
    const s = new FakeServer()
    const p = photoOf(randomBytes(50 * KiB))
    await uploadPhoto(p, { token: 't', fetch: s.fetch })
    s.log = []
    await uploadPhoto(p, { token: 't', fetch: s.fetch })
    expect(s.log).toEqual([`GET /api/v1/field/photos/${p.sha256}`])
  })

  it('starts again once when the server finds the bytes do not match the hash', async () => {
    const s = new FakeServer()
    const p = photoOf(randomBytes(100 * KiB, 9))
    s.corruptNext = true
    await uploadPhoto(p, { token: 't', fetch: s.fetch })
    expect(s.uploads.get(p.sha256)?.complete).toBe(true)
    expect(s.log.filter((l) => l.startsWith('POST'))).toHaveLength(2)
  })

  it('gives up with PhotoRejected when it keeps not matching, and on 413', async () => {
    const s = new FakeServer()
    const bytes = randomBytes(10 * KiB, 11)
    const p = { ...photoOf(bytes), sha256: 'f'.repeat(64) } // wrong name: never matches
    await expect(uploadPhoto(p, { token: 't', fetch: s.fetch })).rejects.toBeInstanceOf(PhotoRejected)
    const big = { sha256: 'e'.repeat(64), size: 50 * 1024 * 1024, slice: async () => new Uint8Array(partSize) }
    const err = await uploadPhoto(big, { token: 't', fetch: s.fetch }).catch((e) => e)
    expect(err).toBeInstanceOf(PhotoRejected)
    expect(err.message).toContain('8 MB')
  })

  it('a 401 surfaces as AuthError', async () => {
    const s = new FakeServer()
    s.expired = true
    await expect(uploadPhoto(photoOf(randomBytes(10)), { token: 't', fetch: s.fetch })).rejects.toBeInstanceOf(AuthError)
  })
})
