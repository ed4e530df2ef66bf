import { describe, expect, it } from 'vitest'
import {
  checkDraft,
  complaintsToSend,
  newComplaint,
  pendingComplaints,
  recoverComplaint,
  runComplaintSync,
  validPhone,
  type ComplaintDraft,
  type ComplaintItem,
  type ComplaintUpload,
} from './complaints'

const hh = { id: 7, household_no: '3209211002010001', head_name: '张三', region_code: '320921100201' }
const draft = (over: Partial<ComplaintDraft> = {}): ComplaintDraft => ({
  category: 'funds',
  subject: ' 低保金未到账 ',
  content: '五月的低保金至今没有到账',
  anonymous: false,
  name: '张三',
  phone: '13800001234',
  ...over,
})
const at = (h: number) => new Date(`2026-11-24T0${h}:00:00Z`)

// The server as the backend behaves: one complaint per client_id, a resend answers the same
// code (200); it can lose its answer (the row is stored, the phone hears nothing), be offline,
// answer 5xx, refuse the token, or refuse a complaint (400).
class Server {
  rows = new Map<string, { code: string; body: ComplaintUpload }>()
  log: string[] = []
  offline = false
  loseAnswer = 0
  fail500 = false
  expired = false
  refuse = new Set<string>()
  fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    this.log.push(`${init?.method} ${url}`)
    if (this.offline) throw new TypeError('Failed to fetch')
    if (this.expired) return json(401, { code: 'unauthorized', message: '登录已过期' })
    if (this.fail500) return json(503, { code: 'unavailable', message: '维护中' })
    expect(url).toBe('/api/v1/complaints')
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    const body = JSON.parse(String(init?.body)) as ComplaintUpload
    if (this.refuse.has(body.client_id)) {
      return json(403, { code: 'forbidden', message: '只能为您帮扶的农户代为反映问题' })
    }
    let status = 200
    let row = this.rows.get(body.client_id)
    if (!row) {
      row = { code: `TS-CODE-${this.rows.size + 1}`, body }
      this.rows.set(body.client_id, row)
      status = 201
    }
    if (this.loseAnswer > 0) {
      this.loseAnswer--
      throw new TypeError('network lost after the server stored it')
    }
    return json(status, { id: 1, tracking_code: row.code, deadline: '2026-12-15', repeat_no: 1 })
  }
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function phone(server: Server, items: ComplaintItem[]) {
  const store = new Map(items.map((i) => [i.client_id, i]))
  const seen: string[] = []
  return {
    store,
    seen,
    deps: {
      token: 'tok',
      fetch: server.fetch,
      now: () => at(8),
      items: async () => [...store.values()],
      saveItem: async (i: ComplaintItem) => {
        seen.push(`${i.client_id}:${i.state}`)
        store.set(i.client_id, i)
      },
    },
  }
}

describe('complaint drafts', () => {
  it('accepts a complete named complaint and a complete anonymous one', () => {
    expect(checkDraft(draft())).toEqual({})
    expect(checkDraft(draft({ anonymous: true, name: '', phone: '' }))).toEqual({})
  })

  it('names every problem the server would refuse', () => {
    expect(checkDraft(draft({ category: '', subject: 'x', content: '太短', name: ' ', phone: '12345' }))).toEqual({
      category: 'complaint.needCategory',
      subject: 'complaint.badSubject',
      content: 'complaint.badContent',
      name: 'complaint.needName',
      phone: 'complaint.badPhone',
    })
    expect(checkDraft(draft({ subject: '字'.repeat(101) })).subject).toBe('complaint.badSubject')
    expect(checkDraft(draft({ subject: '字'.repeat(100) })).subject).toBeUndefined()
    expect(checkDraft(draft({ content: '字'.repeat(2001) })).content).toBe('complaint.badContent')
    expect(checkDraft(draft({ category: 'weather' as ComplaintDraft['category'] })).category).toBe('complaint.needCategory')
  })

  it('checks phone numbers as the server does', () => {
    for (const ok of ['13800001234', '0515-86123456', '86123456']) expect(validPhone(ok), ok).toBe(true)
    for (const bad of ['', '23800001234x', '-86123456', '0515--86123456', '0515-8612-3456', '123456']) expect(validPhone(bad), bad).toBe(false)
  })

  it('makes the upload from the household: household number, village, trimmed text, no name when anonymous', () => {
    const c = newComplaint('cid-1', draft(), hh, at(3))
    expect(c.complaint).toEqual({
      client_id: 'cid-1',
      channel: 'field',
      anonymous: false,
      name: '张三',
      phone: '13800001234',
      category: 'funds',
      region_code: '320921100201',
      entity_type: 'household',
      entity_ref: '3209211002010001',
      subject: '低保金未到账',
      content: '五月的低保金至今没有到账',
    })
    expect(c.state).toBe('waiting')
    const a = newComplaint('cid-2', draft({ anonymous: true }), hh, at(3))
    expect([a.complaint.name, a.complaint.phone, a.complaint.anonymous]).toEqual(['', '', true])
  })

  it('counts what is not delivered, recovers an interrupted send and sends oldest first', () => {
    const w = newComplaint('w', draft(), hh, at(5))
    const old = newComplaint('o', draft(), hh, at(2))
    const s = { ...newComplaint('s', draft(), hh, at(1)), state: 'sending' as const }
    const sent = { ...newComplaint('d', draft(), hh, at(1)), state: 'sent' as const, tracking_code: 'TS-X' }
    const rej = { ...newComplaint('r', draft(), hh, at(1)), state: 'rejected' as const }
    expect(pendingComplaints([w, old, s, sent, rej])).toBe(4)
    expect(recoverComplaint(s).state).toBe('waiting')
    expect(recoverComplaint(sent)).toBe(sent)
    expect(complaintsToSend([w, old, s, sent, rej].map(recoverComplaint)).map((i) => i.client_id)).toEqual(['s', 'o', 'w'])
  })
})

describe('a complaint sync run', () => {
  it('sends waiting complaints once and keeps them with the tracking code', async () => {
    const srv = new Server()
    const ph = phone(srv, [newComplaint('c1', draft(), hh, at(1)), newComplaint('c2', draft({ anonymous: true }), hh, at(2))])
    expect(await runComplaintSync(ph.deps)).toEqual({ sent: 2, rejected: 0, stopped: '' })
    const c1 = ph.store.get('c1')!
    expect([c1.state, c1.tracking_code, c1.deadline, c1.attempts]).toEqual(['sent', 'TS-CODE-1', '2026-12-15', 1])
    expect(ph.store.get('c2')!.tracking_code).toBe('TS-CODE-2')
    expect(ph.seen).toEqual(['c1:sending', 'c1:sent', 'c2:sending', 'c2:sent'])
    // Pressing sync again sends nothing: sent complaints are not sent twice.
    expect(await runComplaintSync(ph.deps)).toEqual({ sent: 0, rejected: 0, stopped: '' })
    expect(srv.log).toHaveLength(2)
    expect(srv.rows.size).toBe(2)
  })

  it('an answer lost on the way: resent with the same client_id, the server answers the first code', async () => {
    const srv = new Server()
    srv.loseAnswer = 1
    const ph = phone(srv, [newComplaint('c1', draft(), hh, at(1))])
    expect(await runComplaintSync(ph.deps)).toEqual({ sent: 0, rejected: 0, stopped: 'network' })
    expect(ph.store.get('c1')!.state).toBe('waiting')
    expect(srv.rows.size).toBe(1)
    expect(await runComplaintSync(ph.deps)).toEqual({ sent: 1, rejected: 0, stopped: '' })
    const c1 = ph.store.get('c1')!
    expect([c1.state, c1.tracking_code, c1.attempts]).toEqual(['sent', 'TS-CODE-1', 2])
    expect(srv.rows.size).toBe(1)
    const bodies = srv.log.length
    expect(bodies).toBe(2)
  })

  it('stops without network, on a server error and on an expired token, keeping everything waiting', async () => {
    for (const [setup, stopped] of [
      [(s: Server) => (s.offline = true), 'network'],
      [(s: Server) => (s.fail500 = true), 'network'],
      [(s: Server) => (s.expired = true), 'auth'],
    ] as const) {
      const srv = new Server()
      setup(srv)
      const ph = phone(srv, [newComplaint('c1', draft(), hh, at(1)), newComplaint('c2', draft(), hh, at(2))])
      expect(await runComplaintSync(ph.deps)).toEqual({ sent: 0, rejected: 0, stopped })
      expect(srv.log).toHaveLength(1)
      expect([...ph.store.values()].map((i) => i.state)).toEqual(['waiting', 'waiting'])
    }
  })

  it('a refused complaint keeps the server reason and the run goes on', async () => {
    const srv = new Server()
    srv.refuse.add('c1')
    const ph = phone(srv, [newComplaint('c1', draft(), hh, at(1)), newComplaint('c2', draft(), hh, at(2))])
    expect(await runComplaintSync(ph.deps)).toEqual({ sent: 1, rejected: 1, stopped: '' })
    const c1 = ph.store.get('c1')!
    expect([c1.state, c1.code, c1.message]).toEqual(['rejected', 'forbidden', '只能为您帮扶的农户代为反映问题'])
    expect(ph.store.get('c2')!.state).toBe('sent')
    // Not sent again by the next run.
    await runComplaintSync(ph.deps)
    expect(srv.log).toHaveLength(2)
  })
})
