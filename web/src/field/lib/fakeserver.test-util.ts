// An in-memory stand-in for the field API's photo and sync endpoints, for unit tests.
import { createHash } from 'node:crypto'
import type { SyncResult, VisitUpload } from './types'

export interface Upload {
  size: number
  data: Uint8Array[]
  received: number
  complete: boolean
}

export class FakeServer {
  uploads = new Map<string, Upload>()
  log: string[] = []
  // set to make the next matching requests fail
  dropAfterParts = -1 // network error after this many accepted parts
  partsAccepted = 0
  expired = false
  syncAnswer: ((v: VisitUpload) => SyncResult) | null = null
  synced: VisitUpload[] = []
  corruptNext = false

  fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const u = new URL(url, 'http://phone.test')
    const method = init?.method ?? 'GET'
    this.log.push(`${method} ${u.pathname}${u.search}`)
    if (this.expired) return json(401, { code: 'unauthorized', message: '登录已过期' })
    const m = /^\/api\/v1\/field\/photos\/([0-9a-f]{64})(\/parts)?$/.exec(u.pathname)
    if (m && method === 'GET' && !m[2]) {
      const up = this.uploads.get(m[1])
      if (!up) return json(404, { code: 'not_found', message: '没有这张照片' })
      return json(200, { sha256: m[1], size: up.size, received: up.received, complete: up.complete })
    }
    if (m && method === 'POST' && m[2]) {
      if (this.dropAfterParts >= 0 && this.partsAccepted >= this.dropAfterParts) {
        this.dropAfterParts = -1
        throw new TypeError('Failed to fetch')
      }
      const pos = Number(u.searchParams.get('pos'))
      const size = Number(u.searchParams.get('size'))
      if (size > 8 << 20) return json(413, { code: 'too_large', message: `照片 ${size} 字节,超过 8 MB 上限` })
      let up = this.uploads.get(m[1])
      if (!up) {
        up = { size, data: [], received: 0, complete: false }
        this.uploads.set(m[1], up)
      }
      if (pos !== up.received) return json(409, { code: 'conflict', message: `应从 ${up.received} 继续`, received: up.received })
      let body = new Uint8Array(init?.body as ArrayBuffer)
      if (this.corruptNext) {
        this.corruptNext = false
        body = body.map((b) => b ^ 0xff)
      }
      up.data.push(body)
      up.received += body.length
      this.partsAccepted++
      if (up.received === up.size) {
        const all = Buffer.concat(up.data)
        if (createHash('sha256').update(all).digest('hex') !== m[1]) {
          this.uploads.delete(m[1])
          return json(400, { code: 'invalid', message: '照片内容与 SHA-256 不符' })
        }
        up.complete = true
      }
      return json(200, { sha256: m[1], size: up.size, received: up.received, complete: up.complete })
    }
    if (u.pathname === '/api/v1/field/sync' && method === 'POST') {
      const { visits } = JSON.parse(String(init?.body)) as { visits: VisitUpload[] }
      this.synced.push(...visits)
      const results = visits.map((v) => {
        if (this.syncAnswer) return this.syncAnswer(v)
        const missing = v.photos.find((p) => !this.uploads.get(p.sha256)?.complete)
        if (missing)
          return { client_id: v.client_id, status: 'rejected', code: 'photo_missing', field: 'photos', message: `照片 ${missing.sha256.slice(0, 8)} 尚未上传完成` }
        return { client_id: v.client_id, status: 'accepted', visit_id: 100 + this.synced.length, version: 1 }
      })
      return json(200, { results })
    }
    return json(404, { code: 'not_found', message: 'no route' })
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export function photoOf(bytes: Uint8Array) {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return { sha256, size: bytes.length, slice: async (a: number, b: number) => bytes.subarray(a, b) }
}

export function randomBytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

// A valid visit upload, for tests.
export function visit(over: Partial<VisitUpload> = {}): VisitUpload {
  return {
    client_id: 'c0ffee00-0000-4000-8000-000000000001',
    household_id: 12,
    base_version: 0,
    visited_at: '2026-11-24T02:30:00Z',
    recorded_at: '2026-11-24T02:41:00Z',
    lat: 33.31,
    lng: 120.15,
    accuracy_m: 12,
    guarantees: { food: 'ok', education: 'na', medical: 'gap', housing: 'ok', water: 'ok' },
    income_fen: 650000,
    needs: '',
    measures: '',
    notes: '',
    confirmed: true,
    confirmed_by: '张三',
    photos: [],
    ...over,
  }
}
