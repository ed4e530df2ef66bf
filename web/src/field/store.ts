// The field app's state: what is on the phone (IndexedDB) mirrored in one reactive object,
// and the operations that change it. Everything works offline; only sign-in, download and
// sync need the network.
import { reactive, toRaw } from 'vue'
import * as idb from './lib/idb'
import { AuthError, call, HttpError, NetworkError } from './lib/api'
import { editItem, newItem, pendingCount, recover, type QueueItem } from './lib/queue'
import { quarterOf } from './lib/quarter'
import { runSync, type SyncReport } from './lib/sync'
import {
  newComplaint,
  pendingComplaints,
  recoverComplaint,
  runComplaintSync,
  type ComplaintDraft,
  type ComplaintItem,
} from './lib/complaints'
import { newClientId } from './lib/uuid'
import type { FieldHelper, FieldHousehold, FieldUser, FieldVisit, HouseholdsResponse, LoginResponse, VisitUpload } from './lib/types'

export interface StoredPhoto {
  sha256: string
  size: number
  // null once the visit is delivered: the server has the photo, the phone keeps the thumbnail
  bytes: ArrayBuffer | null
  thumb: string
  uploaded: boolean
  taken_at: string | null
  created_at: string
}

export interface NewPhoto {
  sha256: string
  bytes: Uint8Array
  thumb: string
  taken_at: string | null
}

interface Session {
  token: string
  expires_at: string
  user: FieldUser
}

interface Meta {
  helper: FieldHelper | null
  quarter: string
  generated_at: string
  last_sync: string
}

export const state = reactive({
  loaded: false,
  token: '',
  expiresAt: '',
  user: null as FieldUser | null,
  helper: null as FieldHelper | null,
  quarter: '',
  generatedAt: '',
  lastSync: '',
  households: [] as FieldHousehold[],
  queue: [] as QueueItem[],
  // complaints taken down for villagers (代为反映), newest first; sent ones keep their code
  complaints: [] as ComplaintItem[],
  thumbs: {} as Record<string, string>,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  syncing: false,
  photosDone: 0,
  photosTotal: 0,
  // the token expired or was revoked: the queue stays, the helper signs in again
  needSignIn: false,
  // the last run's problem, a message key ('' = none)
  syncProblem: '' as '' | 'offline' | 'auth' | 'error',
  syncError: '',
})

// plain: Vue's proxies cannot be stored by IndexedDB's structured clone.
function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(toRaw(v))) as T
}

async function saveMeta() {
  const m: Meta = { helper: state.helper, quarter: state.quarter, generated_at: state.generatedAt, last_sync: state.lastSync }
  await idb.put('kv', plain(m), 'meta')
}

export async function load() {
  const [session, meta, households, queue, complaints] = await Promise.all([
    idb.get<Session>('kv', 'session'),
    idb.get<Meta>('kv', 'meta'),
    idb.getAll<FieldHousehold>('households'),
    idb.getAll<QueueItem>('queue'),
    idb.getAll<ComplaintItem>('complaints'),
  ])
  if (session) {
    state.token = session.token
    state.expiresAt = session.expires_at
    state.user = session.user
  }
  if (meta) {
    state.helper = meta.helper
    state.quarter = meta.quarter
    state.generatedAt = meta.generated_at
    state.lastSync = meta.last_sync
  }
  state.households = sortHouseholds(households)
  const recovered = queue.map(recover)
  for (let i = 0; i < queue.length; i++) if (recovered[i] !== queue[i]) await idb.put('queue', recovered[i])
  state.queue = sortQueue(recovered)
  const cs = complaints.map(recoverComplaint)
  for (let i = 0; i < cs.length; i++) if (cs[i] !== complaints[i]) await idb.put('complaints', cs[i])
  state.complaints = sortComplaints(cs)
  state.loaded = true
}

function sortHouseholds(hs: FieldHousehold[]) {
  return [...hs].sort((a, b) => a.group_name.localeCompare(b.group_name, 'zh-CN') || a.household_no.localeCompare(b.household_no))
}

function sortQueue(q: QueueItem[]) {
  return [...q].sort((a, b) => b.created_at.localeCompare(a.created_at))
}

function sortComplaints(q: ComplaintItem[]) {
  return [...q].sort((a, b) => b.created_at.localeCompare(a.created_at))
}

// queueCount: visits and complaints not delivered yet.
export function queueCount(): number {
  return pendingCount(state.queue) + pendingComplaints(state.complaints)
}

export function household(id: number): FieldHousehold | undefined {
  return state.households.find((h) => h.id === id)
}

export function queuedFor(householdId: number): QueueItem[] {
  return state.queue.filter((q) => q.household_id === householdId)
}

// visitedThisQuarter: by the phone's own count (a visit recorded offline counts at once).
export function visitedThisQuarter(h: FieldHousehold, now = new Date()): boolean {
  const q = quarterOf(now)
  if (h.visited_this_quarter && state.quarter === q) return true
  if (h.visits.some((v) => quarterOf(v.visited_at) === q)) return true
  return queuedFor(h.id).some((i) => quarterOf(i.visit.visited_at) === q)
}

// ---- sign-in ----

export class OtherUserQueue extends Error {
  owner: string
  count: number
  constructor(owner: string, count: number) {
    super('queue belongs to another user')
    this.owner = owner
    this.count = count
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const device = (typeof navigator !== 'undefined' ? navigator.userAgent : '').slice(0, 120)
  const res = await call<LoginResponse>('POST', '/field/login', { body: { username, password, device }, noAuthError: true })
  // Unsent visits were recorded by the previous helper: they are sent with that helper's
  // account or not at all.
  if (state.user && state.user.id !== res.user.id && queueCount() > 0) {
    throw new OtherUserQueue(state.user.display_name || state.user.username, queueCount())
  }
  const changed = !state.user || state.user.id !== res.user.id
  if (changed) {
    await idb.clear(['households', 'queue', 'photos', 'complaints'])
    state.households = []
    state.queue = []
    state.complaints = []
    state.thumbs = {}
    state.helper = null
    state.quarter = ''
    state.generatedAt = ''
    state.lastSync = ''
  }
  const s: Session = { token: res.token, expires_at: res.expires_at, user: res.user }
  await idb.put('kv', s, 'session')
  state.token = res.token
  state.expiresAt = res.expires_at
  state.user = res.user
  state.needSignIn = false
  state.syncProblem = ''
  await saveMeta()
}

// signOut forgets everything on the phone (the caller asks first when visits are unsent).
export async function signOut() {
  await idb.clear(['kv', 'households', 'queue', 'photos', 'complaints'])
  state.token = ''
  state.expiresAt = ''
  state.user = null
  state.helper = null
  state.households = []
  state.queue = []
  state.complaints = []
  state.thumbs = {}
  state.quarter = ''
  state.generatedAt = ''
  state.lastSync = ''
  state.needSignIn = false
  state.syncProblem = ''
}

function expired() {
  state.needSignIn = true
  state.syncProblem = 'auth'
}

// ---- download ----

export async function refresh(): Promise<void> {
  if (!state.token) return
  let res: HouseholdsResponse
  try {
    res = await call<HouseholdsResponse>('GET', '/field/households', { token: state.token })
  } catch (e) {
    if (e instanceof AuthError) expired()
    throw e
  }
  await idb.replaceAll('households', res.households)
  state.households = sortHouseholds(res.households)
  state.helper = res.helper
  state.quarter = res.quarter
  state.generatedAt = res.generated_at
  await saveMeta()
}

// ---- photos ----

export async function loadThumbs(shas: string[]) {
  for (const sha of shas) {
    if (state.thumbs[sha] !== undefined) continue
    const p = await idb.get<StoredPhoto>('photos', sha)
    state.thumbs[sha] = p?.thumb ?? ''
  }
}

async function storePhotos(photos: NewPhoto[]) {
  const now = new Date().toISOString()
  for (const p of photos) {
    const old = await idb.get<StoredPhoto>('photos', p.sha256)
    if (old && old.bytes) continue
    const bytes = p.bytes.buffer.slice(p.bytes.byteOffset, p.bytes.byteOffset + p.bytes.byteLength) as ArrayBuffer
    const rec: StoredPhoto = {
      sha256: p.sha256,
      size: p.bytes.byteLength,
      bytes,
      thumb: p.thumb,
      uploaded: old?.uploaded ?? false,
      taken_at: p.taken_at,
      created_at: now,
    }
    await idb.put('photos', rec)
    state.thumbs[p.sha256] = p.thumb
  }
}

// Photo bytes no queued visit needs any more are dropped (thumbnails stay while a
// downloaded visit shows them).
async function prunePhotos() {
  const needBytes = new Set(state.queue.filter((q) => q.state !== 'conflict').flatMap((q) => q.visit.photos.map((p) => p.sha256)))
  const shown = new Set([
    ...needBytes,
    ...state.queue.flatMap((q) => q.visit.photos.map((p) => p.sha256)),
    ...state.households.flatMap((h) => h.visits.flatMap((v) => v.photos.map((p) => p.sha256))),
  ])
  for (const p of await idb.getAll<StoredPhoto>('photos')) {
    if (!shown.has(p.sha256)) await idb.del('photos', p.sha256)
    else if (!needBytes.has(p.sha256) && p.bytes && p.uploaded) await idb.put('photos', { ...p, bytes: null })
  }
}

// ---- the queue ----

async function putItem(item: QueueItem) {
  await idb.put('queue', plain(item))
  const i = state.queue.findIndex((q) => q.client_id === item.client_id)
  if (i >= 0) state.queue[i] = item
  else state.queue = sortQueue([...state.queue, item])
}

async function dropItem(clientId: string) {
  await idb.del('queue', clientId)
  state.queue = state.queue.filter((q) => q.client_id !== clientId)
}

// saveVisit records a new visit or a changed one (queued, or downloaded from the server).
export async function saveVisit(visit: VisitUpload, headName: string, photos: NewPhoto[]) {
  await storePhotos(photos)
  const now = new Date()
  const old = state.queue.find((q) => q.client_id === visit.client_id)
  await putItem(old ? editItem(old, plain(visit), now) : newItem(plain(visit), headName, now))
  await prunePhotos()
}

export async function deleteItem(clientId: string) {
  await dropItem(clientId)
  await prunePhotos()
}

// dismiss: the helper has seen that a delivered visit is in conflict.
export async function dismiss(clientId: string) {
  await deleteItem(clientId)
}

async function delivered(v: FieldVisit) {
  const h = household(v.household_id)
  if (!h) return
  const visits = [v, ...h.visits.filter((x) => x.client_id !== v.client_id)].sort((a, b) => b.visited_at.localeCompare(a.visited_at))
  const next: FieldHousehold = { ...h, visits }
  if (state.quarter === quarterOf(new Date()) && quarterOf(v.visited_at) === state.quarter) next.visited_this_quarter = true
  await idb.put('households', plain(next))
  state.households = state.households.map((x) => (x.id === next.id ? next : x))
}

// ---- complaints (代为反映) ----

async function putComplaint(item: ComplaintItem) {
  await idb.put('complaints', plain(item))
  const i = state.complaints.findIndex((q) => q.client_id === item.client_id)
  if (i >= 0) state.complaints[i] = item
  else state.complaints = sortComplaints([...state.complaints, item])
}

// saveComplaint queues a complaint about the household; the sync run sends it.
export async function saveComplaint(householdId: number, d: ComplaintDraft): Promise<ComplaintItem> {
  const h = household(householdId)
  if (!h) throw new Error('household not on the phone')
  const item = newComplaint(newClientId(), d, h, new Date())
  await putComplaint(item)
  return item
}

// deleteComplaint drops a complaint not yet sent (or a sent one the helper no longer needs).
export async function deleteComplaint(clientId: string) {
  await idb.del('complaints', clientId)
  state.complaints = state.complaints.filter((q) => q.client_id !== clientId)
}

export function complaintsFor(householdId: number): ComplaintItem[] {
  return state.complaints.filter((q) => q.household_id === householdId)
}

// ---- sync ----

let running: Promise<SyncReport | null> | null = null

export function sync(): Promise<SyncReport | null> {
  if (!running) running = doSync().finally(() => (running = null))
  return running
}

async function doSync(): Promise<SyncReport | null> {
  if (!state.token || state.needSignIn) return null
  state.syncing = true
  state.syncProblem = ''
  state.syncError = ''
  try {
    const report = await runSync({
      token: state.token,
      now: () => new Date(),
      items: async () => state.queue,
      saveItem: putItem,
      removeItem: dropItem,
      photo: async (sha) => {
        const p = await idb.get<StoredPhoto>('photos', sha)
        if (!p || !p.bytes) return null
        const bytes = new Uint8Array(p.bytes)
        return { sha256: sha, size: p.size, uploaded: p.uploaded, slice: async (a, b) => bytes.subarray(a, b) }
      },
      markUploaded: async (sha, uploaded) => {
        const p = await idb.get<StoredPhoto>('photos', sha)
        if (p && p.uploaded !== uploaded) await idb.put('photos', { ...p, uploaded })
      },
      delivered,
      progress: (p) => {
        state.photosDone = p.photosDone
        state.photosTotal = p.photosTotal
      },
    })
    if (!report.stopped) {
      const cr = await runComplaintSync({
        token: state.token,
        now: () => new Date(),
        items: async () => state.complaints,
        saveItem: putComplaint,
      })
      report.complaintsSent = cr.sent
      report.rejected += cr.rejected
      report.stopped = cr.stopped
    }
    if (report.stopped === 'auth') expired()
    else if (report.stopped === 'network') state.syncProblem = 'offline'
    else {
      state.lastSync = new Date().toISOString()
      try {
        await refresh()
      } catch (e) {
        if (e instanceof AuthError) expired()
        else if (e instanceof NetworkError) state.syncProblem = 'offline'
        else throw e
      }
      await saveMeta()
    }
    await prunePhotos()
    return report
  } catch (e) {
    state.syncProblem = 'error'
    state.syncError = e instanceof HttpError || e instanceof Error ? e.message : String(e)
    return null
  } finally {
    state.syncing = false
  }
}

export function watchConnection() {
  window.addEventListener('online', () => {
    state.online = true
    void sync()
  })
  window.addEventListener('offline', () => {
    state.online = false
  })
}
