import { describe, expect, it } from 'vitest'
import { checkDisburse, chineseCapital, donationErrors, donorErrors, isVillage, leftFen, needErrors } from './helpers'

describe('chineseCapital', () => {
  it.each([
    [100001, '壹仟元零壹分'],
    [30000, '叁佰元整'],
    [20001, '贰佰元零壹分'],
    [50, '伍角整'],
    [105, '壹元零伍分'],
    [150, '壹元伍角整'],
    [1000100, '壹万零壹元整'],
    [1010000, '壹万零壹佰元整'],
    [10000000000, '壹亿元整'],
    [10001000000, '壹亿零壹万元整'],
    [101000, '壹仟零壹拾元整'],
    [1234567, '壹万贰仟叁佰肆拾伍元陆角柒分'],
    [0, '零元整'],
  ])('%i fen → %s', (fen, want) => {
    expect(chineseCapital(fen)).toBe(want)
  })
})

describe('checkDisburse', () => {
  it('accepts up to what is left and refuses more, in integer fen', () => {
    expect(checkDisburse([{ amount: '300.00' }, { amount: '200.01' }], 100001)).toMatchObject({ sumFen: 50001, diffFen: 50000, ok: true })
    expect(checkDisburse([{ amount: '0.1' }, { amount: '0.2' }], 30)).toMatchObject({ sumFen: 30, diffFen: 0, ok: true })
    expect(checkDisburse([{ amount: '600' }, { amount: '400.02' }], 100001)).toMatchObject({ diffFen: -1, ok: false })
    expect(checkDisburse([{ amount: '1.001' }], 100001)).toMatchObject({ invalid: [0], ok: false })
    expect(checkDisburse([{ amount: '' }], 100001).ok).toBe(false)
  })
  it('knows what is left of a money donation', () => {
    expect(leftFen({ kind: 'money', amount_fen: 100001, disbursed_fen: 50001 })).toBe(50000)
    expect(leftFen({ kind: 'goods', amount_fen: 0, disbursed_fen: 0 })).toBe(0)
  })
})

describe('form checks', () => {
  it('names the donor fields the server names', () => {
    expect(donorErrors({ kind: 'enterprise', name: ' ', phone: '123', credit_code: 'X', region_code: '', anonymous: false })).toEqual({
      name: 'social.err.required',
      phone: 'social.err.phone',
      credit_code: 'social.err.creditCode',
      region_code: 'social.err.required',
    })
    expect(donorErrors({ kind: 'enterprise', name: '盐城某公司', phone: '13800000000', credit_code: '91320900MA1XXXXX3Q', region_code: '320921000000', anonymous: false })).toEqual({})
    expect(donorErrors({ kind: 'organisation', name: '某基金会', phone: '', credit_code: '', region_code: '320921000000', anonymous: false })).toEqual({ credit_code: 'social.err.required' })
    expect(donorErrors({ kind: 'enterprise', name: '某公司', phone: '', credit_code: '91320900MA1OOOOO3Q', region_code: '320921000000', anonymous: false })).toEqual({ credit_code: 'social.err.creditCode' })
    expect(donorErrors({ kind: 'person', name: '张三', phone: '', credit_code: '', region_code: '320921000000', anonymous: true })).toEqual({})
  })
  it('checks a need: a village, short title, money target or goods, deadline not past', () => {
    const base = { region_code: '320921101201', household_id: null, title: '书包', content: '上学用', kind: 'money', target_yuan: '200', goods: '', deadline: '2026-12-31' }
    expect(needErrors(base, '2026-11-25')).toEqual({})
    expect(needErrors({ ...base, region_code: '320921101000', title: 'x'.repeat(41), target_yuan: '1.234', deadline: '2026-11-01' }, '2026-11-25')).toEqual({
      region_code: 'social.err.village',
      title: 'social.err.title',
      target_yuan: 'social.err.amountFormat',
      deadline: 'social.err.deadlinePast',
    })
    expect(needErrors({ ...base, kind: 'goods', target_yuan: '' }, '2026-11-25')).toEqual({ goods: 'social.err.required' })
  })
  it('checks a donation: money needs an amount, goods a positive quantity', () => {
    const base = { donor_id: 1, pledge_id: null, need_id: null, kind: 'money', region_code: '320921000000', amount_yuan: '1000.01', goods: '', quantity: 0, value_yuan: '', received_on: '2026-11-25', purpose: '' }
    expect(donationErrors(base, '2026-11-25')).toEqual({})
    expect(donationErrors({ ...base, amount_yuan: '0', received_on: '2026-11-26' }, '2026-11-25')).toEqual({ amount_yuan: 'social.err.amountPositive', received_on: 'social.err.future' })
    expect(donationErrors({ ...base, kind: 'goods', quantity: 0 }, '2026-11-25')).toEqual({ goods: 'social.err.required', quantity: 'social.err.quantity' })
  })
  it('tells a village code', () => {
    expect(isVillage('320921101201')).toBe(true)
    expect(isVillage('320921101000')).toBe(false)
  })
})
