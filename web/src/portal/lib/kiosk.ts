// Logic of the own-household query (phone and kiosk) and of the kiosk's screens, kept out of
// the components so it is tested without a browser: the on-screen keypads, the ID number hint,
// payments totalled per year, tracking codes, the kiosk's remembered ?town/?idle, and the
// 上一页/下一页 cursor stack of keyset-paged lists.
import { parseIdNumber } from '../../utils/idcard'

// ---- the answers of the public API (internal/selfquery/query.go) ----

export interface Captcha {
  image: string // data:image/svg+xml;base64,…
  width: number
  height: number
  token: string
  expires_at: string
}

export interface QueryPayment {
  on_date: string
  fund_name: string
  item_name: string
  period: string
  amount_fen: number
  reversed: boolean
}

export interface QueryDetail {
  id_number: string // masked
  household: {
    village_code: string
    village_name: string
    town_name: string
    status: string
    status_label: string
    household_type: string
    household_type_label: string
    members_count: number
    registered_on: string
    exited_on: string
  }
  helper: { name: string; phone: string } | null
  total_fen: number
  payments: QueryPayment[]
}

export type QueryResult = ({ found: true } & QueryDetail) | { found: false }

// ---- keypads ----

export const BACKSPACE = '⌫'
export const CLEAR = 'clear'

// The characters of a complaint tracking code (oversight/complaints.go trackingAlphabet): no
// 0/O, 1/I/L, so the code keypad offers only keys that can be part of a code.
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const TRACKING_LEN = 12

export type KeypadKind = 'id' | 'digits' | 'code'

// The keys of a keypad, row by row (BACKSPACE and CLEAR are the editing keys).
export function keypadRows(kind: KeypadKind): string[][] {
  switch (kind) {
    case 'id':
      return [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9'], ['X', '0', BACKSPACE], [CLEAR]]
    case 'digits':
      return [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9'], [CLEAR, '0', BACKSPACE]]
    case 'code': {
      const rows: string[][] = []
      const keys = TRACKING_ALPHABET.split('')
      for (let i = 0; i < keys.length; i += 8) rows.push(keys.slice(i, i + 8))
      rows[rows.length - 1].push(BACKSPACE, CLEAR)
      return rows
    }
  }
}

// The longest value a keypad fills.
export function keypadMax(kind: KeypadKind, max?: number): number {
  if (max) return max
  return kind === 'id' ? 18 : kind === 'code' ? TRACKING_LEN : 11
}

// The value after one key: editing keys edit; any other key is appended when the keypad may
// type it there (X only as the 18th character of an ID number) and the value is not full.
export function pressKey(value: string, key: string, kind: KeypadKind, max?: number): string {
  if (key === BACKSPACE) return value.slice(0, -1)
  if (key === CLEAR) return ''
  const limit = keypadMax(kind, max)
  if (value.length >= limit) return value
  switch (kind) {
    case 'id':
      if (/^\d$/.test(key) || (key === 'X' && value.length === 17)) return value + key
      return value
    case 'digits':
      return /^\d$/.test(key) ? value + key : value
    case 'code':
      return key.length === 1 && TRACKING_ALPHABET.includes(key) ? value + key : value
  }
}

// ---- ID numbers ----

export interface IdHint {
  ok: boolean
  key?: string // i18n key under kiosk.id.*
  params?: Record<string, string | number>
}

// What is wrong with an ID number, in words that say which part (length, characters, the
// province, the birth date, the check digit). An empty value is not an error yet.
export function idHint(raw: string, today: string): IdHint {
  const s = raw.trim().toUpperCase()
  if (!s) return { ok: false }
  const r = parseIdNumber(s, today)
  if (r.ok) return { ok: true }
  const key = 'kiosk.id.' + (r.error ?? 'idcard.chars').replace('idcard.', '')
  if (r.error === 'idcard.length') return { ok: false, key, params: { n: s.length } }
  if (r.error === 'idcard.checksum') return { ok: false, key, params: { c: r.param ?? '' } }
  return { ok: false, key }
}

// Today in Asia/Shanghai, "YYYY-MM-DD" (a birth date after it is impossible).
export function todayShanghai(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

// The ID number as typed, grouped 6-8-4 for reading on a big screen.
export function groupId(s: string): string {
  return [s.slice(0, 6), s.slice(6, 14), s.slice(14)].filter(Boolean).join(' ')
}

// ---- payments ----

export interface YearTotal {
  year: string
  fen: number
  count: number
}

// Payments totalled per calendar year, newest year first; reversed payments (冲销: the money
// was taken back) are listed but not counted, as the server's total_fen does not count them.
export function totalsByYear(payments: QueryPayment[]): YearTotal[] {
  const by = new Map<string, YearTotal>()
  for (const p of payments) {
    const year = p.on_date.slice(0, 4)
    const t = by.get(year) ?? { year, fen: 0, count: 0 }
    if (!p.reversed) {
      t.fen += p.amount_fen
      t.count++
    }
    by.set(year, t)
  }
  return [...by.values()].sort((a, b) => b.year.localeCompare(a.year))
}

// Payments grouped by year, newest first, in the order the server gave within a year.
export function paymentsByYear(payments: QueryPayment[]): { year: string; fen: number; items: QueryPayment[] }[] {
  const totals = totalsByYear(payments)
  return totals.map((t) => ({ year: t.year, fen: t.fen, items: payments.filter((p) => p.on_date.startsWith(t.year)) }))
}

// ---- complaints ----

// A tracking code as the complainant reads it: TS-7KQ4-9XWM-2PHD (oversight.FormatTrackingCode).
export function formatTrackingCode(code: string): string {
  const s = code.toUpperCase().replace(/[^0-9A-Z]/g, '')
  const body = s.length === TRACKING_LEN + 2 && s.startsWith('TS') ? s.slice(2) : s
  const groups = body.match(/.{1,4}/g) ?? []
  return groups.length ? 'TS-' + groups.join('-') : ''
}

// The subject of a complaint lodged at the kiosk, where there is no room for a separate field:
// the category and the first words of the content (2 to 100 characters, as the desk requires).
export function complaintSubject(categoryLabel: string, content: string): string {
  const first = content.trim().split(/\s+/).join(' ')
  const chars = Array.from(first)
  const head = chars.slice(0, 30).join('') + (chars.length > 30 ? '…' : '')
  return Array.from(`${categoryLabel}:${head}`).slice(0, 100).join('')
}

// ---- the kiosk's URL ----

// What a kiosk keeps in its URL on every screen: the town it is installed in, its idle period
// and whether it asks for full screen on the first touch (fs=1). Anything else is dropped.
export function kioskQuery(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  const town = Array.isArray(q.town) ? q.town[0] : q.town
  if (typeof town === 'string' && /^\d{12}$/.test(town)) out.town = town
  const idle = Array.isArray(q.idle) ? q.idle[0] : q.idle
  if (typeof idle === 'string' && /^\d{1,5}$/.test(idle)) out.idle = idle
  const fs = Array.isArray(q.fs) ? q.fs[0] : q.fs
  if (fs === '1') out.fs = '1'
  return out
}

// The start screen's address with the kept query (the reset reloads it).
export function kioskHome(q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString()
  return '/kiosk' + (s ? '?' + s : '')
}

// The county of a town or village code (its first 6 digits).
export function countyOf(code: string): string {
  return code.slice(0, 6) + '000000'
}

// ---- paging ----

// The cursor stack of a keyset-paged list, so 上一页 returns to the page before without the
// server knowing about pages: cursors[i] is the `after` of page i (page 0: '').
export class Pager {
  cursors: string[] = ['']
  page = 0
  next: string | null = null

  get after(): string {
    return this.cursors[this.page]
  }

  get hasPrev(): boolean {
    return this.page > 0
  }

  get hasNext(): boolean {
    return !!this.next
  }

  // Records the `next` of the page just loaded.
  loaded(next: string | null | undefined) {
    this.next = next ?? null
  }

  forward(): boolean {
    if (!this.next) return false
    this.cursors = this.cursors.slice(0, this.page + 1)
    this.cursors.push(this.next)
    this.page++
    this.next = null
    return true
  }

  back(): boolean {
    if (this.page === 0) return false
    this.page--
    this.next = this.cursors[this.page + 1] ?? null
    return true
  }

  reset() {
    this.cursors = ['']
    this.page = 0
    this.next = null
  }
}
