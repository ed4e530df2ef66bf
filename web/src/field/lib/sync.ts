// One sync run: upload the photos of every waiting visit (resumably), send the visits in
// batches, and apply the answers. Storage and network are passed in, so the whole run is
// tested with fakes.
import { AuthError, call, HttpError, NetworkError, type FetchFn } from './api'
import { applyResult, toSend, type QueueItem } from './queue'
import type { FieldVisit, SyncResult } from './types'
import { PhotoRejected, uploadPhoto, type PhotoBytes } from './upload'

export const batchSize = 50

export interface StoredPhotoBytes extends PhotoBytes {
  uploaded: boolean
}

export interface SyncDeps {
  token: string
  fetch?: FetchFn
  now(): Date
  items(): Promise<QueueItem[]>
  saveItem(item: QueueItem): Promise<void>
  removeItem(clientId: string): Promise<void>
  // the photo's bytes on the phone; null when the phone no longer has them (a visit
  // downloaded from the server being edited: the server has those photos)
  photo(sha256: string): Promise<StoredPhotoBytes | null>
  markUploaded(sha256: string, uploaded: boolean): Promise<void>
  delivered(v: FieldVisit): Promise<void>
  progress?(p: { photosDone: number; photosTotal: number }): void
}

export interface SyncReport {
  delivered: number
  // complaints (代为反映) sent in the same run, by the store after the visits
  complaintsSent?: number
  conflicts: number
  rejected: number
  // why the run stopped early: no network (or server unavailable), or the token expired
  stopped: '' | 'network' | 'auth'
}

function transient(e: unknown): boolean {
  return e instanceof NetworkError || (e instanceof HttpError && (e.status >= 500 || e.status === 429))
}

export async function runSync(deps: SyncDeps): Promise<SyncReport> {
  const report: SyncReport = { delivered: 0, conflicts: 0, rejected: 0, stopped: '' }
  let items = toSend(await deps.items())
  const inFlight = new Map<string, QueueItem>()
  const reject = async (item: QueueItem, code: string, message: string, field: string) => {
    report.rejected++
    await deps.saveItem({ ...item, state: 'rejected', code, message, field, updated_at: deps.now().toISOString() })
  }
  try {
    // Round 2 only resends visits the server said lacked a photo (uploaded again first).
    for (let round = 0; round < 2 && items.length > 0; round++) {
      const ready: QueueItem[] = []
      const shas = new Set(items.flatMap((i) => i.visit.photos.map((p) => p.sha256)))
      let done = 0
      deps.progress?.({ photosDone: 0, photosTotal: shas.size })
      for (const item of items) {
        let ok = true
        for (const ref of item.visit.photos) {
          const p = await deps.photo(ref.sha256)
          if (p && !p.uploaded) {
            try {
              await uploadPhoto(p, { token: deps.token, fetch: deps.fetch })
            } catch (e) {
              if (!(e instanceof PhotoRejected)) throw e
              await reject(item, e.code, e.message, 'photos')
              ok = false
              break
            }
            await deps.markUploaded(ref.sha256, true)
          }
          deps.progress?.({ photosDone: ++done, photosTotal: shas.size })
        }
        if (ok) ready.push(item)
      }

      const retry: QueueItem[] = []
      for (let i = 0; i < ready.length; i += batchSize) {
        const batch = ready.slice(i, i + batchSize).map((it) => ({ ...it, state: 'sending' as const, attempts: it.attempts + 1 }))
        for (const it of batch) {
          inFlight.set(it.client_id, it)
          await deps.saveItem(it)
        }
        let results: SyncResult[]
        try {
          const res = await call<{ results: SyncResult[] }>('POST', '/field/sync', {
            token: deps.token,
            fetch: deps.fetch,
            body: { visits: batch.map((it) => it.visit) },
          })
          results = Array.isArray(res.results) ? res.results : []
        } catch (e) {
          if (transient(e) || e instanceof AuthError || !(e instanceof HttpError)) throw e
          // The server refused the whole request (it should not, for a well-formed one):
          // keep every visit of it, with the reason.
          for (const it of batch) {
            inFlight.delete(it.client_id)
            await reject(it, e.code, e.message, '')
          }
          continue
        }
        const now = deps.now()
        for (let k = 0; k < batch.length; k++) {
          const it = batch[k]
          const r = results[k]?.client_id === it.client_id ? results[k] : results.find((x) => x.client_id === it.client_id)
          const out = applyResult(it, r, now)
          inFlight.delete(it.client_id)
          if (out.delivered) {
            await deps.delivered(out.delivered)
            report.delivered++
            if (out.delivered.conflict) report.conflicts++
          }
          if (out.item === null) {
            await deps.removeItem(it.client_id)
            continue
          }
          if (out.photoMissing) {
            for (const ref of it.visit.photos) await deps.markUploaded(ref.sha256, false)
            if (round === 0) {
              await deps.saveItem(out.item)
              retry.push(out.item)
              continue
            }
            // Uploaded again and still missing: show the server's reason.
            await reject(out.item, out.item.code, out.item.message, out.item.field)
            continue
          }
          if (out.item.state === 'rejected') report.rejected++
          await deps.saveItem(out.item)
        }
      }
      items = retry
    }
  } catch (e) {
    // Whatever was on its way goes back in line.
    for (const it of inFlight.values()) await deps.saveItem({ ...it, state: 'waiting' })
    if (e instanceof AuthError) report.stopped = 'auth'
    else if (transient(e)) report.stopped = 'network'
    else throw e
  }
  return report
}
