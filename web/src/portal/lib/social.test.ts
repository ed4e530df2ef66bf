import { describe, expect, it } from 'vitest'
import { needProgress, needTag, normKey, normReceipt, pledgeBody, pledgeErrors, pledgeKind, pledgeable, sortNeeds, traceTotals, type PledgeForm } from './social'

describe('needs', () => {
  it('puts open needs first, then by deadline', () => {
    const got = sortNeeds([
      { id: 1, status: 'fulfilled', deadline: '2026-01-01' },
      { id: 2, status: 'open', deadline: '2026-12-31' },
      { id: 3, status: 'closed', deadline: '2025-01-01' },
      { id: 4, status: 'open', deadline: '2026-12-01' },
      { id: 5, status: 'pledged', deadline: '2026-01-01' },
    ])
    expect(got.map((n) => n.id)).toEqual([4, 2, 5, 1, 3])
  })
  it('measures progress against the target, capped, in whole percent', () => {
    expect(needProgress({ status: 'open', target_fen: 30000, donated_fen: 10000 })).toBe(33)
    expect(needProgress({ status: 'pledged', target_fen: 100, donated_fen: 500 })).toBe(100)
    expect(needProgress({ status: 'open', target_fen: 0, donated_fen: 500 })).toBe(0)
    expect(needProgress({ status: 'fulfilled', target_fen: 0, donated_fen: 0 })).toBe(100)
  })
  it('takes pledges only while open or pledged', () => {
    expect(['open', 'pledged', 'fulfilled', 'closed'].map((s) => pledgeable({ status: s }))).toEqual([true, true, false, false])
    expect(needTag('open')).toBe('danger')
    expect(needTag('weird')).toBe('default')
    expect(pledgeKind({ kind: 'service' })).toBe('goods')
    expect(pledgeKind({ kind: 'money' })).toBe('money')
  })
})

describe('the 认捐 form', () => {
  const ok: PledgeForm = { name: '王先生', phone: '13912345678', anonymous: false, kind: 'money', amount: '200.5', goods: '', answer: '12' }
  it('accepts a complete form and sends the fields the server names', () => {
    expect(pledgeErrors(ok)).toEqual({})
    expect(pledgeBody({ ...ok, name: ' 王先生 ' }, 7, 'tok')).toEqual({
      name: '王先生',
      phone: '13912345678',
      anonymous: false,
      need_id: 7,
      kind: 'money',
      amount_yuan: '200.5',
      goods: '',
      captcha_token: 'tok',
      captcha_answer: '12',
    })
  })
  it('names every bad field', () => {
    expect(pledgeErrors({ ...ok, name: ' ', phone: '1234', amount: '1.234', answer: 'x' })).toEqual({
      name: 'social.pledge.err.name',
      phone: 'social.pledge.err.phone',
      amount_yuan: 'social.pledge.err.amount',
      captcha_answer: 'social.pledge.err.answer',
    })
    expect(pledgeErrors({ ...ok, amount: '0' })).toEqual({ amount_yuan: 'social.pledge.err.amountPositive' })
    expect(pledgeErrors({ ...ok, name: '', anonymous: true })).toEqual({})
    expect(pledgeErrors({ ...ok, kind: 'goods', goods: '' })).toEqual({ goods: 'social.pledge.err.goods' })
    expect(pledgeBody({ ...ok, kind: 'goods', goods: ' 书包 ' }, 1, 't')).toMatchObject({ amount_yuan: '', goods: '书包' })
  })
})

describe('the donor query', () => {
  it('normalises what people type', () => {
    expect(normReceipt(' jz2026-000123 ')).toBe('JZ2026-000123')
    expect(normKey('ab3d ef7h')).toBe('AB3DEF7H')
    expect(normKey('AB3D-EF7H')).toBe('AB3DEF7H')
  })
  it('totals what reached households', () => {
    expect(traceTotals({ reached: [
      { village_code: 'a', village_name: 'A', head_name: '张*明', amount_fen: 30000, quantity: 0, on_date: '2026-11-25' },
      { village_code: 'a', village_name: 'A', head_name: '李*', amount_fen: 20001, quantity: 0, on_date: '2026-11-25' },
      { village_code: 'a', village_name: 'A', head_name: '王*', amount_fen: 999, quantity: 0, on_date: '2026-11-25', reversed: true },
    ] })).toEqual({ fen: 50001, households: 2, qty: 0 })
    expect(traceTotals({ reached: null })).toEqual({ fen: 0, households: 0, qty: 0 })
  })
})
