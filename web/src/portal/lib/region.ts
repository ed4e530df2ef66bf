// The region pages' data (阳光公开): the shapes of the public API they read (see
// internal/disclosure/types.go, internal/projects/types.go PublicProject,
// internal/oversight/complaints_public.go) and the small pure helpers the pages share —
// objection periods, the lazy region tree behind the home page's search, tracking codes.
import { get } from './api'
import { formatDate, formatDateTime } from '../../utils/format'
import { levelOf } from '../../utils/region'

export { formatDate, formatDateTime, levelOf }

// The demo city's root (GET /api/v1/public/regions/320900000000).
export const CITY_CODE = '320900000000'

export type Level = 'city' | 'county' | 'town' | 'village'

export interface RegionRef {
  code: string
  name: string
  level: Level | string
}

export interface Stats {
  year: number
  households: number
  people: number
  exited_year: number
  helpers: number
  paid_year_fen: number
  paid_total_fen: number
  projects: number
  project_budget_fen: number
}

export interface Notice {
  id: number
  kind: string
  kind_label: string
  region_code: string
  region_name: string
  title: string
  body: string
  starts_at: string
  ends_at: string
  period: 'open' | 'closed' | string
  objections: number
  unanswered: number
}

export interface RegionPage {
  code: string
  name: string
  level: Level | string
  path: RegionRef[]
  children: RegionRef[]
  stats: Stats
  notices: Notice[]
  as_of: string
}

export interface Household {
  head_name: string
  village_code: string
  village_name: string
  type: string
  type_label: string
  status: string
  status_label: string
  members_count: number
  helper_name: string
}

export interface HouseholdList {
  items: Household[]
  next: string | null
}

export interface ItemUse {
  item_id: number
  item_name: string
  households: number
  households_year: number
  paid_fen: number
  paid_year_fen: number
}

export interface FundUse {
  fund_id: number
  code: string
  name: string
  category: string
  source_level: string
  year: number
  paid_fen: number
  paid_year_fen: number
  items: ItemUse[]
}

export interface FundsPage {
  code: string
  name: string
  year: number
  paid_fen: number
  paid_year_fen: number
  households: number
  funds: FundUse[]
  as_of: string
}

export interface PublicProject {
  code: string
  name: string
  kind: string
  subkind: string
  region_code: string
  region_name: string
  year: number
  scale: string
  implementer: string
  benefit_mechanism: string
  targets: string
  budget_fen: number
  received_fen: number
  stage_label: string
  beneficiaries: number
}

export interface ProjectList {
  items: PublicProject[]
  next: string | null
}

export interface ObjectionReceipt {
  id: number
  notice_id: number
  lodged_at: string
  contact: string
  message: string
}

export interface ComplaintInput {
  channel: 'portal'
  anonymous: boolean
  name: string
  phone: string
  category: string
  region_code: string
  subject: string
  content: string
}

export interface LodgeResult {
  tracking_code: string
  deadline: string
}

export interface PublicComplaint {
  tracking_code: string
  status: string
  category: string
  category_label: string
  subject: string
  created_at: string
  deadline: string | null
  reply: string
  replied_at: string | null
  satisfaction: string
}

export interface Dataset {
  name: string
  title: string
  description: string
  url: string
  levels?: string[]
}

export interface OpenCatalogue {
  datasets: Dataset[]
}

// The complaint categories the server accepts (oversight.ComplaintCategories), in form order.
export const COMPLAINT_CATEGORIES = ['funds', 'identification', 'project', 'conduct', 'visit', 'other'] as const
export const SATISFACTIONS = ['satisfied', 'basic', 'unsatisfied'] as const
// Limits of oversight's validate (characters).
export const COMPLAINT_LIMITS = { subject: [2, 100], content: [5, 2000], name: [1, 50] } as const
// Limits of disclosure.Object.
export const OBJECTION_LIMITS = { content: 1000, contact: 100 } as const

// ---- objection periods ----

const DAY = 24 * 60 * 60 * 1000

// Whole days left of a notice's period at now, counted up (0.2 day left is "1 day"); 0 once
// it has ended.
export function daysLeft(endsAt: string, now: Date = new Date()): number {
  const end = new Date(endsAt).getTime()
  if (Number.isNaN(end)) return 0
  const ms = end - now.getTime()
  return ms <= 0 ? 0 : Math.ceil(ms / DAY)
}

// Notices open first (the earliest ending first: those need an objection soonest), then the
// closed ones, latest ended first. The server already sends them so; sorting again keeps the
// page right if that ever changes.
export function sortNotices(ns: Notice[]): Notice[] {
  return [...ns].sort((a, b) => {
    const ao = a.period === 'open' ? 0 : 1
    const bo = b.period === 'open' ? 0 : 1
    if (ao !== bo) return ao - bo
    return ao === 0 ? a.ends_at.localeCompare(b.ends_at) : b.ends_at.localeCompare(a.ends_at)
  })
}

// ---- tracking codes ----

const trackingAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

// normalizeTrackingCode reads a code as a complainant may type it (oversight.ParseTrackingCode:
// with or without TS-, dashes, spaces, any case) and shows it grouped, TS-XXXX-XXXX-XXXX; ''
// for anything that cannot be a code (the page then does not ask the server at all).
export function normalizeTrackingCode(s: string): string {
  let b = s.toUpperCase().replace(/[\s-]/g, '')
  if (b.length === 14 && b.startsWith('TS')) b = b.slice(2)
  if (b.length !== 12) return ''
  for (const c of b) if (!trackingAlphabet.includes(c)) return ''
  return `TS-${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8)}`
}

// ---- the region tree (home page search) ----

export interface Place extends RegionRef {
  parents: string // "响水县 · 胡庄镇"
}

// RegionTree loads region pages once each and keeps the children: the home page's search
// walks it lazily (counties → towns → villages) only when someone starts typing.
export class RegionTree {
  private pages = new Map<string, Promise<RegionPage>>()
  private fetch: (code: string) => Promise<RegionPage>

  constructor(fetchPage: (code: string) => Promise<RegionPage> = (code) => get<RegionPage>(`/regions/${code}`)) {
    this.fetch = fetchPage
  }

  page(code: string): Promise<RegionPage> {
    let p = this.pages.get(code)
    if (!p) {
      p = this.fetch(code)
      this.pages.set(code, p)
      // A failed load is forgotten so a retry asks again.
      p.catch(() => this.pages.delete(code))
    }
    return p
  }

  // All towns and villages under root, level by level (a level's pages at most `parallel` at
  // a time); progress is called with (loaded, known) as pages arrive.
  async places(root: string, parallel = 4, progress?: (loaded: number, known: number) => void): Promise<Place[]> {
    const out: Place[] = []
    let level: { code: string; parents: string[] }[] = [{ code: root, parents: [] }]
    let loaded = 0
    let known = 1
    while (level.length) {
      const next: { code: string; parents: string[] }[] = []
      await mapLimit(level, parallel, async (r) => {
        const pg = await this.page(r.code)
        loaded++
        const parents = pg.level === 'city' ? r.parents : [...r.parents, pg.name]
        for (const c of pg.children) {
          if (c.level === 'town' || c.level === 'village') out.push({ ...c, parents: parents.join(' · ') })
          // Villages have no children: their pages are not needed for the search.
          if (c.level !== 'village') {
            next.push({ code: c.code, parents })
            known++
          }
        }
        progress?.(loaded, known)
      })
      level = next
    }
    return out
  }
}

// mapLimit runs fn over xs with at most n at a time; the first failure rejects.
export async function mapLimit<T>(xs: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0
  const worker = async () => {
    while (i < xs.length) {
      const x = xs[i++]
      await fn(x)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, xs.length)) }, worker))
}

// The places whose name contains q (ignoring spaces), towns before villages, at most max.
export function searchPlaces(places: Place[], q: string, max = 50): Place[] {
  const s = q.replace(/\s+/g, '')
  if (!s) return []
  const hits = places.filter((p) => p.name.includes(s))
  hits.sort((a, b) => (a.level === b.level ? a.code.localeCompare(b.code) : a.level === 'town' ? -1 : 1))
  return hits.slice(0, max)
}

// ---- open data ----

// The download address of a dataset for a region: the catalogue's url with {code} filled
// in, or with ?region= added.
export function datasetURL(d: Dataset, region: string): string {
  if (d.url.includes('{code}')) return d.url.replace('{code}', encodeURIComponent(region))
  if (!region) return d.url
  return d.url + (d.url.includes('?') ? '&' : '?') + 'region=' + encodeURIComponent(region)
}
