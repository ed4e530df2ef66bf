import { describe, expect, it } from 'vitest'
import { newItem, type QueueItem } from './queue'
import { FakeServer, photoOf, randomBytes, visit } from './fakeserver.test-util'
import { runSync, type StoredPhotoBytes, type SyncDeps } from './sync'
import type { FieldVisit, VisitUpload } from './types'

// A phone: queue and photos in memory.
function phone(server: FakeServer, items: QueueItem[], photos: { sha256: string; size: number; slice: StoredPhotoBytes['slice'] }[] = []) {
  const queue = new Map(items.map((i) => [i.client_id, i]))
  const uploaded = new Map(photos.map((p) => [p.sha256, false]))
  const delivered: FieldVisit[] = []
  const deps: SyncDeps = {
    token: 'tok',
    fetch: server.fetch,
    now: () => new Date('2026-11-24T08:00:00Z'),
    items: async () => [...queue.values()],
    saveItem: async (i) => void queue.set(i.client_id, i),
    removeItem: async (id) => void queue.delete(id),
    photo: async (sha) => {
      const p = photos.find((x) => x.sha256 === sha)
      return p ? { ...p, uploaded: uploaded.get(sha) ?? false } : null
    },
    markUploaded: async (sha, u) => void uploaded.set(sha, u),
    delivered: async (v) => void delivered.push(v),
  }
  return { deps, queue, uploaded, delivered }
}

const item = (id: string, over: Partial<VisitUpload> = {}) => newItem(visit({ client_id: id, ...over }), '张三', new Date('2026-11-24T03:00:00Z'))

describe('a sync run', () => {
  it('uploads the photos, then the visits; delivered visits leave the queue', async () => {
    const s = new FakeServer()
    const p1 = photoOf(randomBytes(300 * 1024, 1))
    const p2 = photoOf(randomBytes(20 * 1024, 2))
    const a = item('aaaaaaaa-0001', { photos: [{ sha256: p1.sha256, taken_at: null }, { sha256: p2.sha256, taken_at: null }] })
    const b = item('bbbbbbbb-0002', { photos: [{ sha256: p2.sha256, taken_at: null }] })
    const ph = phone(s, [a, b], [p1, p2])
    const r = await runSync(ph.deps)
    expect(r).toEqual({ delivered: 2, conflicts: 0, rejected: 0, stopped: '' })
    expect(ph.queue.size).toBe(0)
    expect(ph.delivered.map((v) => v.client_id).sort()).toEqual(['aaaaaaaa-0001', 'bbbbbbbb-0002'])
    // the shared photo went up once
    expect(s.log.filter((l) => l.startsWith(`POST /api/v1/field/photos/${p2.sha256}`))).toHaveLength(1)
    expect(s.log.filter((l) => l.includes('/field/sync'))).toHaveLength(1)
  })

  it('no network mid-way: nothing is lost, nothing stays "sending", the next run resumes', async () => {
    const s = new FakeServer()
    const p1 = photoOf(randomBytes(600 * 1024, 4))
    const a = item('aaaaaaaa-0001', { photos: [{ sha256: p1.sha256, taken_at: null }] })
    const ph = phone(s, [a], [p1])
    s.dropAfterParts = 1
    expect((await runSync(ph.deps)).stopped).toBe('network')
    expect([...ph.queue.values()].map((i) => i.state)).toEqual(['waiting'])
    expect(s.synced).toHaveLength(0)
    expect(await runSync(ph.deps)).toMatchObject({ delivered: 1, stopped: '' })
    expect(ph.queue.size).toBe(0)
  })

  it('a network failure while the visits are on their way puts them back to waiting', async () => {
    const s = new FakeServer()
    const a = item('aaaaaaaa-0001')
    const ph = phone(s, [a])
    const f = s.fetch
    ph.deps.fetch = async (url, init) => {
      if (url.endsWith('/field/sync')) throw new TypeError('Failed to fetch')
      return f(url, init)
    }
    expect((await runSync(ph.deps)).stopped).toBe('network')
    expect(ph.queue.get('aaaaaaaa-0001')?.state).toBe('waiting')
    expect(ph.queue.get('aaaaaaaa-0001')?.attempts).toBe(1)
  })

  it('an expired token stops the run and keeps the queue', async () => {
    const s = new FakeServer()
    s.expired = true
    const ph = phone(s, [item('aaaaaaaa-0001'), item('bbbbbbbb-0002')])
    expect((await runSync(ph.deps)).stopped).toBe('auth')
    expect([...ph.queue.values()].map((i) => i.state)).toEqual(['waiting', 'waiting'])
  })

  it('keeps rejected visits with the message and leaves conflicts flagged', async () => {
    const s = new FakeServer()
    s.syncAnswer = (v) =>
      v.client_id.startsWith('r')
        ? { client_id: v.client_id, status: 'rejected', code: 'invalid', field: 'visited_at', message: '走访时间在未来' }
        : v.client_id.startsWith('c')
          ? { client_id: v.client_id, status: 'conflict', visit_id: 9, version: 3 }
          : { client_id: v.client_id, status: 'duplicate', visit_id: 8, version: 1 }
    const ph = phone(s, [item('rrrrrrrr-0001'), item('cccccccc-0002', { base_version: 2 }), item('dddddddd-0003')])
    const r = await runSync(ph.deps)
    expect(r).toEqual({ delivered: 2, conflicts: 1, rejected: 1, stopped: '' })
    expect(ph.queue.get('rrrrrrrr-0001')).toMatchObject({ state: 'rejected', message: '走访时间在未来', field: 'visited_at' })
    expect(ph.queue.get('cccccccc-0002')).toMatchObject({ state: 'conflict', version: 3 })
    expect(ph.queue.has('dddddddd-0003')).toBe(false)
    expect(ph.delivered.find((v) => v.client_id === 'cccccccc-0002')?.conflict).toBe(true)
    // A second run sends neither the rejected nor the conflicting visit again.
    s.log = []
    expect(await runSync(ph.deps)).toEqual({ delivered: 0, conflicts: 0, rejected: 0, stopped: '' })
    expect(s.log).toEqual([])
  })

  it('photo_missing: uploads the photo again and resends once', async () => {
    const s = new FakeServer()
    const p1 = photoOf(randomBytes(1000, 5))
    const a = item('aaaaaaaa-0001', { photos: [{ sha256: p1.sha256, taken_at: null }] })
    const ph = phone(s, [a], [p1])
    // The phone believes the photo is up, the server lost it.
    ph.uploaded.set(p1.sha256, true)
    const r = await runSync(ph.deps)
    expect(r).toMatchObject({ delivered: 1, rejected: 0 })
    expect(s.synced).toHaveLength(2)
    expect(s.uploads.get(p1.sha256)?.complete).toBe(true)
  })

  it('photo_missing twice (photo not on the phone any more) ends as rejected with the message', async () => {
    const s = new FakeServer()
    const a = item('aaaaaaaa-0001', { photos: [{ sha256: 'a'.repeat(64), taken_at: null }] })
    const ph = phone(s, [a])
    const r = await runSync(ph.deps)
    expect(r).toMatchObject({ delivered: 0, rejected: 1 })
    expect(ph.queue.get('aaaaaaaa-0001')).toMatchObject({ state: 'rejected', code: 'photo_missing', message: '照片 aaaaaaaa 尚未上传完成' })
  })

  it('a photo the server refuses rejects its visit only', async () => {
    const s = new FakeServer()
    const huge = { sha256: 'b'.repeat(64), size: 50 * 1024 * 1024, slice: async () => new Uint8Array(10) }
    const a = item('aaaaaaaa-0001', { photos: [{ sha256: huge.sha256, taken_at: null }] })
    const b = item('bbbbbbbb-0002')
    const ph = phone(s, [a, b], [huge])
    const r = await runSync(ph.deps)
    expect(r).toMatchObject({ delivered: 1, rejected: 1 })
    expect(ph.queue.get('aaaaaaaa-0001')).toMatchObject({ state: 'rejected', code: 'too_large' })
    expect(ph.queue.get('aaaaaaaa-0001')?.message).toContain('8 MB')
  })

  it('sends at most 50 visits per request', async () => {
    const s = new FakeServer()
    const items = Array.from({ length: 120 }, (_, i) => item(`v${String(i).padStart(7, '0')}-x`))
    const ph = phone(s, items)
    expect((await runSync(ph.deps)).delivered).toBe(120)
    expect(s.log.filter((l) => l.includes('/field/sync'))).toHaveLength(3)
  })
})
