import { describe, expect, it } from 'vitest'
import { applyResult, editItem, newItem, pendingCount, recover, toSend, type QueueItem } from './queue'
import { visit } from './fakeserver.test-util'

const now = new Date('2026-11-24T08:00:00Z')


const sending = (): QueueItem => ({ ...newItem(visit(), '张三', new Date('2026-11-24T02:41:00Z')), state: 'sending', attempts: 1 })

describe('queue item on each sync answer', () => {
  it('accepted, duplicate and updated deliver the visit and drop it from the queue', () => {
    for (const status of ['accepted', 'duplicate', 'updated']) {
      const it = sending()
      const out = applyResult(it, { client_id: it.client_id, status, visit_id: 7, version: status === 'updated' ? 3 : 1 }, now)
      expect(out.item, status).toBeNull()
      expect(out.photoMissing).toBe(false)
      expect(out.delivered).toMatchObject({ client_id: it.client_id, id: 7, version: status === 'updated' ? 3 : 1, conflict: false, household_id: 12 })
    }
  })

  it('conflict is delivered but stays visible, flagged, and is not sent again', () => {
    const it = sending()
    const out = applyResult(it, { client_id: it.client_id, status: 'conflict', visit_id: 7, version: 4, message: '已被修改' }, now)
    expect(out.item).toMatchObject({ state: 'conflict', visit_id: 7, version: 4, message: '已被修改' })
    expect(out.delivered).toMatchObject({ id: 7, version: 4, conflict: true })
    expect(toSend([out.item!])).toEqual([])
    expect(pendingCount([out.item!])).toBe(0)
  })

  it('rejected keeps the visit with the server message and field until fixed', () => {
    const it = sending()
    const out = applyResult(
      it,
      { client_id: it.client_id, status: 'rejected', code: 'invalid', message: '走访时间在未来', field: 'visited_at' },
      now,
    )
    expect(out.delivered).toBeNull()
    expect(out.item).toMatchObject({ state: 'rejected', code: 'invalid', message: '走访时间在未来', field: 'visited_at' })
    // not resent as it is …
    expect(toSend([out.item!])).toEqual([])
    expect(pendingCount([out.item!])).toBe(1)
    // … but once the helper fixes it, it is back in line without the old message.
    const fixed = editItem(out.item!, visit({ visited_at: '2026-11-23T02:30:00Z' }), now)
    expect(fixed).toMatchObject({ state: 'waiting', code: '', message: '', field: '' })
    expect(fixed.visit.visited_at).toBe('2026-11-23T02:30:00Z')
    expect(toSend([fixed])).toHaveLength(1)
  })

  it('a forbidden household is rejected like any other reason', () => {
    const it = sending()
    const out = applyResult(it, { client_id: it.client_id, status: 'rejected', code: 'forbidden', message: '该户不是您帮扶的农户' }, now)
    expect(out.item).toMatchObject({ state: 'rejected', code: 'forbidden', message: '该户不是您帮扶的农户' })
  })

  it('photo_missing puts the visit back to waiting and asks for the photos again', () => {
    const it = sending()
    const out = applyResult(it, { client_id: it.client_id, status: 'rejected', code: 'photo_missing', field: 'photos', message: '照片 abcd1234 尚未上传完成' }, now)
    expect(out.photoMissing).toBe(true)
    expect(out.item?.state).toBe('waiting')
    expect(out.delivered).toBeNull()
  })

  it('no answer, or an answer for another visit, leaves it waiting', () => {
    const it = sending()
    expect(applyResult(it, undefined, now).item?.state).toBe('waiting')
    expect(applyResult(it, { client_id: 'other-id-123', status: 'accepted' }, now).item?.state).toBe('waiting')
  })

  it('an unknown status keeps the visit (rejected) rather than dropping it', () => {
    const it = sending()
    const out = applyResult(it, { client_id: it.client_id, status: 'maybe' }, now)
    expect(out.item?.state).toBe('rejected')
    expect(out.delivered).toBeNull()
  })

  it('an interrupted run is recovered as waiting; order is oldest first', () => {
    expect(recover(sending()).state).toBe('waiting')
    const a = newItem(visit({ client_id: 'aaaaaaaa-1' }), 'A', new Date('2026-11-24T03:00:00Z'))
    const b = newItem(visit({ client_id: 'bbbbbbbb-2' }), 'B', new Date('2026-11-24T01:00:00Z'))
    expect(toSend([a, b]).map((i) => i.client_id)).toEqual(['bbbbbbbb-2', 'aaaaaaaa-1'])
  })
})
