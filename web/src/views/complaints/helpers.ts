// Pure helpers of the complaint, spot-check and accountability screens: which actions a
// complaint offers in its state, the hotline form's checks and payload, the spot plan's
// filter per target kind and its checks, and the verify result read as one verdict.
import type { ComplaintInput, ComplaintRow, SpotFilter, SpotPlan, SpotTarget, SpotVerify, TargetKind } from '../../api/complaints'
import { isDate, validPeriod } from '../../utils/funds'

export const statusTag: Record<string, 'warning' | 'primary' | 'success' | 'info' | 'danger'> = {
  received: 'warning',
  assigned: 'primary',
  replied: 'success',
  closed: 'info',
}

export const isPending = (status: string) => status !== 'closed'

export interface ComplaintActions {
  assign: boolean
  reply: boolean
  close: boolean
  forward: boolean
}

// The buttons a complaint shows: 交办 while received (again while assigned: re-assign),
// 答复 once assigned, 办结 once replied, 移送纪委 while open and not forwarded yet.
export function complaintActions(c: Pick<ComplaintRow, 'status' | 'misconduct'>, canHandle: boolean): ComplaintActions {
  if (!canHandle) return { assign: false, reply: false, close: false, forward: false }
  return {
    assign: c.status === 'received' || c.status === 'assigned',
    reply: c.status === 'assigned',
    close: c.status === 'replied',
    forward: c.status !== 'closed' && !c.misconduct,
  }
}

export interface HotlineForm {
  channel: 'hotline' | 'staff'
  anonymous: boolean
  name: string
  phone: string
  category: string
  region_code: string
  subject: string
  content: string
  entity_ref: string
}

export function emptyHotline(region = ''): HotlineForm {
  return { channel: 'hotline', anonymous: false, name: '', phone: '', category: '', region_code: region, subject: '', content: '', entity_ref: '' }
}

// A mobile number (11 digits starting with 1) or a landline (digits with at most one inner
// dash, 7 to 13 digits) — the server's rule.
export function validPhone(s: string): boolean {
  if (/^1\d{10}$/.test(s)) return true
  if (!/^\d+(-\d+)?$/.test(s)) return false
  const digits = s.replace('-', '').length
  return digits >= 7 && digits <= 13
}

// Field errors as i18n keys; the server checks again.
export function hotlineErrors(f: HotlineForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (!f.category) e.category = 'complaints.err.category'
  if (!/^\d{12}$/.test(f.region_code)) e.region_code = 'complaints.err.region'
  const subject = f.subject.trim()
  if ([...subject].length < 2) e.subject = 'complaints.err.subject'
  else if ([...subject].length > 100) e.subject = 'complaints.err.subjectLong'
  const content = f.content.trim()
  if ([...content].length < 5) e.content = 'complaints.err.content'
  else if ([...content].length > 2000) e.content = 'complaints.err.contentLong'
  if (!f.anonymous) {
    if (!f.name.trim()) e.name = 'complaints.err.name'
    if (!validPhone(f.phone.trim())) e.phone = 'complaints.err.phone'
  }
  return e
}

// The body of POST /complaints: an anonymous complaint carries no name or phone at all.
export function hotlinePayload(f: HotlineForm): ComplaintInput {
  const out: ComplaintInput = {
    channel: f.channel,
    anonymous: f.anonymous,
    name: f.anonymous ? '' : f.name.trim(),
    phone: f.anonymous ? '' : f.phone.trim(),
    category: f.category,
    region_code: f.region_code,
    subject: f.subject.trim(),
    content: f.content.trim(),
  }
  if (f.entity_ref.trim()) out.entity_ref = f.entity_ref.trim()
  return out
}

// Working days for the 交办 deadline: a whole number 1–60.
export function deadlineDaysError(s: string): string {
  const v = s.trim()
  if (!/^\d{1,2}$/.test(v) || Number(v) < 1 || Number(v) > 60) return 'complaints.err.days'
  return ''
}

export interface SpotForm {
  title: string
  region_code: string
  target_kind: TargetKind
  status: string
  household_type: string
  fund_id: number | null
  item_id: number | null
  period: string
  from: string
  to: string
  kind: string
  stage: number | null
  year: number | null
  sample_size: number
  inspectors_per_target: number
  inspector_ids: number[]
}

export function emptySpot(region = ''): SpotForm {
  return {
    title: '',
    region_code: region,
    target_kind: 'household',
    status: 'registered',
    household_type: '',
    fund_id: null,
    item_id: null,
    period: '',
    from: '',
    to: '',
    kind: '',
    stage: null,
    year: null,
    sample_size: 10,
    inspectors_per_target: 2,
    inspector_ids: [],
  }
}

// Only the filter fields of the chosen kind, and only those filled in.
export function spotFilter(f: SpotForm): SpotFilter {
  const out: SpotFilter = {}
  if (f.target_kind === 'household') {
    if (f.status) out.status = f.status
    if (f.household_type) out.household_type = f.household_type
  } else if (f.target_kind === 'project') {
    if (f.kind) out.kind = f.kind
    if (f.stage !== null) out.stage = f.stage
    if (f.year) out.year = f.year
  } else {
    if (f.fund_id) out.fund_id = f.fund_id
    if (f.fund_id && f.item_id) out.item_id = f.item_id
    if (f.period.trim()) out.period = f.period.trim()
    if (f.from) out.from = f.from
    if (f.to) out.to = f.to
  }
  return out
}

export function spotErrors(f: SpotForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (!f.title.trim()) e.title = 'complaints.err.title'
  if (!/^\d{12}$/.test(f.region_code)) e.region_code = 'complaints.err.region'
  if (!Number.isInteger(f.sample_size) || f.sample_size < 1) e.sample_size = 'complaints.err.sample'
  if (!Number.isInteger(f.inspectors_per_target) || f.inspectors_per_target < 1) e.inspectors_per_target = 'complaints.err.perTarget'
  if (f.inspector_ids.length < Math.max(1, f.inspectors_per_target)) e.inspector_ids = 'complaints.err.pool'
  if (f.target_kind === 'payment') {
    if (f.period.trim() && !validPeriod(f.period.trim())) e['filter.period'] = 'complaints.err.period'
    if (f.from && !isDate(f.from)) e['filter.from'] = 'complaints.err.date'
    if (f.to && !isDate(f.to)) e['filter.to'] = 'complaints.err.date'
    if (f.from && f.to && isDate(f.from) && isDate(f.to) && f.from > f.to) e['filter.to'] = 'complaints.err.range'
  }
  if (f.target_kind === 'project' && f.year !== null && (!Number.isInteger(f.year) || f.year < 2000 || f.year > 2099)) e['filter.year'] = 'complaints.err.year'

  return e
}

// The verify answer is good only when all three checks pass (and the inspectors' one, when
// the server answers it).
export function verifyOK(v: SpotVerify | null | undefined): boolean {
  return !!v && v.seed_matches_hash && v.population_matches_hash && v.sample_matches && v.inspectors_match !== false
}

// Who may record a target's finding: one of its drawn inspectors or the plan's creator.
export function mayRecord(plan: Pick<SpotPlan, 'status' | 'created_by'>, t: Pick<SpotTarget, 'inspectors'>, userId: number | undefined, canWrite: boolean): boolean {
  if (!canWrite || userId === undefined || plan.status !== 'drawn') return false
  return plan.created_by === userId || (t.inspectors ?? []).some((i) => i.user_id === userId)
}

// A long hex digest shown in groups of eight so it can be compared by eye.
export function groupHex(h: string | null | undefined): string {
  if (!h) return ''
  return h.replace(/(.{8})(?=.)/g, '$1 ')
}

// A list endpoint that answers either [..] or {items: [..]}.
export function itemsOf<T>(r: T[] | { items: T[] | null } | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : (r.items ?? [])
}

// A problem count of a plan's targets, and how many are recorded.
export function targetCounts(targets: Pick<SpotTarget, 'result'>[] | null | undefined): { total: number; recorded: number; problems: number } {
  const list = targets ?? []
  return {
    total: list.length,
    recorded: list.filter((t) => t.result === 'ok' || t.result === 'problem').length,
    problems: list.filter((t) => t.result === 'problem').length,
  }
}
