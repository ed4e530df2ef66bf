// A very small promise wrapper over IndexedDB: the field app keeps its sign-in, the
// helper's households, the queue of visits and the photos on the phone.

export const dbName = 'sunshine-field'
const dbVersion = 2

// kv: token, user, helper, download metadata (key = name)
// households: FieldHousehold (keyPath id)
// queue: QueueItem (keyPath client_id)
// photos: StoredPhoto (keyPath sha256)
// complaints: ComplaintItem (keyPath client_id), added in version 2
export type StoreName = 'kv' | 'households' | 'queue' | 'photos' | 'complaints'

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'))
    tx.onerror = () => reject(tx.error)
  })
}

let opening: Promise<IDBDatabase> | null = null

export function openDB(): Promise<IDBDatabase> {
  if (!opening) {
    opening = new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(dbName, dbVersion)
      r.onupgradeneeded = () => {
        const db = r.result
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv')
        if (!db.objectStoreNames.contains('households')) db.createObjectStore('households', { keyPath: 'id' })
        if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'client_id' })
        if (!db.objectStoreNames.contains('photos')) db.createObjectStore('photos', { keyPath: 'sha256' })
        if (!db.objectStoreNames.contains('complaints')) db.createObjectStore('complaints', { keyPath: 'client_id' })
      }
      r.onsuccess = () => {
        const db = r.result
        // Another tab upgraded the schema: let it, and reopen next time.
        db.onversionchange = () => {
          db.close()
          opening = null
        }
        resolve(db)
      }
      r.onerror = () => {
        opening = null
        reject(r.error)
      }
      r.onblocked = () => reject(new Error('IndexedDB blocked by another tab'))
    })
  }
  return opening
}

export async function get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
  const db = await openDB()
  return req(db.transaction(store).objectStore(store).get(key)) as Promise<T | undefined>
}

export async function getAll<T>(store: StoreName): Promise<T[]> {
  const db = await openDB()
  return req(db.transaction(store).objectStore(store).getAll()) as Promise<T[]>
}

// put stores a value; key only for stores without a keyPath (kv).
export async function put(store: StoreName, value: unknown, key?: IDBValidKey): Promise<void> {
  const db = await openDB()
  const tx = db.transaction(store, 'readwrite')
  tx.objectStore(store).put(value, key)
  return done(tx)
}

export async function del(store: StoreName, key: IDBValidKey): Promise<void> {
  const db = await openDB()
  const tx = db.transaction(store, 'readwrite')
  tx.objectStore(store).delete(key)
  return done(tx)
}

// replaceAll swaps a store's whole content in one transaction (a fresh download).
export async function replaceAll(store: StoreName, values: unknown[]): Promise<void> {
  const db = await openDB()
  const tx = db.transaction(store, 'readwrite')
  const os = tx.objectStore(store)
  os.clear()
  for (const v of values) os.put(v)
  return done(tx)
}

export async function clear(stores: StoreName[]): Promise<void> {
  const db = await openDB()
  const tx = db.transaction(stores, 'readwrite')
  for (const s of stores) tx.objectStore(s).clear()
  return done(tx)
}
