// The office's visit screens (走访记录 / 走访详情 / 走访考核) against a real server: a county
// poverty office checks the quarter's compliance figures and drills down to a town, filters
// the visits by a fake-visit signal, reads a visit with its position shown as coordinates
// (no tile server configured), edits one (and meets a stale version), resolves a conflict
// made through the field API (a helper's phone edit on top of an office edit), opens a
// helper's phone account and signs in to the field app with it, and sets a household's
// location. A second server with a tile URL draws the Leaflet map with both markers.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomUUID } from 'node:crypto'
import { deflateSync, crc32 } from 'node:zlib'
import { PASSWORD, api, apiSession, launchBrowser, newPage, phone, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const OFFICE = 'poverty_office_320921'
const FIELD_USER = 'helper_320921100'
const count = (n) => n.toLocaleString('en-US')
const percent = (visited, due) => (due > 0 ? (Math.floor((Math.min(visited, due) * 1000) / due) / 10).toFixed(1) : '—')

// A small RGB PNG like a snapshot of a farmhouse (sky, wall, roof, door, field), with
// faint noise from seed so every run's photo has its own SHA-256.
function png(width, height, seed = 1) {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  let n = seed >>> 0 || 1
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    for (let x = 0; x < width; x++) {
      n ^= n << 13
      n ^= n >>> 17
      n ^= n << 5
      n >>>= 0
      const fy = y / height
      const fx = x / width
      let c
      if (fy > 0.72) c = [96 + fy * 40, 140 + fy * 30, 70] // field
      else if (fx > 0.25 && fx < 0.75 && fy > 0.42) c = fx > 0.45 && fx < 0.55 && fy > 0.55 ? [110, 70, 40] : [228, 222, 205] // wall, door
      else if (fy > 0.22 && fy <= 0.42 && Math.abs(fx - 0.5) < (fy - 0.22) * 1.6) c = [150, 60, 50] // roof
      else c = [150 + fy * 150, 190 + fy * 60, 235] // sky
      const o = row + 1 + x * 3
      for (let k = 0; k < 3; k++) raw[o + k] = Math.max(0, Math.min(255, Math.round(c[k]) + ((n >> (k * 4)) & 7)))
    }
  }
  return encodePng(width, height, raw)
}

// A plain map-like tile: pale land, a faint grid and a road, so the screenshot reads as a map.
function tilePng() {
  const size = 256
  const rows = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(size * 3 + 1)
    for (let x = 0; x < size; x++) {
      let c = [0xf1, 0xef, 0xe6]
      if (x % 64 === 0 || y % 64 === 0) c = [0xe2, 0xe0, 0xd6]
      if (Math.abs(y - 150 - (x - 128) * 0.3) < 3) c = [0xff, 0xff, 0xff]
      if ((x - 40) ** 2 + (y - 60) ** 2 < 900) c = [0xcd, 0xe3, 0xf0]
      row.set(c, 1 + x * 3)
    }
    rows.push(row)
  }
  return encodePng(size, size, Buffer.concat(rows))
}

function encodePng(width, height, raw) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td) >>> 0)
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

// The field app's side of the API: Bearer token, no cookies.
async function fieldLogin(base, username, password = PASSWORD) {
  const res = await fetch(base + '/api/v1/field/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, device: 'e2e' }),
  })
  const body = await res.json().catch(() => null)
  return { status: res.status, body }
}

function fieldClient(base, token) {
  const call = async (method, path, body, type = 'application/json') => {
    const r = await fetch(base + '/api/v1' + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': type } : {}) },
      body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : null }
  }
  return {
    get: (p) => call('GET', p),
    sync: (visits) => call('POST', '/field/sync', { visits }),
    upload: async (bytes) => {
      const sha = createHash('sha256').update(bytes).digest('hex')
      const r = await call('POST', `/field/photos/${sha}/parts?pos=0&size=${bytes.length}`, bytes, 'application/octet-stream')
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(r.body.complete, true)
      return sha
    },
  }
}

async function openMenu(page, key) {
  const item = page.locator(`[data-test=menu] [data-menu=${key}]`)
  if (!(await item.isVisible())) await page.locator('[data-menu-group="menu.duty"] .el-sub-menu__title').click()
  await item.click()
}

async function cardValue(page, stat) {
  return (await page.locator(`[data-test=compliance-cards] [data-stat=${stat}] .card-value`).innerText()).replace(/\s+/g, '').replace(/户|%$/g, '')
}

async function waitCards(page, total) {
  await page.waitForFunction(
    ([due]) => document.querySelector('[data-test=compliance-cards] [data-stat=due] .card-value')?.textContent?.replace(/\s|户/g, '') === due,
    [count(total.due)],
  )
}

describe('visit screens', () => {
  let server
  let browser
  let office // Node-side API session of the county office
  let field // the demo helper's field client
  let myVisit // a visit uploaded through the field API in this run

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    office = await apiSession(server.url, OFFICE)
    const login = await fieldLogin(server.url, FIELD_USER)
    assert.equal(login.status, 200, JSON.stringify(login.body))
    assert.equal(login.body.user.role, 'helper')
    field = fieldClient(server.url, login.body.token)
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('compliance: totals are the API\'s, a chart per town, drill down to a town, overdue list', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await openMenu(page, 'visit-compliance')
    await page.waitForURL(/\/visits\/compliance/)
    const c = await api(page, `/visits/compliance?region=${COUNTY}`)
    assert.equal(c.status, 200)
    assert.match(c.body.quarter, /^\d{4}Q[1-4]$/)
    assert.ok(c.body.total.due > 0 && c.body.total.visited > 0, 'the demo has due and visited households')
    await waitCards(page, c.body.total)
    assert.equal(await cardValue(page, 'due'), count(c.body.total.due))
    assert.equal(await cardValue(page, 'visited'), count(c.body.total.visited))
    assert.equal(await cardValue(page, 'overdue'), count(c.body.total.overdue))
    assert.equal(await cardValue(page, 'no_helper'), count(c.body.total.no_helper))
    assert.equal(await cardValue(page, 'rate'), percent(c.body.total.visited, c.body.total.due))
    await page.locator('[data-test=compliance-chart] canvas').waitFor()
    // the quarter selector shows the current quarter by default
    const q = c.body.quarter
    assert.match(await page.locator('[data-test=compliance-quarter] .el-select__selected-item:not(.is-hidden)').first().innerText(), new RegExp(`${q.slice(0, 4)}年第${q.slice(5)}季度`))
    // one table row per town, with the API's numbers
    const rows = page.locator('[data-test=compliance-children] .el-table__body tr')
    assert.equal(await rows.count(), c.body.children.length)
    // signal counts link to the list
    for (const [k, n] of Object.entries(c.body.signals)) {
      assert.equal((await page.locator(`[data-test=signal-link-${k}]`).innerText()).trim(), count(n), k)
    }
    // overdue list: first page, helper names and phones
    await page.locator('[data-test=overdue-table] .el-table__body tr').first().waitFor()
    const od = await api(page, `/visits/overdue?region=${COUNTY}&quarter=${q}&limit=20`)
    assert.equal(await page.locator('[data-test=overdue-table] .el-table__body tr').count(), od.body.items.length)
    const withHelper = od.body.items.find((r) => r.helper_id && r.helper_phone)
    if (withHelper) await page.locator('[data-test=overdue-table] .el-table__body tr', { hasText: withHelper.helper_phone }).first().waitFor()
    await shot(page, '80-visit-compliance')

    // drill down: the first town
    const town = c.body.children[0]
    await page.locator('[data-test=compliance-children] [data-test=drill]', { hasText: town.name }).click()
    await page.locator('[data-test=compliance-where]', { hasText: town.name }).waitFor()
    await page.waitForURL(new RegExp(`region=${town.code}`))
    const ct = await api(page, `/visits/compliance?region=${town.code}&quarter=${q}`)
    await waitCards(page, ct.body.total)
    assert.equal(await cardValue(page, 'visited'), count(ct.body.total.visited))
    assert.equal(ct.body.total.due, town.due, 'the town\'s own figures match its row one level up')
    assert.equal(await page.locator('[data-test=compliance-children] .el-table__body tr').count(), ct.body.children.length)
    await page.locator('[data-test=compliance-chart] canvas').waitFor()
    await shot(page, '81-visit-compliance-town')
    await page.locator('[data-test=compliance-up]').click()
    await page.locator('[data-test=compliance-where]', { hasText: '响水县' }).waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the visit list filtered by a signal kind shows only such visits', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    const c = await api(page, `/visits/compliance?region=${COUNTY}`)
    const kind = Object.entries(c.body.signals).find(([, n]) => n > 0)?.[0]
    assert.ok(kind, 'the demo has visits with signals this quarter')
    await page.goto(`${server.url}/visits/compliance`)
    await page.locator(`[data-test=signal-link-${kind}]`).click()
    await page.waitForURL(new RegExp(`/visits\\?.*signal=${kind}`))
    await page.locator('[data-test=visits-table] .el-table__body tr').first().waitFor()
    const list = await api(page, `/visits?region=${COUNTY}&quarter=${c.body.quarter}&signal=${kind}&limit=20`)
    const rows = page.locator('[data-test=visits-table] .el-table__body tr')
    assert.equal(await rows.count(), list.body.items.length)
    assert.ok(list.body.items.every((v) => v.signals.includes(kind)))
    for (let i = 0; i < (await rows.count()); i++) {
      assert.equal(await rows.nth(i).locator(`[data-signal=${kind}]`).count(), 1, `row ${i} carries ${kind}`)
    }
    await shot(page, '82-visits-signal')

    // without the filter there are visits without signals too
    await page.goto(`${server.url}/visits`)
    await page.locator('[data-test=visits-table] .el-table__body tr').first().waitFor()
    const all = await api(page, `/visits?region=${COUNTY}&limit=20`)
    assert.equal(await page.locator('[data-test=visits-table] .el-table__body tr').count(), all.body.items.length)
    await shot(page, '83-visits-list')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a visit without map tiles shows both coordinates, the accuracy and the distance, and the signal in words', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    const far = await api(page, `/visits?region=${COUNTY}&signal=far_from_home&limit=1`)
    const row = far.body.items[0]
    assert.ok(row, 'a demo visit far from home')
    const d = (await api(page, `/visits/${row.id}`)).body
    assert.ok(d.household.location && d.lat !== null, 'both positions are known')
    await page.goto(`${server.url}/visits/${row.id}`)
    await page.locator('[data-test=visit-coords]').waitFor()
    assert.equal(await page.locator('[data-test=visit-map]').count(), 0, 'no map box without a tile URL')
    assert.equal(await page.locator('.leaflet-container').count(), 0)
    assert.equal((await page.locator('[data-test=coord-visit]').innerText()).trim(), `${d.lat.toFixed(6)}, ${d.lng.toFixed(6)}`)
    assert.equal((await page.locator('[data-test=coord-home]').innerText()).trim(), `${d.household.location.lat.toFixed(6)}, ${d.household.location.lng.toFixed(6)}`)
    assert.match(await page.locator('[data-test=coord-accuracy]').innerText(), new RegExp(`${Math.round(d.accuracy_m)} 米`))
    const km = (d.distance_m / 1000).toFixed(1).replace(/\.0$/, '')
    assert.match(await page.locator('[data-test=coord-distance]').innerText(), new RegExp(`${km.replace('.', '\\.')} 公里`))
    const explain = await page.locator('[data-kind=far_from_home] [data-test=signal-explain]').innerText()
    assert.match(explain, new RegExp(`GPS 距农户住址 ${km.replace('.', '\\.')} 公里，超过 1 公里`))
    await shot(page, '84-visit-detail-offline')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a visit uploaded from the phone shows its photo; the office edits it, and a stale edit is refused', async () => {
    // The demo helper's households; upload a photo and a visit as the phone does.
    const dl = await field.get('/field/households')
    assert.equal(dl.status, 200)
    const hh = dl.body.households.find((h) => h.location) ?? dl.body.households[0]
    assert.ok(hh, 'the demo helper has households')
    const sha = await field.upload(png(160, 120, Date.now() % 100000))
    const now = Date.now()
    const visit = {
      client_id: randomUUID(),
      household_id: hh.id,
      base_version: 0,
      visited_at: new Date(now - 2 * 3600_000).toISOString(),
      recorded_at: new Date(now - 2 * 3600_000 + 15 * 60_000).toISOString(),
      lat: hh.location ? hh.location.lat + 0.0004 : 33.4,
      lng: hh.location ? hh.location.lng + 0.0003 : 120.1,
      accuracy_m: 14,
      guarantees: { food: 'ok', education: 'na', medical: 'gap', housing: 'ok', water: 'ok' },
      income_fen: 712300,
      needs: '希望参加县里组织的技能培训',
      measures: '联系镇劳务站推荐岗位',
      notes: '',
      confirmed: true,
      confirmed_by: hh.head_name,
      photos: [{ sha256: sha, taken_at: new Date(now - 2 * 3600_000).toISOString() }],
    }
    const res = await field.sync([visit])
    assert.equal(res.status, 200)
    assert.equal(res.body.results[0].status, 'accepted', JSON.stringify(res.body.results[0]))
    myVisit = { ...visit, id: res.body.results[0].visit_id, sha }

    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/visits/${myVisit.id}`)
    await page.locator('[data-test=visit-head]', { hasText: hh.head_name }).waitFor()
    assert.match(await page.locator('[data-test=visit-income]').innerText(), /7,123\.00/)
    // the photo is shown (loaded, not a broken image) and opens large on click
    const img = page.locator('[data-test=visit-photos] img').first()
    await img.waitFor()
    await page.waitForFunction(() => {
      const i = document.querySelector('[data-test=visit-photos] img')
      return i && i.complete && i.naturalWidth === 160
    })
    await img.click()
    await page.locator('.el-image-viewer__wrapper img').waitFor()
    await shot(page, '85-visit-photo-preview')
    await page.keyboard.press('Escape')
    await page.locator('.el-image-viewer__wrapper').waitFor({ state: 'detached' })
    await shot(page, '86-visit-detail')

    // edit: water gap, new measures
    await page.locator('[data-test=visit-edit]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('[data-test=edit-g-water] label', { hasText: '未保障' }).click()
    await dlg.locator('textarea[data-test=edit-measures]').fill('联系镇劳务站推荐岗位；协调自来水入户')
    await dlg.locator('input[data-test=edit-income]').fill('7200')
    await shot(page, '87-visit-edit')
    await dlg.locator('[data-test=visit-edit-submit]').click()
    await page.locator('[data-test=visit-measures]', { hasText: '协调自来水入户' }).waitFor()
    let d = (await api(page, `/visits/${myVisit.id}`)).body
    assert.equal(d.version, 2)
    assert.equal(d.guarantees.water, 'gap')
    assert.equal(d.income_fen, 720000)
    assert.ok(d.history.some((e) => e.action === 'visit.edit'))
    await page.locator('[data-test=visit-history] .el-table__body tr', { hasText: '审核修改走访' }).first().waitFor()

    // someone else edits meanwhile: the dialog says so and offers the current version
    await page.locator('[data-test=visit-edit]').click()
    await dlg.locator('textarea[data-test=edit-notes]').fill('我的修改')
    const other = await office.patch(`/visits/${myVisit.id}`, { version: 2, guarantees: d.guarantees, income_fen: d.income_fen, needs: d.needs, measures: d.measures, notes: '他人的修改' })
    assert.equal(other.status, 200, JSON.stringify(other.body))
    await dlg.locator('[data-test=visit-edit-submit]').click()
    await dlg.locator('[data-test=visit-stale]', { hasText: '已被他人修改' }).waitFor()
    await shot(page, '88-visit-edit-stale')
    d = (await api(page, `/visits/${myVisit.id}`)).body
    assert.equal(d.notes, '他人的修改', 'the stale edit was not saved')
    await dlg.locator('[data-test=visit-reload]').click()
    await page.waitForFunction(() => (document.querySelector('textarea[data-test=edit-notes]')?.value ?? '') === '他人的修改')
    await dlg.locator('textarea[data-test=edit-notes]').fill('核实后补充说明')
    await dlg.locator('[data-test=visit-edit-submit]').click()
    await page.locator('[data-test=visit-notes]', { hasText: '核实后补充说明' }).waitFor()
    assert.equal((await api(page, `/visits/${myVisit.id}`)).body.version, 4)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a phone edit on top of an office edit is a conflict the office resolves by taking the phone version', async () => {
    assert.ok(myVisit, 'needs the visit uploaded above')
    const before = (await office.get(`/visits/${myVisit.id}`)).body
    // the phone still has version 1 of its own visit and edits it
    const phoneEdit = { ...myVisit, base_version: 1, needs: '手机上补充：需要助学金申请指导', guarantees: { ...myVisit.guarantees, medical: 'ok' } }
    delete phoneEdit.id
    delete phoneEdit.sha
    const res = await field.sync([phoneEdit])
    assert.equal(res.body.results[0].status, 'conflict', JSON.stringify(res.body.results[0]))
    const withConflict = (await office.get(`/visits/${myVisit.id}`)).body
    assert.equal(withConflict.conflict, true)
    assert.equal(withConflict.version, before.version, 'nothing overwritten')

    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    // the list's conflict filter finds it
    await page.goto(`${server.url}/visits?conflict=1`)
    await page.locator('[data-test=visits-table] .el-table__body tr').first().waitFor()
    await page.locator('[data-test=visits-table] .el-table__body tr', { hasText: '待处理冲突' }).first().waitFor()
    await page.goto(`${server.url}/visits/${myVisit.id}`)
    const panel = page.locator('[data-test=conflict]').first()
    await panel.waitFor()
    // the differing fields are marked, and only those
    const needsRow = panel.locator('[data-test=conflict-fields] tr.differs', { hasText: '帮扶需求' })
    await needsRow.waitFor()
    assert.match(await needsRow.locator('[data-side=phone]').innerText(), /助学金/)
    assert.match(await needsRow.locator('[data-side=server]').innerText(), /技能培训/)
    assert.equal(await panel.locator('[data-test=conflict-fields] tr.differs', { hasText: '医疗' }).count(), 1)
    assert.equal(await panel.locator('[data-test=conflict-fields] tr.differs', { hasText: '走访时间' }).count(), 0)
    await shot(page, '89-visit-conflict')
    await panel.locator('[data-test=take-phone]').click()
    await page.locator('.el-message-box .el-button--primary').click()
    await page.locator('[data-test=conflict-resolution]', { hasText: '采用手机版本' }).waitFor()
    await page.locator('[data-test=visit-needs]', { hasText: '助学金' }).waitFor()
    const after = (await api(page, `/visits/${myVisit.id}`)).body
    assert.equal(after.conflict, false)
    assert.equal(after.version, before.version + 1)
    assert.equal(after.needs, phoneEdit.needs)
    assert.equal(await page.locator('[data-test=visit-conflict-tag]').count(), 0)
    await shot(page, '90-visit-conflict-resolved')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a helper gets a phone app account from their page and signs in to the field app with it', async () => {
    const helpers = (await office.get(`/helpers?region=${COUNTY}&active=1&limit=50`)).body.items
    let target = null
    for (const h of helpers) {
      const d = (await office.get(`/helpers/${h.id}`)).body
      if (!d.helper.username) {
        target = d.helper
        break
      }
    }
    assert.ok(target, 'an active helper without an account')
    const username = `e2e_helper_${Date.now() % 1000000}`
    const password = 'Field#2026check'

    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/duty/helpers/${target.id}`)
    await page.locator('[data-test=helper-account]').waitFor()
    await shot(page, '91-helper-account-none')
    await page.locator('[data-test=helper-account-open]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('input[data-test=account-username]').fill(username)
    await dlg.locator('input[data-test=account-password]').fill(password)
    await shot(page, '92-helper-account-dialog')
    await dlg.locator('[data-test=account-submit]').click()
    await page.locator('[data-test=helper-account-username]', { hasText: username }).waitFor()
    await shot(page, '93-helper-account-linked')
    const d = (await api(page, `/helpers/${target.id}`)).body
    assert.equal(d.helper.username, username)
    assert.ok(d.helper.user_id > 0)

    const login = await fieldLogin(server.url, username, password)
    assert.equal(login.status, 200, JSON.stringify(login.body))
    assert.equal(login.body.user.username, username)
    assert.equal(login.body.user.role, 'helper')
    const mine = await fieldClient(server.url, login.body.token).get('/field/households')
    assert.equal(mine.status, 200)
    assert.equal(mine.body.helper.id, target.id)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the office sets a household\'s location (outside China refused) and sees its visits in the file', async () => {
    assert.ok(myVisit, 'needs the visit uploaded above')
    const id = myVisit.household_id
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/households/${id}?tab=visits`)
    await page.locator('[data-test=household-location]').waitFor()
    await page.locator('[data-test=household-visits] .el-table__body tr').first().waitFor()
    const vs = await api(page, `/visits?household_id=${id}&limit=10`)
    assert.ok(vs.body.items.some((v) => v.id === myVisit.id))
    assert.equal(await page.locator('[data-test=household-visits] .el-table__body tr').count(), vs.body.items.length)

    await page.locator('[data-test=location-edit]').click()
    await page.locator('input[data-test=location-lat]').fill('1.5')
    await page.locator('input[data-test=location-lng]').fill('100.2')
    await page.locator('[data-test=location-save]').click()
    const err = page.locator('[data-test=location-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /中国/)
    await shot(page, '94-household-location-error')
    await page.locator('input[data-test=location-lat]').fill('33.351234')
    await page.locator('input[data-test=location-lng]').fill('120.162345')
    await page.locator('[data-test=location-save]').click()
    await page.locator('[data-test=location-coords]', { hasText: '33.351234, 120.162345' }).waitFor()
    const loc = await api(page, `/households/${id}/location`)
    assert.equal(loc.body.lat, 33.351234)
    assert.equal(loc.body.lng, 120.162345)
    await shot(page, '95-household-location')
    // the file's history names the change
    await page.locator('.el-tabs__item', { hasText: '变更历史' }).click()
    await page.locator('[data-test=history-table] .el-table__body tr', { hasText: '标注位置' }).first().waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})

describe('visit map with a tile server', () => {
  let server
  let browser

  before(async () => {
    server = await startServer({ args: ['--map-tiles', 'http://tiles.test/{z}/{x}/{y}.png', '--map-attribution', '测试底图'] })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('draws a Leaflet map with the visit, the household and the distance line', async () => {
    const tile = tilePng()
    const page = await newPage(browser)
    let tiles = 0
    await page.route('http://tiles.test/**', (route) => {
      tiles++
      return route.fulfill({ status: 200, contentType: 'image/png', body: tile })
    })
    await signInOK(page, server.url, OFFICE)
    const s = await api(page, '/visits/settings')
    assert.equal(s.body.tile_url, 'http://tiles.test/{z}/{x}/{y}.png')
    const far = (await api(page, `/visits?region=${COUNTY}&signal=far_from_home&limit=1`)).body.items[0]
    assert.ok(far)
    await page.goto(`${server.url}/visits/${far.id}`)
    await page.locator('.leaflet-container').waitFor()
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0)
    assert.equal(await page.locator('[data-test=visit-coords]').count(), 0)
    assert.equal(await page.locator('path.mk-home').count(), 1)
    assert.equal(await page.locator('path.mk-visit').count(), 1)
    await page.locator('.dist-label', { hasText: '公里' }).waitFor()
    await page.locator('.leaflet-control-attribution', { hasText: '测试底图' }).waitFor()
    assert.ok(tiles > 0, 'tiles were requested from the configured server')
    await shot(page, '96-visit-map')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('the compliance page and a visit fit a phone screen', async () => {
    const page = await newPage(browser, phone)
    await page.route('http://tiles.test/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: tilePng() }))
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/visits/compliance`)
    await page.locator('[data-test=compliance-chart] canvas').waitFor()
    await page.locator('[data-test=overdue-table] .el-table__body tr').first().waitFor()
    const wide = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok((await wide()) <= 0, `compliance page is ${await wide()}px wider than the screen`)
    await shot(page, '97-phone-compliance')
    const v = (await api(page, `/visits?region=${COUNTY}&signal=far_from_home&limit=1`)).body.items[0]
    await page.goto(`${server.url}/visits/${v.id}`)
    await page.locator('.leaflet-container').waitFor()
    assert.ok((await wide()) <= 0, `visit page is ${await wide()}px wider than the screen`)
    await shot(page, '98-phone-visit')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
