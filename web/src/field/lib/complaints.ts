// Complaints a helper takes down for a villager (代为反映问题), queued on the phone like
// visits and sent by the sync run to POST /complaints (channel field). Each carries a
// client_id made on the phone: the server stores it (hashed) and answers a resent complaint
// with the code it already gave, so a sync whose answer was lost never makes a second one.
// Sent complaints stay on the phone with their tracking code, for the helper to tell the
// villager. Pure functions plus one run with its storage and network passed in.
import { AuthError, call, HttpError, NetworkError, type FetchFn } from './api'

export const complaintCategories = ['funds', 'identification', 'project', 'conduct', 'visit', 'other'] as const
export type ComplaintCategory = (typeof complaintCategories)[number]

// What the helper fills in; the household and region come from the household page.
export interface ComplaintDraft {
  category: ComplaintCategory | ''
  subject: string
  content: string
  anonymous: boolean
  name: string
  phone: string
}

// The body of POST /complaints.
export interface ComplaintUpload {
  client_id: string
  channel: 'field'
  anonymous: boolean
  name: string
  phone: string
  category: string
  region_code: string
  entity_type: 'household'
  entity_ref: string
  subject: string
  content: string
}

// waiting: to be sent; sending: in the current run; sent: the server gave a tracking code;
// rejected: the server refused it (its reason shown) until the helper deletes it.
export type ComplaintState = 'waiting' | 'sending' | 'sent' | 'rejected'

export interface ComplaintItem {
  kind: 'complaint'
  client_id: string
  household_id: number
  head_name: string
  complaint: ComplaintUpload
  state: ComplaintState
  tracking_code: string
  deadline: string
  code: string
  message: string
  field: string
  attempts: number
  created_at: string
  updated_at: string
}

export interface LodgeAnswer {
  tracking_code: string
  deadline: string
}

// Limits the server applies (characters): checked on the phone so a complaint is not
// refused a day later in a place without signal.
export const limits = { subject: [2, 100], content: [5, 2000], name: [1, 50] } as const

const chars = (s: string) => [...s].length

// checkDraft answers field → message key of what is wrong (empty when the draft can be queued).
export function checkDraft(d: ComplaintDraft): Record<string, string> {
  const bad: Record<string, string> = {}
  if (!complaintCategories.includes(d.category as ComplaintCategory)) bad.category = 'complaint.needCategory'
  const subject = d.subject.trim()
  const content = d.content.trim()
  if (chars(subject) < limits.subject[0] || chars(subject) > limits.subject[1]) bad.subject = 'complaint.badSubject'
  if (chars(content) < limits.content[0] || chars(content) > limits.content[1]) bad.content = 'complaint.badContent'
  if (!d.anonymous) {
    const name = d.name.trim()
    if (chars(name) < limits.name[0] || chars(name) > limits.name[1]) bad.name = 'complaint.needName'
    if (!validPhone(d.phone.trim())) bad.phone = 'complaint.badPhone'
  }
  return bad
}

// validPhone: a mobile number (11 digits starting with 1) or a landline (digits, at most one
// inner dash, 7 to 13 digits) — the server's rule.
export function validPhone(s: string): boolean {
  if (/^1\d{10}$/.test(s)) return true
  if (!/^\d+(-\d+)?$/.test(s)) return false
  const digits = s.replace('-', '').length
  return digits >= 7 && digits <= 13
}

export function newComplaint(
  clientId: string,
  d: ComplaintDraft,
  h: { id: number; household_no: string; head_name: string; region_code: string },
  now: Date,
): ComplaintItem {
  const ts = now.toISOString()
  return {
    kind: 'complaint',
    client_id: clientId,
    household_id: h.id,
    head_name: h.head_name,
    complaint: {
      client_id: clientId,
      channel: 'field',
      anonymous: d.anonymous,
      name: d.anonymous ? '' : d.name.trim(),
      phone: d.anonymous ? '' : d.phone.trim(),
      category: d.category,
      region_code: h.region_code,
      entity_type: 'household',
      entity_ref: h.household_no,
      subject: d.subject.trim(),
      content: d.content.trim(),
    },
    state: 'waiting',
    tracking_code: '',
    deadline: '',
    code: '',
    message: '',
    field: '',
    attempts: 0,
    created_at: ts,
    updated_at: ts,
  }
}

export function complaintsToSend(items: ComplaintItem[]): ComplaintItem[] {
  return items.filter((i) => i.state === 'waiting').sort((a, b) => a.created_at.localeCompare(b.created_at))
}

// recoverComplaint: after the app was closed during a run, "sending" means "not known to be
// delivered" — it is sent again, and the client_id makes that harmless.
export function recoverComplaint(item: ComplaintItem): ComplaintItem {
  return item.state === 'sending' ? { ...item, state: 'waiting' } : item
}

// pendingComplaints: what the badge counts — not yet delivered (waiting, sending, rejected).
export function pendingComplaints(items: ComplaintItem[]): number {
  return items.filter((i) => i.state !== 'sent').length
}

export function sentItem(item: ComplaintItem, a: LodgeAnswer, now: Date): ComplaintItem {
  return { ...item, state: 'sent', tracking_code: a.tracking_code, deadline: a.deadline ?? '', code: '', message: '', field: '', updated_at: now.toISOString() }
}

export function rejectedItem(item: ComplaintItem, e: HttpError, now: Date): ComplaintItem {
  const field = Object.keys(e.fields)[0] ?? ''
  const detail = field ? e.fields[field] : ''
  const message = detail && !e.message.includes(detail) ? `${e.message}:${detail}` : e.message
  return { ...item, state: 'rejected', code: e.code, message, field, updated_at: now.toISOString() }
}

export interface ComplaintSyncDeps {
  token: string
  fetch?: FetchFn
  now(): Date
  items(): Promise<ComplaintItem[]>
  saveItem(item: ComplaintItem): Promise<void>
}

export interface ComplaintSyncReport {
  sent: number
  rejected: number
  stopped: '' | 'network' | 'auth'
}

function transient(e: unknown): boolean {
  return e instanceof NetworkError || (e instanceof HttpError && (e.status >= 500 || e.status === 429))
}

// runComplaintSync sends every waiting complaint, oldest first, one request each. No network,
// a server error or an expired token stops the run and keeps the rest waiting.
export async function runComplaintSync(deps: ComplaintSyncDeps): Promise<ComplaintSyncReport> {
  const report: ComplaintSyncReport = { sent: 0, rejected: 0, stopped: '' }
  for (const item of complaintsToSend(await deps.items())) {
    const sending: ComplaintItem = { ...item, state: 'sending', attempts: item.attempts + 1, updated_at: deps.now().toISOString() }
    await deps.saveItem(sending)
    try {
      const a = await call<LodgeAnswer>('POST', '/complaints', { token: deps.token, fetch: deps.fetch, body: item.complaint })
      if (!a || typeof a.tracking_code !== 'string' || !a.tracking_code) throw new NetworkError('no tracking code in the answer')
      await deps.saveItem(sentItem(sending, a, deps.now()))
      report.sent++
    } catch (e) {
      if (e instanceof HttpError && !transient(e)) {
        await deps.saveItem(rejectedItem(sending, e, deps.now()))
        report.rejected++
        continue
      }
      await deps.saveItem({ ...sending, state: 'waiting' })
      if (e instanceof AuthError) report.stopped = 'auth'
      else if (transient(e)) report.stopped = 'network'
      else throw e
      break
    }
  }
  return report
}
