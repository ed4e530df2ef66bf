import { describe, expect, it } from 'vitest'
import { checkChar } from '../../utils/idcard'
import {
  BACKSPACE,
  CLEAR,
  Pager,
  TRACKING_ALPHABET,
  complaintSubject,
  countyOf,
  formatTrackingCode,
  groupId,
  idHint,
  keypadRows,
  kioskHome,
  kioskQuery,
  paymentsByYear,
  pressKey,
  todayShanghai,
  totalsByYear,
  type QueryPayment,
} from './kiosk'

const typeAll = (keys: string[], kind: 'id' | 'digits' | 'code', max?: number) => keys.reduce((v, k) => pressKey(v, k, kind, max), '')

describe('keypads', () => {
  it('types an ID number: digits, X only as the 18th character, at most 18', () => {
    const first17 = '32092119800512001'
    const id = first17 + 'X'
    expect(typeAll(id.split(''), 'id')).toBe(id)
    expect(typeAll(['3', 'X', '2'], 'id')).toBe('32')
    expect(typeAll([...id.split(''), '5', '6'], 'id')).toBe(id)
    expect(typeAll(['1', '2', BACKSPACE, '3'], 'id')).toBe('13')
    expect(typeAll(['1', '2', CLEAR], 'id')).toBe('')
    expect(pressKey('', BACKSPACE, 'id')).toBe('')
    expect(typeAll(['a', '-', ' ', '１'], 'id')).toBe('')
  })

  it('types digits up to their maximum (captcha answers, phones)', () => {
    expect(typeAll(['4', '2', '7', '9'], 'digits', 3)).toBe('427')
    expect(typeAll('13800138000'.split('').concat(['5']), 'digits')).toBe('13800138000')
    expect(typeAll(['X', '1'], 'digits')).toBe('1')
  })

  it('offers exactly the tracking code alphabet on the code keypad, and types only those', () => {
    const keys = keypadRows('code').flat().filter((k) => k !== BACKSPACE && k !== CLEAR)
    expect(keys.join('')).toBe(TRACKING_ALPHABET)
    for (const bad of ['0', '1', 'O', 'I', 'L', 'a']) expect(pressKey('', bad, 'code')).toBe('')
    expect(typeAll('7KQ49XWM2PHDZZ'.split(''), 'code')).toBe('7KQ49XWM2PHD')
  })

  it('has the editing keys on every pad and X on the ID pad', () => {
    for (const k of ['id', 'digits', 'code'] as const) {
      const all = keypadRows(k).flat()
      expect(all).toContain(BACKSPACE)
      expect(all).toContain(CLEAR)
    }
    expect(keypadRows('id').flat()).toContain('X')
    expect(keypadRows('digits').flat()).not.toContain('X')
  })
})

describe('idHint', () => {
  const today = '2026-03-01'
  const good = (first17: string) => first17 + checkChar(first17)
  it('accepts a valid number, lower-case x too', () => {
    expect(idHint(good('32092119800512001'), today)).toEqual({ ok: true })
    expect(idHint('11010519491231002x', today)).toEqual({ ok: true })
  })
  it('says which part is wrong', () => {
    expect(idHint('', today)).toEqual({ ok: false })
    expect(idHint('3209211980', today)).toEqual({ ok: false, key: 'kiosk.id.length', params: { n: 10 } })
    expect(idHint('32092119800512A01X', today).key).toBe('kiosk.id.chars')
    expect(idHint(good('99092119800512001'), today).key).toBe('kiosk.id.region')
    expect(idHint(good('32092119801332001'), today).key).toBe('kiosk.id.birth')
    expect(idHint(good('32092120300512001'), today).key).toBe('kiosk.id.birth')
    const wrong = '32092119800512001' + (checkChar('32092119800512001') === '1' ? '2' : '1')
    expect(idHint(wrong, today)).toEqual({ ok: false, key: 'kiosk.id.checksum', params: { c: checkChar('32092119800512001') } })
  })
  it('groups for reading and knows today in Shanghai', () => {
    expect(groupId('32092119800512001X')).toBe('320921 19800512 001X')
    expect(groupId('3209')).toBe('3209')
    // 2026-03-01 17:00 UTC is already 03-02 in Shanghai
    expect(todayShanghai(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-02')
  })
})

describe('payments per year', () => {
  const p = (on_date: string, amount_fen: number, reversed = false): QueryPayment => ({
    on_date,
    amount_fen,
    reversed,
    fund_name: 'f',
    item_name: 'i',
    period: '',
  })
  const list = [p('2026-02-01', 30000), p('2025-12-20', 12345), p('2025-06-01', 100, true), p('2025-01-05', 5), p('2024-03-01', 100, true)]
  it('totals each year without the reversed payments, newest first', () => {
    expect(totalsByYear(list)).toEqual([
      { year: '2026', fen: 30000, count: 1 },
      { year: '2025', fen: 12350, count: 2 },
      { year: '2024', fen: 0, count: 0 },
    ])
    const total = list.filter((x) => !x.reversed).reduce((s, x) => s + x.amount_fen, 0)
    expect(totalsByYear(list).reduce((s, x) => s + x.fen, 0)).toBe(total)
  })
  it('groups the payments under their year in the given order', () => {
    const g = paymentsByYear(list)
    expect(g.map((x) => x.items.length)).toEqual([1, 3, 1])
    expect(g[1].items.map((x) => x.on_date)).toEqual(['2025-12-20', '2025-06-01', '2025-01-05'])
    expect(paymentsByYear([])).toEqual([])
  })
})

describe('complaints', () => {
  it('formats a tracking code as typed, with or without the prefix', () => {
    expect(formatTrackingCode('7KQ49XWM2PHD')).toBe('TS-7KQ4-9XWM-2PHD')
    expect(formatTrackingCode('ts-7kq4-9xwm-2phd')).toBe('TS-7KQ4-9XWM-2PHD')
    expect(formatTrackingCode('7KQ4')).toBe('TS-7KQ4')
    expect(formatTrackingCode('')).toBe('')
  })
  it('derives a subject the desk accepts from category and content', () => {
    expect(complaintSubject('资金发放', '  低保金 \n 三个月没有到账  ')).toBe('资金发放:低保金 三个月没有到账')
    const long = complaintSubject('其他', '字'.repeat(200))
    expect(Array.from(long).length).toBe(3 + 30 + 1)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('kiosk URL', () => {
  it('keeps only a valid town and idle', () => {
    expect(kioskQuery({ town: '320921100000', idle: '5', x: 'y' })).toEqual({ town: '320921100000', idle: '5' })
    expect(kioskQuery({ town: '3209', idle: 'abc' })).toEqual({})
    expect(kioskQuery({ town: ['320921101000'], idle: ['3'] })).toEqual({ town: '320921101000', idle: '3' })
    expect(kioskQuery({ town: '<script>', idle: '1;drop' })).toEqual({})
    expect(kioskQuery({ fs: '1', idle: '90' })).toEqual({ fs: '1', idle: '90' })
    expect(kioskQuery({ fs: 'yes' })).toEqual({})
  })
  it('builds the start address with them', () => {
    expect(kioskHome({})).toBe('/kiosk')
    expect(kioskHome({ town: '320921100000', idle: '3' })).toBe('/kiosk?town=320921100000&idle=3')
    expect(countyOf('320921100201')).toBe('320921000000')
  })
})

describe('Pager', () => {
  it('walks forward and back through keyset pages', () => {
    const p = new Pager()
    expect(p.after).toBe('')
    expect(p.hasPrev).toBe(false)
    p.loaded('c1')
    expect(p.hasNext).toBe(true)
    expect(p.forward()).toBe(true)
    expect(p.after).toBe('c1')
    p.loaded('c2')
    p.forward()
    expect(p.after).toBe('c2')
    p.loaded(null)
    expect(p.hasNext).toBe(false)
    expect(p.forward()).toBe(false)
    expect(p.back()).toBe(true)
    expect(p.after).toBe('c1')
    expect(p.hasNext).toBe(true)
    p.back()
    expect(p.after).toBe('')
    expect(p.back()).toBe(false)
    p.loaded('c1')
    p.forward()
    expect(p.page).toBe(1)
    p.reset()
    expect([p.page, p.after, p.hasNext]).toEqual([0, '', false])
  })
})
