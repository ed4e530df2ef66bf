// The queue of visits recorded on the phone and not yet delivered, and what each answer of
// POST /field/sync does to an item. Pure: the store persists what these functions return.
import type { FieldVisit, SyncResult, VisitUpload } from './types'

// waiting: to be sent; sending: in the current sync run; rejected: the server refused it,
// it stays (with the server's message) until the helper fixes or deletes it; conflict:
// delivered, but the office had changed the visit meanwhile — shown until dismissed.
export type QueueState = 'waiting' | 'sending' | 'rejected' | 'conflict'

export interface QueueItem {
  client_id: string
  household_id: number
  head_name: string
  visit: VisitUpload
  state: QueueState
  code: string
  message: string
  field: string
  visit_id: number
  version: number
  attempts: number
  created_at: string
  updated_at: string
}

export function newItem(visit: VisitUpload, headName: string, now: Date): QueueItem {
  const ts = now.toISOString()
  return {
    client_id: visit.client_id,
    household_id: visit.household_id,
    head_name: headName,
    visit,
    state: 'waiting',
    code: '',
    message: '',
    field: '',
    visit_id: 0,
    version: 0,
    attempts: 0,
    created_at: ts,
    updated_at: ts,
  }
}

// editItem puts a changed visit back in line (a rejected visit that was fixed).
export function editItem(item: QueueItem, visit: VisitUpload, now: Date): QueueItem {
  return { ...item, visit, household_id: visit.household_id, state: 'waiting', code: '', message: '', field: '', updated_at: now.toISOString() }
}

// toSend: the items a sync run uploads, oldest first.
export function toSend(items: QueueItem[]): QueueItem[] {
  return items.filter((i) => i.state === 'waiting').sort((a, b) => a.created_at.localeCompare(b.created_at))
}

// recover: after the app was closed during a run, "sending" means "not known to be delivered".
export function recover(item: QueueItem): QueueItem {
  return item.state === 'sending' ? { ...item, state: 'waiting' } : item
}

// pendingCount: what the badge shows — everything not delivered yet.
export function pendingCount(items: QueueItem[]): number {
  return items.filter((i) => i.state !== 'conflict').length
}

export interface Outcome {
  // the queue item after the answer; null = delivered, drop it from the queue
  item: QueueItem | null
  // the server's copy of the visit now (for the household card); null when not delivered
  delivered: FieldVisit | null
  // the server lacks one of the visit's photos: upload them again and resend
  photoMissing: boolean
}

function deliveredVisit(item: QueueItem, r: SyncResult, conflict: boolean, now: Date): FieldVisit {
  return {
    ...item.visit,
    id: r.visit_id ?? item.visit_id,
    version: r.version ?? item.version,
    conflict,
    received_at: now.toISOString(),
  }
}

// applyResult: one answer of POST /field/sync for one queued visit.
export function applyResult(item: QueueItem, r: SyncResult | undefined, now: Date): Outcome {
  const ts = now.toISOString()
  if (!r || r.client_id !== item.client_id) {
    // No answer for it (a short response): it was not processed; try again later.
    return { item: { ...item, state: 'waiting', updated_at: ts }, delivered: null, photoMissing: false }
  }
  switch (r.status) {
    case 'accepted':
    case 'duplicate':
    case 'updated':
      return { item: null, delivered: deliveredVisit(item, r, false, now), photoMissing: false }
    case 'conflict':
      return {
        item: {
          ...item,
          state: 'conflict',
          code: 'conflict',
          message: r.message ?? '',
          field: '',
          visit_id: r.visit_id ?? item.visit_id,
          version: r.version ?? item.version,
          updated_at: ts,
        },
        delivered: deliveredVisit(item, r, true, now),
        photoMissing: false,
      }
    case 'rejected':
      if (r.code === 'photo_missing') {
        return {
          item: { ...item, state: 'waiting', code: r.code, message: r.message ?? '', field: r.field ?? 'photos', updated_at: ts },
          delivered: null,
          photoMissing: true,
        }
      }
      return {
        item: { ...item, state: 'rejected', code: r.code ?? '', message: r.message ?? '', field: r.field ?? '', updated_at: ts },
        delivered: null,
        photoMissing: false,
      }
    default:
      // A status this app does not know: keep the visit and say so.
      return {
        item: { ...item, state: 'rejected', code: r.code ?? String(r.status), message: r.message ?? String(r.status), field: r.field ?? '', updated_at: ts },
        delivered: null,
        photoMissing: false,
      }
  }
}
