// 精准监督 against a real server: the early-warning rules are evaluated over the demo data;
// the admin saves a new rule version from the rules page (a deadline of 0 days is refused on
// its rule's row) with the yellow light 30 days ahead, so every pending alert lights yellow; a
// county poverty office filters its inbox by light and its own department, opens an alert and
// takes it from 派发 to 核查 to 办结 with findings and an attachment (the status follows, the
// alert shows under the closed filter), then starts an evaluation from the inbox and sees its
// figures; an auditor reads an alert without any handling button; 再监督 and the cockpit draw
// their charts with the API's numbers.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync, crc32 } from 'node:zlib'
import { allUsers, api, apiSession, demoUser, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const CITY = '320900000000'

// A tiny PNG (a scan of the findings).
function png(seed) {
  const w = 24
  const h = 16
  const raw = Buffer.alloc((w * 3 + 1) * h, 0xee)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0
    raw[y * (w * 3 + 1) + 1 + (seed % w) * 3] = y * 9
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td) >>> 0)
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

const count = (n) => String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const pct = (r) => (Math.round(r * 1000) / 10).toFixed(1) + '%'

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// Waits for an evaluation to finish and returns it.
async function settle(s, id) {
  const end = Date.now() + 240000
  for (;;) {
    const r = await s.get(`/alert-runs/${id}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    if (r.body.status !== 'running') return r.body
    if (Date.now() > end) throw new Error(`evaluation ${id} still running`)
    await new Promise((res) => setTimeout(res, 500))
  }
}

describe('精准监督 (alerts, rules, supervision, cockpit)', () => {
  let server
  let browser
  let users
  let admin
  let OFFICE
  let office
  let alertId
  let otherId

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    users = await allUsers(server.url)
    admin = await apiSession(server.url, 'admin')
    OFFICE = demoUser(users, 'poverty_office', COUNTY)
    office = await apiSession(server.url, OFFICE)
    // One full evaluation over the city (a scheduled one may be under way already).
    const start = await admin.post('/alert-runs', {})
    let id = start.body?.id
    if (start.status !== 202) {
      const runs = await admin.get('/alert-runs?limit=1')
      assert.equal(runs.status, 200, JSON.stringify(start.body))
      id = runs.body.items[0]?.id
    }
    assert.ok(id, 'an evaluation to wait for: ' + JSON.stringify(start.body))
    const run = await settle(admin, id)
    assert.equal(run.status, 'done', JSON.stringify(run))
    assert.ok(run.found > 0, 'the demo data raises alerts: ' + JSON.stringify(run))
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('the admin saves a new rule version; a deadline of 0 days is refused on its row', async () => {
    const before = await admin.get('/alert-rules')
    assert.equal(before.status, 200)
    const first = before.body.rules[0]
    const page = await newPage(browser)
    await signInOK(page, server.url, 'admin')
    await page.goto(server.url + '/oversight/rules')
    const rows = page.locator('[data-test=rules-table] .el-table__body tr')
    await rows.first().waitFor()
    assert.equal(await rows.count(), before.body.rules.length)
    assert.equal(await page.locator('[data-test=rules-readonly]').count(), 0)

    const deadline = page.locator(`[data-test=rule-deadline][data-rule=${first.key}] input`)
    await deadline.fill('0')
    await deadline.press('Tab')
    const yellow = page.locator('[data-test=esc-yellow] input')
    await yellow.fill('30')
    await yellow.press('Tab')
    await page.locator('[data-test=rules-save]').click()
    await page.locator('[data-test=rules-note]').fill('黄灯提前 30 天')
    await page.locator('[data-test=rules-save-submit]').click()
    await page.locator('[data-test=rules-save-error]').waitFor()
    const err = page.locator(`[data-test=rule-error][data-rule=${first.key}]`)
    await err.waitFor()
    assert.match(await err.innerText(), /1 到 90/)
    assert.match(await page.locator('[data-test=rules-save-error]').innerText(), new RegExp(first.label))
    await shot(page, 'oversight-rules-error')
    const still = await admin.get('/alert-rules')
    assert.equal(still.body.version, before.body.version, 'nothing stored')

    await page.locator('[data-test=rules-save-dialog] .el-dialog__headerbtn').click()
    await deadline.fill(String(first.deadline_days))
    await deadline.press('Tab')
    await page.locator('[data-test=rules-save]').click()
    await page.locator('[data-test=rules-note]').fill('黄灯提前 30 天')
    await page.locator('[data-test=rules-save-submit]').click()
    await page.locator('.el-message--success').waitFor()
    const now = await admin.get('/alert-rules')
    assert.equal(now.status, 200)
    assert.ok(now.body.version > (before.body.id ? before.body.version : 0), `${now.body.version} after ${before.body.version}`)
    assert.equal(now.body.escalation.yellow_days_before, 30)
    assert.equal(now.body.note, '黄灯提前 30 天')
    assert.equal(now.body.rules[0].deadline_days, first.deadline_days)
    await page.locator(`[data-test=rules-version-open][data-version="${now.body.version}"]`).waitFor()
    await page.locator(`[data-test=rules-version-open][data-version="${now.body.version}"]`).click()
    await page.locator('[data-test=rules-version-dialog] .el-table__body tr').first().waitFor()
    await page.locator('[data-test=rules-version-dialog] .el-dialog__headerbtn').click()
    await page.locator('[data-test=rules-version]').scrollIntoViewIfNeeded()
    await shot(page, 'oversight-rules')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a county poverty office filters by light, then assigns, verifies and closes an alert', async () => {
    const mine = await office.get(`/alerts?mine=1&status=open&light=yellow&limit=50`)
    assert.equal(mine.status, 200, JSON.stringify(mine.body))
    assert.ok(mine.body.items.length >= 2, 'the office has open alerts lit yellow')
    for (const a of mine.body.items) {
      assert.equal(a.department, 'poverty_office')
      assert.equal(a.light, 'yellow')
      assert.ok(a.region_code.startsWith(COUNTY.slice(0, 6)), a.region_code)
    }
    alertId = mine.body.items[0].id
    otherId = mine.body.items[1].id

    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/oversight/alerts')
    await page.locator('[data-test=alerts-table] .el-table__body tr').first().waitFor()
    await pick(page, 'alerts-light', '黄灯')
    await page.locator('[data-test=alerts-mine]').click()
    await pick(page, 'alerts-status', '待派发')
    await page.waitForURL(/light=yellow/)
    await page.waitForFunction(
      (id) => {
        const links = [...document.querySelectorAll('[data-test=alerts-table] [data-test=alert-link]')]
        return links.length > 0 && links[0].getAttribute('data-id') === String(id)
      },
      alertId,
    )
    const lightsShown = await page.locator('[data-test=alerts-table] [data-light]').evaluateAll((els) => els.map((e) => e.getAttribute('data-light')))
    assert.ok(lightsShown.length > 0)
    assert.deepEqual([...new Set(lightsShown)], ['yellow'])
    // The figures follow the filter bar.
    const stats = await office.get('/alerts/stats?mine=1&status=open&light=yellow')
    assert.equal(stats.status, 200)
    await page.waitForFunction((n) => document.querySelector('[data-stat=total] .card-value')?.textContent?.trim() === n, count(stats.body.total))
    await page.locator('[data-test=alert-trend] canvas').waitFor()
    // The export links carry the same filters and answer a file.
    const href = await page.locator('[data-test=export-csv]').getAttribute('href')
    assert.match(href, /light=yellow/)
    assert.match(href, /mine=1/)
    const file = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get('content-type'), text: (await r.text()).slice(0, 200) }
    }, href)
    assert.equal(file.status, 200, file.text)
    assert.match(file.text, /预警|规则/)
    await shot(page, 'oversight-inbox')
    await page.locator('[data-test=alerts-table] .el-table__body tr').last().scrollIntoViewIfNeeded()
    await page.mouse.move(1, 1)
    await shot(page, 'oversight-inbox-list')
    // The heat matrix by category: one column per category, the regions' counts with those filters.
    await page.locator('[data-test=alert-heat-mode]').getByText('按类别').click()
    await page.locator('[data-test=alert-heat] canvas').first().waitFor()

    await page.locator(`[data-test=alert-link][data-id="${alertId}"]`).click()
    await page.waitForURL(new RegExp(`/oversight/alerts/${alertId}$`))
    await page.locator('[data-test=alert-summary]').waitFor()
    const detail = await office.get(`/alerts/${alertId}`)
    assert.equal(detail.status, 200)
    assert.equal(await page.locator('[data-test=alert-rule]').innerText(), detail.body.rule_label)
    assert.equal((await page.locator('[data-test=alert-explanation]').innerText()).trim(), detail.body.explanation)
    if (detail.body.household_id) await page.locator('[data-test=alert-household]').waitFor()
    await page.locator('[data-test=alert-evidence]').waitFor()
    await shot(page, 'oversight-alert')

    // 派发 (to a named handler when the department has one), 开始核查, 办结.
    await page.locator('[data-test=alert-assign]').click()
    await page.locator('[data-test=assign-dialog]').waitFor()
    const assignees = await office.get(`/alerts/${alertId}/assignees`)
    assert.equal(assignees.status, 200, JSON.stringify(assignees.body))
    const who = (Array.isArray(assignees.body) ? assignees.body : assignees.body.items ?? [])[0]
    if (who) await pick(page, 'assign-assignee', who.name)
    await page.locator('[data-test=assign-note]').fill('请核实后报告')
    await page.locator('[data-test=assign-submit]').click()
    await page.locator('[data-test=alert-status][data-status=assigned]').waitFor()
    if (who) assert.equal((await page.locator('[data-test=alert-assignee]').innerText()).trim(), who.name)

    await page.locator('[data-test=alert-verify]').click()
    await page.locator('[data-test=verify-note]').fill('已入户核查')
    await page.locator('[data-test=verify-submit]').click()
    await page.locator('[data-test=alert-status][data-status=verifying]').waitFor()
    assert.equal(await page.locator('[data-test=alert-assign]').count(), 0, 'no reassigning while verifying')

    await page.locator('[data-test=alert-close]').click()
    await page.locator('[data-test=close-dialog]').waitFor()
    await page.locator('[data-test=close-findings]').fill('属实')
    await page.locator('[data-test=close-submit]').click()
    await page.locator('[data-test=close-dialog] .el-form-item__error', { hasText: '核查结论' }).waitFor()
    await page.locator('[data-test=close-dialog] .el-form-item__error', { hasText: '4' }).waitFor()
    await page.locator('[data-test=close-dialog] [data-outcome=substantiated]').click()
    await page.locator('[data-test=close-findings]').fill('经入户核查，情况属实，已督促整改到位')
    await page.locator('[data-test=close-files] input[type=file]').setInputFiles({ name: '核查记录.png', mimeType: 'image/png', buffer: png(7) })
    await page.locator('[data-test=close-submit]').click()
    await page.locator('[data-test=alert-status][data-status=closed]').waitFor()
    assert.match(await page.locator('[data-test=alert-findings]').innerText(), /情况属实/)
    await page.locator('[data-test=alert-attachment]', { hasText: '核查记录.png' }).waitFor()
    assert.equal(await page.locator('[data-test=alert-close]').count(), 0)
    const closed = await office.get(`/alerts/${alertId}`)
    assert.equal(closed.body.status, 'closed')
    assert.equal(closed.body.outcome, 'substantiated')
    assert.equal(closed.body.attachments.length, 1)
    const actions = closed.body.history.map((e) => e.action)
    for (const a of ['alert.assign', 'alert.verify', 'alert.attach', 'alert.close']) assert.ok(actions.includes(a), `${a} in ${actions}`)
    await page.locator('[data-test=alert-history] .el-table__body tr', { hasText: '办结预警' }).waitFor()
    await shot(page, 'oversight-alert-closed')

    // The closed filter shows it.
    await page.goto(server.url + '/oversight/alerts?status=closed')
    await page.locator(`[data-test=alert-link][data-id="${alertId}"]`).waitFor()
    assert.equal(await page.locator(`[data-test=alerts-table] [data-status=closed]`).count() > 0, true)

    // 立即评估 from the inbox: the closed alert with the same evidence stays closed.
    await page.locator('[data-test=alerts-run]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=alert-run-done]').waitFor({ timeout: 240000 })
    const runs = await office.get('/alert-runs?limit=1')
    const run = runs.body.items[0]
    assert.equal(run.status, 'done')
    assert.equal(run.new, 0, 're-running raises nothing new')
    assert.equal((await page.locator('[data-test=alert-run] [data-fig=found] b').innerText()).trim(), String(run.found))
    assert.equal((await page.locator('[data-test=alert-run] [data-fig=suppressed] b').innerText()).trim(), String(run.suppressed))
    assert.equal((await office.get(`/alerts/${alertId}`)).body.status, 'closed')
    await shot(page, 'oversight-inbox-run')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('an auditor reads an alert but has no handling buttons', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'auditor', CITY))
    await page.goto(server.url + `/oversight/alerts/${otherId}`)
    await page.locator('[data-test=alert-summary]').waitFor()
    await page.locator('[data-test=alert-readonly]').waitFor()
    for (const b of ['alert-assign', 'alert-verify', 'alert-close', 'alert-upload']) assert.equal(await page.locator(`[data-test=${b}]`).count(), 0, b)
    await page.goto(server.url + '/oversight/alerts')
    await page.locator('[data-test=alerts-table] .el-table__body tr').first().waitFor()
    assert.equal(await page.locator('[data-test=alerts-run]').count(), 0, 'auditors do not start evaluations')
    assert.equal(await page.locator('[data-test=alerts-mine]').count(), 0)
    await page.goto(server.url + '/oversight/rules')
    await page.locator('[data-test=rules-readonly]').waitFor()
    assert.equal(await page.locator('[data-test=rules-save]').count(), 0)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('再监督 and the cockpit draw their charts with the API numbers', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, demoUser(users, 'poverty_office', CITY))
    await page.goto(server.url + '/oversight/supervision')
    await page.locator('[data-test=supervision-chart] canvas').waitFor()
    const sup = await api(page, '/alerts/supervision')
    assert.equal(sup.status, 200)
    const rows = Array.isArray(sup.body) ? sup.body : sup.body.items
    const po = rows.find((r) => r.department === 'poverty_office')
    assert.ok(po && po.closed >= 1, 'the closed alert counts for the poverty office')
    const row = page.locator('[data-test=supervision-table] .el-table__body tr', { hasText: po.department_label })
    await row.waitFor()
    assert.equal((await row.locator('td').nth(1).innerText()).trim(), count(po.total))
    await shot(page, 'oversight-supervision')

    await page.goto(server.url + '/oversight/cockpit')
    await page.locator('[data-test=cockpit-ranking] canvas').waitFor()
    await page.locator('[data-test=cockpit-trend] canvas').waitFor()
    const c = await api(page, '/oversight/cockpit')
    assert.equal(c.status, 200)
    const kpi = async (k) => (await page.locator(`[data-kpi="${k}"]`).innerText()).trim()
    assert.equal(await kpi('alerts.pending'), count(c.body.alerts.pending))
    assert.equal(await kpi('alerts.overdue'), count(c.body.alerts.overdue))
    assert.equal(await kpi('alerts.red'), count(c.body.alerts.red))
    assert.equal(await kpi('alerts.substantiated_rate'), pct(c.body.alerts.substantiated_rate))
    assert.equal(await kpi('complaints.pending'), count(c.body.complaints.pending))
    assert.equal(await kpi('households.registered'), count(c.body.households.registered))
    assert.equal(await kpi('funds.pay_rate'), pct(c.body.funds.pay_rate))
    assert.equal(await kpi('spot.plans'), count(c.body.spot.plans))
    assert.equal(await kpi('cases.total'), count(c.body.cases.total))
    assert.ok(c.body.alerts.pending > 0 && c.body.households.registered > 0)
    assert.match(await page.locator('[data-test=cockpit-region]').innerText(), new RegExp(c.body.region.name))
    await shot(page, 'oversight-cockpit')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
