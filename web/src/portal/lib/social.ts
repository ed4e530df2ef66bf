// The public pages of the donation platform (微心愿, 捐赠公示, 捐赠去向查询): the shapes the public
// API answers (internal/giving/types.go, masked on the server) and the small pure helpers the
// pages share — status colours, progress, the 认捐 form's own checks, normalising what people
// type as a receipt number and 查询码.
import { ApiError, get, post } from './api'
import { parseYuan } from '../../utils/money'

export interface PublicNeed {
  id: number
  code: string
  region_code: string
  region_name: string
  head_name: string // masked (张*明) or ""
  title: string
  content: string
  kind: 'money' | 'goods' | 'service' | string
  target_fen: number
  goods: string
  status: 'open' | 'pledged' | 'fulfilled' | 'closed' | string
  pledged_fen: number
  donated_fen: number
  published_on: string
  deadline: string
  fulfilled_on: string | null
  close_reason: string
}

export interface PublicDonation {
  id: number
  receipt_no: string
  donor_name: string // the donor's public name
  kind: 'money' | 'goods' | string
  region_code: string
  region_name: string
  need_id: number | null
  amount_fen: number
  goods: string
  quantity: number
  value_fen: number
  received_on: string
  purpose: string
  fund_code: string
  disbursed_fen: number
  delivered_qty: number
  households: number
}

export interface Summary {
  needs: number
  needs_open: number
  needs_fulfilled: number
  donors: number
  donations: number
  donated_fen: number
  disbursed_fen: number
  goods_value_fen: number
  households: number
}

export interface Reach {
  village_code: string
  village_name: string
  head_name: string // masked
  amount_fen: number
  quantity: number
  on_date: string
  reversed?: boolean // the payment was taken back (冲销)
}

export interface Delivery {
  id: number
  head_name: string
  village_name: string
  quantity: number
  delivered_on: string
}

export interface Trace {
  donation: PublicDonation
  reached: Reach[] | null
  deliveries: Delivery[] | null
}

export interface PledgeReceipt {
  pledge_id: number
  need_title: string
  message: string
}

export interface PledgeForm {
  name: string
  phone: string
  anonymous: boolean
  kind: 'money' | 'goods'
  amount: string
  goods: string
  answer: string
}

// ---- API ----

export const socialApi = {
  needs: (region?: string, status?: string) => get<{ items: PublicNeed[] | null }>('/needs', { region, status }).then((r) => sortNeeds(r?.items ?? [])),
  donations: (region?: string) => get<{ items: PublicDonation[] | null; summary: Summary }>('/donations', { region }),
  trace: (receipt: string, key: string) => get<Trace>(`/donations/${encodeURIComponent(receipt)}`, { key }),
  pledge: (body: Record<string, unknown>) => post<PledgeReceipt>('/pledges', body),
}

// One need by id. The contract has no GET /needs/{id}: try it (the server may add it), else
// find the need in the list (open ones and the rest).
export async function fetchNeed(id: number): Promise<PublicNeed | null> {
  try {
    return await get<PublicNeed>(`/needs/${id}`)
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e
  }
  const all = await socialApi.needs()
  return all.find((n) => n.id === id) ?? null
}

// ---- helpers ----

const statusOrder: Record<string, number> = { open: 0, pledged: 1, fulfilled: 2, closed: 3 }

/** Open needs first, then pledged, fulfilled, closed; within a status the nearest deadline first. */
export function sortNeeds<T extends Pick<PublicNeed, 'status' | 'deadline' | 'id'>>(items: T[]): T[] {
  return [...items].sort((a, b) => (statusOrder[a.status] ?? 9) - (statusOrder[b.status] ?? 9) || a.deadline.localeCompare(b.deadline) || a.id - b.id)
}

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default'

export function needTag(status: string): TagType {
  return ({ open: 'danger', pledged: 'warning', fulfilled: 'success', closed: 'default' } as Record<string, TagType>)[status] ?? 'default'
}

/** How far a need is, in percent (0–100): donated against the target; a fulfilled need is 100. */
export function needProgress(n: Pick<PublicNeed, 'status' | 'target_fen' | 'donated_fen'>): number {
  if (n.status === 'fulfilled') return 100
  if (!n.target_fen) return 0
  return Math.max(0, Math.min(100, Math.floor((100 * n.donated_fen) / n.target_fen)))
}

/** Whether a need still takes pledges on the portal. */
export function pledgeable(n: Pick<PublicNeed, 'status'>): boolean {
  return n.status === 'open' || n.status === 'pledged'
}

/** The pledge kind for a need: money for money needs, goods (or a service, described) otherwise. */
export function pledgeKind(n: Pick<PublicNeed, 'kind'>): 'money' | 'goods' {
  return n.kind === 'money' ? 'money' : 'goods'
}

const mobile = /^1[3-9]\d{9}$/

/** The 认捐 form's own checks: i18n keys by the server's field names. */
export function pledgeErrors(f: PledgeForm): Record<string, string> {
  const e: Record<string, string> = {}
  // an anonymous donor may leave the name out (the server asks for it otherwise)
  if (!f.anonymous && !f.name.trim()) e.name = 'social.pledge.err.name'
  if (!mobile.test(f.phone.trim())) e.phone = 'social.pledge.err.phone'
  if (f.kind === 'money') {
    const fen = parseYuan(f.amount)
    if (fen === null) e.amount_yuan = 'social.pledge.err.amount'
    else if (fen <= 0) e.amount_yuan = 'social.pledge.err.amountPositive'
  } else if (!f.goods.trim()) e.goods = 'social.pledge.err.goods'
  if (!/^\d{1,3}$/.test(f.answer.trim())) e.captcha_answer = 'social.pledge.err.answer'
  return e
}

/** The JSON body of POST /api/v1/public/pledges. */
export function pledgeBody(f: PledgeForm, needId: number, token: string) {
  const money = f.kind === 'money'
  return {
    name: f.name.trim(),
    phone: f.phone.trim(),
    anonymous: f.anonymous,
    need_id: needId,
    kind: f.kind,
    amount_yuan: money ? f.amount.trim() : '',
    goods: money ? '' : f.goods.trim(),
    captcha_token: token,
    captcha_answer: f.answer.trim(),
  }
}

/** A receipt number as printed (JZ2026-000123), whatever case or spaces people type. */
export function normReceipt(s: string): string {
  return s.replace(/[\s\u3000]/g, '').toUpperCase()
}

/** A 查询码 as printed: 8 characters, upper case, spaces and dashes people add dropped. */
export function normKey(s: string): string {
  return s.replace(/[\s\u3000-]/g, '').toUpperCase()
}

export const receiptPattern = /^JZ\d{4}-\d{1,9}$/
export const keyPattern = /^[A-Z0-9]{8}$/

/** Totals of a donor's trace: paid to households and how many were reached. */
export function traceTotals(t: Pick<Trace, 'reached'>): { fen: number; households: number; qty: number } {
  const rs = (t.reached ?? []).filter((r) => !r.reversed)
  const hh = new Set(rs.map((r) => `${r.village_code}/${r.head_name}`))
  return { fen: rs.reduce((s, r) => s + r.amount_fen, 0), households: hh.size, qty: rs.reduce((s, r) => s + r.quantity, 0) }
}
