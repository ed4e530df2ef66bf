// 社会扶贫 (donation platform): donors, needs (微心愿), pledges, donations with their receipts,
// disbursements to households' passbooks and goods deliveries. One call per console route of
// internal/giving (see /docs/api.md); shapes follow the Go json tags in internal/giving/types.go.
import { get, post } from './client'
import { upload, type UploadOptions } from './upload'
import type { Page } from './types'

export type DonorKind = 'person' | 'enterprise' | 'organisation'
export type NeedKind = 'money' | 'goods' | 'service'
export type NeedStatus = 'open' | 'pledged' | 'fulfilled' | 'closed'
export type PledgeStatus = 'pledged' | 'fulfilled' | 'cancelled'
export type DonationKind = 'money' | 'goods'

export interface Donor {
  id: number
  kind: DonorKind | string
  name: string
  public_name: string
  anonymous: boolean
  phone: string
  credit_code: string
  region_code: string
  region_name: string
  donated_fen: number
  donations: number
  version: number
  created_at: string
}

export interface DonorInput {
  kind: DonorKind | string
  name: string
  phone: string
  credit_code: string
  region_code: string
  anonymous: boolean
}

export interface Need {
  id: number
  code: string
  region_code: string
  region_name: string
  household_id?: number | null
  head_name: string
  title: string
  content: string
  kind: NeedKind | string
  target_fen: number
  goods: string
  status: NeedStatus | string
  pledged_fen: number
  donated_fen: number
  published_on: string
  deadline: string
  fulfilled_on: string | null
  close_reason: string
  version: number
}

export interface NeedInput {
  region_code: string
  household_id: number | null
  title: string
  content: string
  kind: NeedKind | string
  target_yuan: string
  goods: string
  deadline: string
}

export interface Pledge {
  id: number
  donor_id: number
  donor_name: string
  need_id: number | null
  need_title: string
  region_code: string
  kind: DonationKind | string
  amount_fen: number
  goods: string
  status: PledgeStatus | string
  pledged_on: string
  due_on: string
  donation_id: number | null
  channel: 'console' | 'portal' | string
  cancel_reason?: string
  version: number
}

export interface Donation {
  id: number
  receipt_no: string
  donor_id: number
  donor_name: string
  kind: DonationKind | string
  region_code: string
  region_name: string
  need_id: number | null
  pledge_id: number | null
  amount_fen: number
  goods: string
  quantity: number
  value_fen: number
  received_on: string
  purpose: string
  fund_id: number | null
  fund_code: string
  account_id: number | null
  disbursed_fen: number
  delivered_qty: number
  households: number
  query_key?: string
  version: number
  created_at: string
}

export interface DonationInput {
  donor_id: number
  pledge_id: number | null
  need_id: number | null
  kind: DonationKind | string
  region_code: string
  amount_yuan: string
  goods: string
  quantity: number
  value_yuan: string
  received_on: string
  purpose: string
}

export interface Reach {
  village_code: string
  village_name: string
  head_name: string
  household_id?: number
  amount_fen: number
  quantity: number
  on_date: string
  transfer_id?: number
  reversed?: boolean // the payment was taken back (冲销)
}

export interface Delivery {
  id: number
  donation_id: number
  household_id: number
  head_name: string
  village_name: string
  quantity: number
  delivered_on: string
  signed_by: string
  receipt_sha256: string
}

export interface DonationTrace {
  donation: Donation
  reached: Reach[] | null
  deliveries: Delivery[] | null
}

export interface DisburseLine {
  household_id: number
  amount_yuan: string
}

export interface DisburseInput {
  version: number
  on_date: string
  lines: DisburseLine[]
}

export interface SocialSummary {
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

type Q = Record<string, string | number | undefined | null>

// Lists answer {items, next} (httpx.NewList); a plain array or next_after is accepted too.
type ListBody<T> = T[] | { items: T[] | null; next?: string | null; next_after?: string | null } | null

function page<T>(r: ListBody<T>): Page<T> {
  if (!r) return { items: [], next: null }
  if (Array.isArray(r)) return { items: r, next: null }
  return { items: r.items ?? [], next: r.next ?? r.next_after ?? null }
}

export const socialApi = {
  summary: (region?: string) => get<SocialSummary>('/social/summary', { region }),

  donors: (q: Q) => get<ListBody<Donor>>('/donors', q).then((r) => page(r)),
  donor: (id: number) => get<Donor>(`/donors/${id}`),
  createDonor: (d: DonorInput) => post<Donor>('/donors', d, { quiet: true }),

  needs: (q: Q) => get<ListBody<Need>>('/needs', q).then((r) => page(r)),
  need: (id: number) => get<Need>(`/needs/${id}`),
  createNeed: (n: NeedInput) => post<Need>('/needs', n, { quiet: true }),
  closeNeed: (id: number, version: number, reason: string) => post<Need>(`/needs/${id}/close`, { version, reason }, { quiet: true }),

  pledges: (q: Q) => get<ListBody<Pledge>>('/pledges', q).then((r) => page(r)),

  donations: (q: Q) => get<ListBody<Donation>>('/donations', q).then((r) => page(r)),
  donation: (id: number) => get<DonationTrace>(`/donations/${id}`),
  createDonation: (d: DonationInput) => post<Donation>('/donations', d, { quiet: true }),
  disburse: (id: number, d: DisburseInput) => post<DonationTrace>(`/donations/${id}/disburse`, d, { quiet: true }),
  deliver: (id: number, form: FormData, opts: UploadOptions = {}) => upload<Delivery>(`/donations/${id}/deliveries`, form, { quiet: true, ...opts }),
  receiptURL: (id: number, did: number) => `/api/v1/donations/${id}/deliveries/${did}/receipt`,
}
