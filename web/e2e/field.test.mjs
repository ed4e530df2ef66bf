// The helpers' field app (/m/) at phone size against a real server: a demo helper signs in
// once, the service worker takes the page, the phone goes offline and the app still opens;
// two visits are recorded with a camera photo and a mocked GPS position, wait in the queue,
// and are delivered exactly once when the network returns (a replayed upload adds nothing).
// A visit edited in the office and then on the phone is flagged as a conflict, not
// overwritten; a visit the server refuses stays on the phone with the server's reason.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { apiSession, launchBrowser, newPage, phone, PASSWORD, shot, startServer, webDir } from './server.mjs'

const HELPER = 'helper_320921100'
const OFFICE = 'poverty_office_320921'
const photo = join(webDir, 'e2e', 'fixtures', 'visit-photo.jpg')

async function fieldLogin(base, username) {
  const r = await fetch(base + '/api/v1/field/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, device: 'e2e' }),
  })
  assert.equal(r.status, 200, `field login ${username}: ${r.status}`)
  return (await r.json()).token
}

async function fieldGet(base, token, path) {
  const r = await fetch(base + '/api/v1' + path, { headers: { Authorization: `Bearer ${token}` } })
  return { status: r.status, body: await r.json() }
}

// The visits of a household in the office's list, by client_id.
async function visitsOf(office, householdId) {
  const r = await office.get(`/visits?household_id=${householdId}&limit=100`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.items
}

async function recordVisit(page, h, { measures, gps = true }) {
  await page.locator(`[data-test=household-${h.id}]`).click()
  await page.locator('[data-test=household-card]').waitFor()
  await page.locator('[data-test=new-visit]').click()
  await page.locator('[data-test=visit-form]').waitFor()
  // GPS comes from the mocked position (or is refused)
  await page.locator(gps ? '[data-test=gps-ok]' : '[data-test=gps-error]').waitFor()
  await page.locator('[data-test=photo-input]').setInputFiles(photo)
  await page.locator('[data-test=photo-thumb] img').waitFor()
  await page.locator('[data-test=g-medical-gap]').click()
  await page.locator('[data-test=visit-needs] textarea').fill('希望落实慢性病门诊报销')
  await page.locator('[data-test=visit-measures] textarea').fill(measures)
  await page.locator('[data-test=visit-confirmed]').check()
  assert.equal(await page.locator('[data-test=visit-confirmed-by]').inputValue(), h.head_name)
  return async () => {
    await page.locator('[data-test=visit-save]').click()
    if (!gps) {
      // saving without a position asks first
      await page.locator('.van-dialog', { hasText: '没有 GPS 位置' }).waitFor()
      await page.locator('.van-dialog__confirm').click()
    }
    await page.locator('[data-test=household-card]').waitFor()
  }
}

// Screenshots without the "saved" toast over them.
async function noToast(page) {
  await page.locator('.van-toast:visible').waitFor({ state: 'hidden', timeout: 5000 })
}

async function queueItems(page) {
  return page.locator('[data-test=queue-item]').evaluateAll((els) =>
    els.map((e) => ({ id: e.getAttribute('data-client-id'), state: e.getAttribute('data-state'), text: e.textContent })),
  )
}

describe('field app (手机APP)', () => {
  let server
  let browser
  let token
  let households
  let office

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    token = await fieldLogin(server.url, HELPER)
    const dl = await fieldGet(server.url, token, '/field/households')
    assert.equal(dl.status, 200)
    households = dl.body.households
    assert.ok(households.length >= 2, `${HELPER} has ${households.length} households; the scenario needs 2`)
    office = await apiSession(server.url, OFFICE)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('works offline, syncs exactly once, flags a conflict and keeps a refused visit', async () => {
    const page = await newPage(browser, phone)
    const context = page.context()
    const [h1, h2] = households
    const home = h1.location ?? { lat: 33.35, lng: 120.16 }
    await context.grantPermissions(['geolocation'], { origin: server.url })
    await context.setGeolocation({ latitude: home.lat + 0.0003, longitude: home.lng - 0.0002, accuracy: 15 })

    const syncBodies = []
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/field/sync') && r.method() === 'POST') syncBodies.push(r.postData())
    })

    // Sign in once.
    await page.goto(server.url + '/m/')
    await page.waitForURL(/\/m\/login$/)
    await page.locator('[data-test=field-username] input').waitFor()
    await shot(page, '90-field-login')
    await page.locator('[data-test=field-username] input').fill(HELPER)
    await page.locator('[data-test=field-password] input').fill(PASSWORD)
    await page.locator('[data-test=field-login]').click()
    await page.waitForURL((u) => u.pathname === '/m/')
    await page.locator(`[data-test=household-${h1.id}]`).waitFor()
    assert.equal(await page.locator('[data-test=household-list] li').count(), households.length)
    // The manifest makes it installable.
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]')?.getAttribute('href')
      return href ? (await fetch(href)).json() : null
    })
    assert.equal(manifest?.short_name, '帮扶走访')
    assert.equal(manifest?.start_url, '/m/')
    for (const size of ['192x192', '512x512']) {
      const src = manifest.icons.find((i) => i.sizes === size)?.src
      const [status, type] = await page.evaluate(async (u) => {
        const r = await fetch(u)
        return [r.status, r.headers.get('content-type')]
      }, src)
      assert.deepEqual([status, type], [200, 'image/png'], `icon ${size}`)
    }

    // The service worker takes the page (clientsClaim), so the app opens without a network.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30000 })
    await shot(page, '91-field-households')

    // Offline: the reload comes from the service worker, the data from IndexedDB.
    await context.setOffline(true)
    await page.reload()
    await page.locator(`[data-test=household-${h1.id}]`).waitFor()
    await page.locator('[data-test=banner-offline]').waitFor()
    const reachable = await page.evaluate(() => fetch('/api/v1/field/households').then(() => true, () => false))
    assert.equal(reachable, false, 'the API must be unreachable while offline')

    // Two visits, each with the camera photo and the mocked GPS.
    let save = await recordVisit(page, h1, { measures: '联系村医上门随访,申请门诊慢病报销' })
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, '93-field-visit-form')
    await page.locator('[data-test=g-food]').evaluate((e) => e.scrollIntoView({ block: 'start' }))
    await page.evaluate(() => window.scrollBy(0, -90))
    await shot(page, '93b-field-visit-form-checks')
    await save()
    await noToast(page)
    await page.locator('[data-test=visits] [data-test=visit-status]', { hasText: '待上传' }).first().waitFor()
    await page.locator('[data-test=visits]').evaluate((e) => e.scrollIntoView({ block: 'center' }))
    await shot(page, '92-field-household')
    await page.goBack()
    save = await recordVisit(page, h2, { measures: '介绍到镇上扶贫车间务工' })
    await save()
    await noToast(page)
    await page.goBack()
    await page.locator(`[data-test=household-${h1.id}] [data-test=badge-visited]`).waitFor()

    await page.locator('[data-test=tab-queue]').click()
    await page.waitForURL(/\/m\/queue$/)
    await page.locator('[data-test=queue-item]').nth(1).waitFor()
    const queued = await queueItems(page)
    assert.equal(queued.length, 2)
    assert.deepEqual(queued.map((q) => q.state), ['waiting', 'waiting'])
    assert.match(await page.locator('[data-test=tab-queue]').textContent(), /2/)
    await shot(page, '94-field-queue-offline')
    assert.equal(syncBodies.length, 0, 'nothing was sent while offline')

    // Back online: the 'online' event starts a sync; the button can be pressed as well.
    await context.setOffline(false)
    await page.locator('[data-test=queue-empty]').waitFor({ timeout: 30000 })
    await page.locator('[data-test=sync-now]').click()
    await page.locator('[data-test=sync-now]:not([disabled])').waitFor()

    const ids = new Map(queued.map((q) => [q.id, null]))
    for (const h of [h1, h2]) {
      for (const v of await visitsOf(office, h.id)) if (ids.has(v.client_id)) ids.set(v.client_id, (ids.get(v.client_id) ?? 0) + 1)
    }
    assert.deepEqual([...ids.values()], [1, 1], 'each client_id produced exactly one visit')

    // A replayed upload (the same request body again) changes nothing.
    assert.ok(syncBodies.length >= 1)
    for (const body of syncBodies) {
      const r = await fetch(server.url + '/api/v1/field/sync', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
      })
      assert.equal(r.status, 200)
      for (const res of (await r.json()).results) assert.equal(res.status, 'duplicate', JSON.stringify(res))
    }
    for (const h of [h1, h2]) {
      const mine = (await visitsOf(office, h.id)).filter((v) => ids.has(v.client_id))
      assert.equal(mine.length, 1, `household ${h.id} has exactly one of the phone's visits after the replay`)
    }

    // Conflict: the office edits the visit, then the helper edits the phone's (older) copy.
    const cid1 = queued.find((q) => q.text.includes(h1.head_name)).id
    const v1 = (await visitsOf(office, h1.id)).find((v) => v.client_id === cid1)
    const detail = (await office.get(`/visits/${v1.id}`)).body
    // The 2000 × 1500 camera photo was scaled down on the phone, GPS and time came along.
    assert.equal(detail.photos.length, 1)
    assert.deepEqual([detail.photos[0].width, detail.photos[0].height], [1600, 1200])
    assert.equal(detail.photos[0].content_type, 'image/jpeg')
    assert.ok(Math.abs(detail.lat - (home.lat + 0.0003)) < 1e-6 && detail.accuracy_m === 15, JSON.stringify([detail.lat, detail.accuracy_m]))
    assert.equal(detail.guarantees.medical, 'gap')
    assert.equal(detail.confirmed_by, h1.head_name)
    const patched = await office.patch(`/visits/${v1.id}`, {
      version: detail.version,
      guarantees: detail.guarantees,
      income_fen: detail.income_fen,
      needs: detail.needs,
      measures: detail.measures + '(镇农办核实补充)',
      notes: detail.notes,
    })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.version, detail.version + 1)

    await page.locator('[data-test=tab-households]').click()
    await page.locator(`[data-test=household-${h1.id}]`).click()
    await page.locator(`[data-test=edit-${cid1}]`).click()
    await page.locator('[data-test=visit-form]').waitFor()
    await page.locator('[data-test=visit-notes] textarea').fill('手机端补充:已联系村医')
    await page.locator('[data-test=visit-save]').click()
    await page.locator('[data-test=household-card]').waitFor()
    await noToast(page)
    await page.goBack()
    await page.locator('[data-test=tab-queue]').click()
    const conflictItem = page.locator(`[data-test=queue-item][data-client-id="${cid1}"]`)
    await conflictItem.locator('[data-test=queue-status]', { hasText: '冲突待审核' }).waitFor({ timeout: 30000 })
    await shot(page, '95-field-queue-conflict')
    const after1 = (await office.get(`/visits/${v1.id}`)).body
    assert.equal(after1.conflict, true)
    assert.equal(after1.version, detail.version + 1, 'the phone did not overwrite the office edit')
    assert.equal(after1.measures, detail.measures + '(镇农办核实补充)')
    assert.ok(after1.conflicts.some((c) => c.payload.notes === '手机端补充:已联系村医'))

    // Refused: the upload names a household that is not the helper's (changed in flight).
    const notMine = await otherHousehold(office, households)
    await page.route('**/api/v1/field/sync', async (route) => {
      const body = JSON.parse(route.request().postData())
      for (const v of body.visits) v.household_id = notMine
      await route.continue({ postData: JSON.stringify(body) })
    })
    // … recorded without GPS this time (permission withdrawn): saved after a warning.
    await context.clearPermissions()
    await page.locator('[data-test=tab-households]').click()
    save = await recordVisit(page, h2, { measures: '再次走访', gps: false })
    await save()
    await noToast(page)
    await page.goBack()
    await page.locator('[data-test=tab-queue]').click()
    const rejected = page.locator('[data-test=queue-item][data-state=rejected]')
    await rejected.waitFor({ timeout: 30000 })
    assert.match(await rejected.locator('[data-test=queue-message]').textContent(), /该户不是您帮扶的农户/)
    await shot(page, '96-field-queue-rejected')
    // It stays through another sync …
    await page.locator('[data-test=sync-now]').click()
    await page.locator('[data-test=sync-now]:not([disabled])').waitFor()
    assert.equal(await page.locator('[data-test=queue-item][data-state=rejected]').count(), 1)
    // … and goes once fixed (here: the tampering stops and the helper saves it again).
    await page.unroute('**/api/v1/field/sync')
    const rid = await rejected.getAttribute('data-client-id')
    await page.locator(`[data-test=fix-${rid}]`).click()
    await page.locator('[data-test=visit-rejected]', { hasText: '该户不是您帮扶的农户' }).waitFor()
    await page.locator('[data-test=visit-save]').click()
    await page.locator('.van-dialog', { hasText: '没有 GPS 位置' }).waitFor()
    await page.locator('.van-dialog__confirm').click()
    await page.locator('[data-test=household-card]').waitFor()
    await noToast(page)
    await page.goBack()
    await page.locator('[data-test=tab-queue]').click()
    await page.locator(`[data-test=queue-item][data-client-id="${rid}"]`).waitFor({ state: 'detached', timeout: 30000 })

    const v3 = (await visitsOf(office, h2.id)).find((v) => v.client_id === rid)
    assert.equal(v3.distance_m, null, 'no GPS, no distance')

    // An expired token: the visit stays on the phone, the app asks to sign in again and
    // then sends it.
    await page.route('**/api/v1/field/**', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ code: 'unauthorized', message: '登录已过期' }) }),
    )
    await page.locator('[data-test=tab-households]').click()
    save = await recordVisit(page, h1, { measures: '第三次走访', gps: false })
    await save()
    await page.locator('[data-test=banner-expired]').waitFor()
    await page.goBack()
    await page.locator('[data-test=tab-queue]').click()
    const waitingItem = page.locator('[data-test=queue-item][data-state=waiting]')
    await waitingItem.waitFor()
    const eid = await waitingItem.getAttribute('data-client-id')
    await page.unroute('**/api/v1/field/**')
    await page.locator('[data-test=banner-expired]').click()
    await page.waitForURL(/\/m\/login$/)
    await page.locator('[data-test=login-expired]').waitFor()
    assert.equal(await page.locator('[data-test=field-username] input').inputValue(), HELPER)
    await page.locator('[data-test=field-password] input').fill(PASSWORD)
    await page.locator('[data-test=field-login]').click()
    await page.waitForURL(/\/m\/queue$/)
    await page.locator(`[data-test=queue-item][data-client-id="${eid}"]`).waitFor({ state: 'detached', timeout: 30000 })
    assert.equal((await visitsOf(office, h1.id)).filter((v) => v.client_id === eid).length, 1)

    await page.locator('[data-test=tab-me]').click()
    await page.locator('[data-test=sign-out]').waitFor()
    await shot(page, '97-field-me')
    assert.deepEqual(page.jsErrors, [])
    await context.close()
  })

  // 信息比对 → 手机: a car registered to a member of one of the helper's households raises a doubt;
  // once the office dispatches it, the household card on the phone lists it under 待核查疑点 with
  // the rule, the explanation and the deadline, and no ID number.
  it('shows a dispatched cross-check doubt on the household card, without ID numbers', async () => {
    const h = [...households].reverse().find((x) => x.status === 'registered')
    assert.ok(h, 'a registered household of the helper')
    const file = await office.get(`/households/${h.id}`)
    assert.equal(file.status, 200)
    const m = (file.body.members ?? []).find((x) => x.active && /^\d{17}[\dX]$/.test(x.id_number))
    assert.ok(m, 'a member with an ID number')
    const civil = await consoleSession(server.url, 'civil_affairs_320921')
    const form = new FormData()
    form.append('kind', 'vehicle')
    form.append('source_dept', '响水县公安局交警大队')
    form.append('as_of', '2026-01-31')
    const csv = `身份证号,姓名,号牌号码,车辆类型,登记日期\n${m.id_number},${m.name},苏J·FLD01,小型轿车,2025-03-15\n`
    form.append('file', new Blob([csv], { type: 'text/csv' }), `field-e2e-${Date.now()}.csv`)
    const up = await civil('POST', '/datasets', form)
    assert.equal(up.status, 202, JSON.stringify(up.body))
    const ds = (await jobDone(civil, up.body.id)).dataset_id
    const run = await civil('POST', '/crosscheck/runs', { dataset_ids: [ds], include_unauthorised: true })
    assert.equal(run.status, 202, JSON.stringify(run.body))
    const runJob = await jobDone(civil, run.body.id)
    const runId = runJob.run_id
    const found = await office.get(`/doubts?run=${runId}&household_id=${h.id}`)
    assert.equal(found.status, 200)
    const d = found.body.items.find((x) => x.member_id === m.id && x.rule_key === 'vehicle')
    assert.ok(d, JSON.stringify({ found: found.body, run: runJob.run, household: file.body.household, member: m }))
    const sent = await office.post(`/doubts/${d.id}/dispatch`, { deadline_days: 12, note: '请入户核实车辆情况', version: d.version })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))

    // The download carries it, stripped of ID numbers.
    const dl = await fieldGet(server.url, token, '/field/households')
    const mine = dl.body.households.find((x) => x.id === h.id)
    const fd = mine.doubts.find((x) => x.id === d.id)
    assert.ok(fd, JSON.stringify(mine.doubts))
    assert.equal(fd.deadline, sent.body.deadline)
    assert.ok(!JSON.stringify(dl.body).includes(m.id_number.slice(0, 6) + '********'), 'no masked ID number in the download')
    assert.ok(!JSON.stringify(dl.body).includes(m.id_number), 'no ID number in the download')

    const page = await newPage(browser, phone)
    await page.goto(server.url + '/m/')
    await page.waitForURL(/\/m\/login$/)
    await page.locator('[data-test=field-username] input').fill(HELPER)
    await page.locator('[data-test=field-password] input').fill(PASSWORD)
    await page.locator('[data-test=field-login]').click()
    await page.waitForURL((u) => u.pathname === '/m/')
    await page.locator(`[data-test=household-${h.id}]`).click()
    await page.locator('[data-test=household-card]').waitFor()
    const card = page.locator(`[data-test=doubts] [data-test=doubt-${d.id}]`)
    await card.waitFor()
    const text = await card.innerText()
    assert.ok(text.includes(d.rule_label), text)
    assert.ok(text.includes('苏J·FLD01'), text)
    assert.ok(text.includes(sent.body.deadline), text)
    assert.ok(!/\d{6}\*{8}/.test(text) && !text.includes(m.id_number), 'no ID number on the card: ' + text)
    await page.locator('[data-test=doubts]').evaluate((e) => e.scrollIntoView({ block: 'center' }))
    await shot(page, '98-field-doubts')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})

// A signed-in console session able to send multipart forms (a dataset upload).
async function consoleSession(base, username) {
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  assert.equal(res.status, 200, `login ${username}`)
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]
  const { csrf_token: csrf } = await res.json()
  return async (method, path, body) => {
    const form = body instanceof FormData
    const r = await fetch(base + '/api/v1' + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body && !form ? { 'Content-Type': 'application/json' } : {}) },
      body: form ? body : body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : null }
  }
}

// Polls a cross-check job until it ends.
async function jobDone(call, id) {
  for (let i = 0; i < 120; i++) {
    const j = await call('GET', `/crosscheck/jobs/${id}`)
    assert.equal(j.status, 200, JSON.stringify(j.body))
    if (j.body.state !== 'running') {
      assert.equal(j.body.state, 'done', JSON.stringify(j.body))
      return j.body
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error('job did not end')
}

// A household in the office's county that the helper does not help.
async function otherHousehold(office, mine) {
  const ids = new Set(mine.map((h) => h.id))
  const r = await office.get('/households?limit=50')
  assert.equal(r.status, 200)
  const h = r.body.items.find((x) => !ids.has(x.id))
  assert.ok(h, 'a household not assigned to the helper')
  return h.id
}
