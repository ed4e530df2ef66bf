// 扶贫资产 against a real server: the county poverty office registers an asset on an accepted
// project (a missing 产权登记号 is refused on its field, by the form and by the server), records
// the year's income, distributes it — a wrong sum is refused with the server's message and
// books nothing, the split by shares books — and the household's 资金到户 tab shows the
// payment. The register's map draws its points (offline: ECharts on lng/lat axes); an auditor
// sees the same pages read-only.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { api, apiSession, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const OFFICE = 'poverty_office_320921'
const AUDITOR = 'auditor_320921'

// Waits for a dialog to close; when it stays open, the error says what the dialog shows.
async function closed(dlg) {
  try {
    await dlg.waitFor({ state: 'hidden' })
  } catch (e) {
    e.message += '\n--- dialog ---\n' + (await dlg.innerText().catch(() => ''))
    throw e
  }
}

const items = (b) => (Array.isArray(b) ? b : (b?.items ?? []))
const yuan = (s) => Number(s.replace(/[^\d.-]/g, ''))
const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))

describe('assets (扶贫资产)', () => {
  let server
  let browser
  let office
  let project
  let approved
  let assetId
  let incomeId
  let fundCode
  const stamp = String(Date.now()).slice(-6)
  const assetName = `e2e 光伏电站 ${stamp}`

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    office = await apiSession(server.url, OFFICE)
    // An accepted project (验收 signed: stage 7 or 8, or completed) with approved beneficiaries
    // whose heads have passbook accounts. The demo has some; the test needs one.
    const candidates = []
    for (const q of ['stage=8', 'stage=7', 'status=completed']) {
      const r = await office.get(`/projects?${q}&limit=50`)
      assert.equal(r.status, 200, JSON.stringify(r.body))
      candidates.push(...items(r.body))
    }
    for (const p of candidates) {
      const b = await office.get(`/projects/${p.id}/beneficiaries`)
      const ok = items(b.body).filter((x) => x.status === 'approved')
      if (ok.length >= 2) {
        project = p
        approved = ok
        break
      }
    }
    assert.ok(project, 'the demo has an accepted project with approved beneficiaries')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('the office registers an asset on an accepted project; a missing registration number is refused on its field', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.locator('[data-test=menu] [data-menu=asset-register]').click()
    await page.waitForURL(/\/assets$/)
    await page.locator('[data-test=assets-table]').waitFor()

    await page.locator('[data-test=asset-create]').click()
    const dlg = page.locator('[data-test=asset-dialog]')
    await dlg.waitFor()
    // The project picker lists accepted projects only; choose ours by its code.
    await dlg.locator('[data-test=asset-project]').click()
    await dlg.locator('[data-test=asset-project] input').fill(project.code)
    await page.locator('.el-select-dropdown__item:visible', { hasText: project.code }).first().click()
    // Entitled households default to the project's approved beneficiaries, one share each.
    await dlg.locator('[data-test=asset-entitled] .el-table__row').nth(approved.length - 1).waitFor()
    assert.equal(await dlg.locator('[data-test=asset-entitled] .el-table__row').count(), approved.length)
    await dlg.locator('input[data-test=asset-name]').fill(assetName)
    await dlg.locator('input[data-test=asset-value]').fill('360,000')
    await dlg.locator('input[data-test=asset-custodian]').fill('村股份经济合作社')
    await dlg.locator('input[data-test=asset-location]').fill('村部南侧屋顶')
    await dlg.locator('input[data-test=asset-lat]').fill('34.2051')
    await dlg.locator('input[data-test=asset-lng]').fill('119.6233')
    await dlg.locator('[data-test=asset-submit]').click()
    const regItem = dlg.locator('.el-form-item', { has: page.locator('input[data-test=asset-regno]') })
    await regItem.locator('.el-form-item__error').waitFor()
    assert.match(await regItem.locator('.el-form-item__error').innerText(), /产权登记/)
    await shot(page, 'assets-01-regno-missing')

    // The server names the same field when the number is missing.
    const bad = await office.post('/assets', { name: 'x', project_id: project.id, kind: 'operating', value_yuan: '1', ownership: '村集体', region_code: project.region_code, property_reg_no: ' ', custodian: 'x', entitled: [] })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.ok(bad.body.fields?.property_reg_no, JSON.stringify(bad.body))

    await dlg.locator('input[data-test=asset-regno]').fill(`苏(2026)响水县不动产权第${stamp}号`)
    await dlg.locator('[data-test=asset-submit]').click()
    await page.waitForURL(/\/assets\/\d+$/)
    assetId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test=asset-regno-value]', { hasText: stamp }).waitFor()
    assert.equal(yuan(await page.locator('[data-fig=value] .val').innerText()), 360000)
    assert.equal(await page.locator('[data-test=entitled-table] .el-table__row').count(), approved.length)
    assert.deepEqual(page.jsErrors, [])
  })

  it('records the year’s income; a wrong split is refused and books nothing; the split by shares books and reaches the household statement', async () => {
    assert.ok(assetId)
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + `/assets/${assetId}`)
    await page.locator('[data-test=income-add]').click()
    const dlg = page.locator('[data-test=income-dialog]')
    await dlg.waitFor()
    await dlg.locator('input[data-test=income-amount]').fill('1000.01')
    await dlg.locator('input[data-test=income-doc]').fill(`响农收〔${thisYear}〕${stamp}号`)
    await dlg.locator('[data-test=income-submit]').click()
    await closed(dlg)
    const row = page.locator('[data-test=incomes-table] .el-table__row', { hasText: String(thisYear) }).first()
    await row.locator('[data-test=income-status][data-status=recorded]').waitFor()
    fundCode = (await row.locator('[data-test=income-fund]').innerText()).trim()
    assert.match(fundCode, /^SY-/)
    await shot(page, 'assets-02-income-recorded')

    await row.locator('[data-test=income-distribute]').click()
    await page.waitForURL(/\/assets\/incomes\/\d+\/distribute/)
    incomeId = Number(new URL(page.url()).pathname.split('/')[3])
    await page.locator('[data-test=dist-lines] .el-table__row').first().waitFor()
    assert.equal(yuan(await page.locator('[data-test=dist-income]').innerText()), 1000.01)
    // The proposal adds up to the income exactly.
    assert.equal(await page.locator('[data-test=dist-sum]').getAttribute('data-diff'), '0')

    // One fen too much on the first line: the difference shows live, in red …
    const first = page.locator('input[data-test=dist-amount]').first()
    const was = await first.inputValue()
    await first.fill((Math.round(Number(was) * 100 + 1) / 100).toFixed(2))
    await page.locator('[data-test=dist-sum][data-diff="-1"]').waitFor()
    assert.match(await page.locator('[data-test=dist-diff]').innerText(), /0\.01/)
    // … and the server refuses the split: its message shows, nothing is booked.
    await page.locator('[data-test=dist-submit]').click()
    await page.locator('[data-test=dist-error]').first().waitFor()
    assert.match(await page.locator('[data-test=dist-error]').first().innerText(), /1,?000\.01|1000\.01|合计|不符|不等/)
    await shot(page, 'assets-03-distribution-wrong-sum')
    const still = await api(page, `/assets/${assetId}`)
    const inc = still.body.incomes.find((i) => i.id === incomeId)
    assert.equal(inc.status, 'recorded')
    assert.equal((inc.lines ?? []).length, 0)

    // The split by shares books.
    await page.getByRole('button', { name: '按份额重算' }).click()
    await page.locator('[data-test=dist-sum][data-diff="0"]').waitFor()
    const lines = await page.locator('[data-test=dist-lines] .el-table__row').count()
    await page.locator('[data-test=dist-submit]').click()
    await page.locator('[data-test=dist-done]').waitFor()
    assert.equal(await page.locator('[data-test=dist-payments] .el-table__row').count(), lines)
    await shot(page, 'assets-04-distributed')
    const done = await api(page, `/assets/${assetId}`)
    const di = done.body.incomes.find((i) => i.id === incomeId)
    assert.equal(di.status, 'distributed')
    assert.equal(di.lines.reduce((s, l) => s + l.amount_fen, 0), 100001)
    // ID numbers are masked in the answer.
    for (const l of di.lines) assert.match(l.payee_id_number, /\*{4,}/)

    // Each household links to its file's 资金到户 tab, which shows the payment.
    const link = page.locator('[data-test=dist-household-link]').first()
    const hh = Number(await link.getAttribute('data-household'))
    const paid = di.lines.find((l) => l.household_id === hh)
    await link.click()
    await page.waitForURL(/\/households\/\d+\?tab=funds/)
    const st = page.locator('[data-test=statement-table] .el-table__row', { hasText: fundCode })
    await st.waitFor()
    assert.match(await st.innerText(), new RegExp((paid.amount_fen / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',').replace('.', '\\.')))
    await shot(page, 'assets-05-household-statement')
    assert.deepEqual(page.jsErrors, [])
  })

  it('changes the status with the version; the register counts it and its map draws the points', async () => {
    assert.ok(assetId)
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + `/assets/${assetId}`)
    await page.locator('[data-test=asset-status-change]').click()
    const dlg = page.locator('[data-test=status-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=status-choice] .el-radio-button', { hasText: '闲置' }).click()
    await dlg.locator('[data-test=status-submit]').click()
    await closed(dlg)
    await page.locator('.page-title [data-test=asset-status][data-status=idle]').waitFor()

    await page.goto(server.url + '/assets')
    await page.locator('[data-test=assets-table] .el-table__row').first().waitFor()
    const map = page.locator('[data-test=asset-map]')
    await map.locator('canvas').first().waitFor()
    const reg = await api(page, '/assets/register')
    assert.equal(reg.status, 200)
    assert.ok(reg.body.points.length >= 1)
    assert.equal(await map.getAttribute('data-points'), String(reg.body.points.length))
    assert.equal(await map.getAttribute('data-mode'), 'offline')
    // Our village is among the points, marked as needing attention (the asset is idle).
    const ours = reg.body.points.find((p) => p.attention > 0)
    assert.ok(ours, JSON.stringify(reg.body.points))
    assert.ok(Number(await page.locator('[data-stat=attention] [data-attention=idle] b').innerText()) >= 1)
    await shot(page, 'assets-06-register-map')

    // 需关注 → 闲置 narrows the list to idle assets, ours among them.
    await page.locator('[data-stat=attention] [data-attention=idle]').click()
    await page.locator('[data-test=assets-table] .el-table__row', { hasText: assetName }).waitFor()
    for (const s of await page.locator('[data-test=assets-table] [data-test=asset-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))) assert.equal(s, 'idle')
    assert.deepEqual(page.jsErrors, [])
  })

  it('with a tile URL the register draws a Leaflet map of circle markers, red where an asset needs attention', async () => {
    const page = await newPage(browser)
    // The tile URL comes from the visits settings; here the browser is told one, and the
    // tiles are a plain grey image (no network in tests).
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN48eYDAAWEAsUXo06sAAAAAElFTkSuQmCC', 'base64')
    let tiles = 0
    await page.route('http://tiles.test/**', (route) => {
      tiles++
      return route.fulfill({ status: 200, contentType: 'image/png', body: png })
    })
    await page.route('**/api/v1/visits/settings', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ tile_url: 'http://tiles.test/{z}/{x}/{y}.png', tile_attribution: '测试底图', far_meters: 1000, late_hours: 72, max_kmh: 120 }) }),
    )
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/assets')
    await page.locator('[data-test=asset-map][data-mode=tiles] .leaflet-container').waitFor()
    const reg = await api(page, '/assets/register')
    await page.waitForFunction((n) => document.querySelectorAll('path.mk-asset, path.mk-attention').length === n, reg.body.points.length)
    assert.equal(await page.locator('path.mk-attention').count(), reg.body.points.filter((p) => p.attention > 0).length)
    await page.locator('.leaflet-control-attribution', { hasText: '测试底图' }).waitFor()
    assert.ok(tiles > 0, 'tiles were requested from the configured server')
    await shot(page, 'assets-08-tiles')
    assert.deepEqual(page.jsErrors, [])
  })

  it('an auditor reads the register, the asset and a recorded income, and can change nothing', async () => {
    assert.ok(assetId)
    // A recorded income of last year, for the read-only distribution screen.
    const rec = await office.post(`/assets/${assetId}/incomes`, { year: thisYear - 1, amount_yuan: '88.88', received_on: `${thisYear - 1}-12-30`, doc_no: '' })
    assert.equal(rec.status, 201, JSON.stringify(rec.body))
    const page = await newPage(browser)
    await signInOK(page, server.url, AUDITOR)
    await page.goto(server.url + '/assets')
    await page.locator('[data-test=assets-table] .el-table__row', { hasText: assetName }).waitFor()
    assert.equal(await page.locator('[data-test=asset-create]').count(), 0)

    await page.goto(server.url + `/assets/${assetId}`)
    await page.locator('[data-test=incomes-table] .el-table__row', { hasText: String(thisYear - 1) }).waitFor()
    assert.equal(await page.locator('[data-test=income-add]').count(), 0)
    assert.equal(await page.locator('[data-test=asset-status-change]').count(), 0)
    assert.equal(await page.locator('[data-test=income-distribute]').count(), 0)
    await shot(page, 'assets-07-auditor-asset')

    await page.goto(server.url + `/assets/incomes/${rec.body.id}/distribute?asset=${assetId}`)
    await page.locator('[data-test=dist-lines] .el-table__row').first().waitFor()
    assert.equal(await page.locator('[data-test=dist-submit]').count(), 0)
    // The server refuses the auditor too.
    const aud = await apiSession(server.url, AUDITOR)
    const r = await aud.post(`/asset-incomes/${rec.body.id}/distribute`, { lines: [], version: rec.body.version })
    assert.equal(r.status, 403)
    assert.deepEqual(page.jsErrors, [])
  })
})
