// 投诉举报, 双随机抽查 and 问责 against a real server: the county poverty office records a hotline
// complaint (the tracking code is shown), assigns, replies and closes it; the public tracking
// endpoint shows the reply and nothing about the complainant; a complaint whose content is
// markup renders as its literal text (no dialog, no element); a repeated matter carries its
// 第2次 badge; the county discipline commission commits a spot plan (seed hidden, its hash
// published), draws it (the seed shown hashes to the published hash, targets listed), verifies
// it (all checks green) and records a finding, then records an accountability case linked to
// the complaint; a county auditor sees the complaints and cases without any write button.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { api, apiSession, launchBrowser, newPage, shot, signInOK, startServer } from './server.mjs'

const COUNTY = '320921000000'
const OFFICE = 'poverty_office_320921'
const DISCIPLINE = 'discipline_320921'
const AUDITOR = 'auditor_320921'

async function pick(page, selectTest, text) {
  await page.locator(`[data-test=${selectTest}]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
}

describe('complaints, spot checks and accountability (投诉举报 · 双随机 · 问责)', () => {
  let server
  let browser
  let office
  let discipline
  let town
  let complaintId
  let trackingCode
  const stamp = Date.now().toString(36)
  const name = '王晓梅'
  const phone = '13912345678'
  const replyText = '经核实，该户五月份补贴因银行账户冻结未到账，已于本周改发至新账户，请注意查收。'

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    office = await apiSession(server.url, OFFICE)
    discipline = await apiSession(server.url, DISCIPLINE)
    const towns = await office.get(`/regions/${COUNTY}/children`)
    assert.equal(towns.status, 200, JSON.stringify(towns.body))
    town = towns.body.items[0]
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('the county poverty office records a hotline call, assigns, replies and closes it', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, OFFICE)
    await page.goto(server.url + '/oversight/complaints')
    await page.locator('[data-test=complaints-table]').waitFor()
    await page.locator('[data-test=complaint-stats] [data-stat=total] .card-value').waitFor()

    await page.locator('[data-test=hotline-open-dialog]').click()
    const dlg = page.locator('[data-test=hotline-dialog]')
    await dlg.waitFor()
    // anonymous hides the name and phone
    await dlg.locator('[data-test=hotline-anonymous]').click()
    assert.equal(await dlg.locator('input[data-test=hotline-name]').count(), 0)
    await dlg.locator('[data-test=hotline-anonymous]').click()
    await dlg.locator('input[data-test=hotline-name]').fill(name)
    // the form's own checks before anything is sent
    await dlg.locator('input[data-test=hotline-phone]').fill('12345')
    await dlg.locator('[data-test=hotline-submit]').click()
    await dlg.locator('.el-form-item__error', { hasText: '联系电话' }).waitFor()
    await dlg.locator('input[data-test=hotline-phone]').fill(phone)
    await pick(page, 'hotline-category', '资金发放')
    await dlg.locator('[data-test=hotline-region] .el-cascader').click()
    const panel = page.locator('.el-cascader__dropdown:visible')
    const tnode = panel.locator('.el-cascader-node', { hasText: town.name })
    await tnode.waitFor()
    await tnode.locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await dlg.locator('input[data-test=hotline-subject]').fill(`五月份低保金未到账 ${stamp}`)
    await dlg.locator('textarea[data-test=hotline-content]').fill('来电人反映：本人是低保户，五月份的低保金至今没有到账，村里说已经发了。\n请帮忙查一下。')
    await dlg.locator('[data-test=hotline-submit]').click()
    const code = dlg.locator('[data-test=tracking-code]')
    await code.waitFor()
    trackingCode = (await code.innerText()).trim()
    assert.match(trackingCode, /^TS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    await shot(page, 'complaints-01-hotline-saved')

    await dlg.locator('[data-test=hotline-open]').click()
    await page.waitForURL(/\/oversight\/complaints\/\d+$/)
    complaintId = Number(/(\d+)$/.exec(page.url())[1])
    const detail = page.locator('[data-test=complaint-detail]')
    await detail.locator('[data-test=complaint-summary]').waitFor()
    assert.equal(await detail.locator('.page-title .title-id').innerText(), trackingCode)
    // the detail gives complaint.read holders the full name and phone
    assert.equal(await detail.locator('[data-test=complainant-name]').innerText(), name)
    assert.equal(await detail.locator('[data-test=complainant-phone]').innerText(), phone)
    assert.match(await detail.locator('[data-test=complaint-content]').innerText(), /低保金至今没有到账/)
    assert.equal(await detail.locator('[data-test=complaint-summary] [data-status]').first().getAttribute('data-status'), 'received')
    // the list masks the complainant
    const listed = await office.get(`/complaints?region=${COUNTY}&limit=100`)
    const row = listed.body.items.find((c) => c.id === complaintId)
    assert.ok(row, 'listed')
    assert.notEqual(row.complainant_phone, phone)
    assert.match(row.complainant_phone, /^139\*{4}5678$/)

    // 交办 to finance, 10 working days
    await detail.locator('[data-test=complaint-assign]').click()
    const assign = page.locator('[data-test=assign-dialog]')
    await assign.waitFor()
    await pick(page, 'prompt-department', '财政局')
    await assign.locator('input[data-test=prompt-deadline_days]').fill('10')
    await assign.locator('[data-test=prompt-submit]').click()
    await detail.locator('[data-test=complaint-summary] [data-status=assigned]').waitFor()
    assert.match(await detail.locator('[data-test=complaint-department]').innerText(), /财政局/)
    assert.equal(await detail.locator('[data-test=complaint-close]').count(), 0)

    // 答复
    await detail.locator('[data-test=complaint-reply]').click()
    const reply = page.locator('[data-test=reply-dialog]')
    await reply.waitFor()
    await reply.locator('textarea[data-test=prompt-reply]').fill(replyText)
    await reply.locator('[data-test=prompt-submit]').click()
    await detail.locator('[data-test=complaint-summary] [data-status=replied]').waitFor()
    assert.equal(await detail.locator('[data-test=complaint-reply-text]').innerText(), replyText)

    // 办结
    await detail.locator('[data-test=complaint-close]').click()
    await confirmBox(page)
    await detail.locator('[data-test=complaint-summary] [data-status=closed]').waitFor()
    for (const b of ['assign', 'reply', 'close', 'forward']) assert.equal(await detail.locator(`[data-test=complaint-${b}]`).count(), 0, b)
    // the history names each step in Chinese
    const hist = await detail.locator('[data-test=complaint-history]').innerText()
    for (const a of ['登记投诉举报', '交办投诉', '答复投诉', '投诉办结']) assert.match(hist, new RegExp(a))
    await shot(page, 'complaints-02-closed')
    assert.deepEqual(page.jsErrors, [])

    // The public follows it by the code: the reply, nothing about the complainant.
    const res = await fetch(`${server.url}/api/v1/public/complaints/${encodeURIComponent(trackingCode)}`)
    assert.equal(res.status, 200)
    const text = await res.text()
    const pub = JSON.parse(text)
    assert.equal(pub.status, 'closed')
    assert.equal(pub.reply, replyText)
    assert.ok(!text.includes(name) && !text.includes(phone) && !text.includes('5678'), text)
    for (const k of ['complainant_name', 'complainant_phone', 'name', 'phone', 'content']) assert.ok(!(k in pub), k)
    await page.close()
  })

  it('shows markup in a complaint as text and marks a repeated matter', async () => {
    const evil = '<img src=x onerror=alert(1)>'
    const subject = `<b>村干部</b>优亲厚友 ${stamp}`
    const lodge = (content) =>
      office.post('/complaints', { channel: 'staff', anonymous: true, name: '', phone: '', category: 'conduct', region_code: town.code, subject, content })
    const first = await lodge(evil)
    assert.equal(first.status, 201, JSON.stringify(first.body))
    const second = await lodge('同一件事再次反映：村干部把补贴给了亲属。')
    assert.equal(second.status, 201, JSON.stringify(second.body))
    assert.equal(second.body.repeat_no, 2)

    const page = await newPage(browser)
    const dialogs = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      d.dismiss().catch(() => undefined)
    })
    await signInOK(page, server.url, OFFICE)
    await page.goto(`${server.url}/oversight/complaints/${first.body.id}`)
    const content = page.locator('[data-test=complaint-content]')
    await content.waitFor()
    assert.equal(await content.innerText(), evil)
    assert.equal(await content.locator('img').count(), 0)
    assert.equal(await page.locator('[data-test=complaint-subject]').innerText(), subject)
    assert.equal(await page.locator('[data-test=complaint-subject] b, [data-test=complaint-content] *').count(), 0)
    await page.locator('[data-test=complainant-anonymous]').waitFor()
    assert.equal(await page.locator('[data-test=same-matter] .el-table__body tr').count(), 1)
    await page.waitForTimeout(500)
    assert.deepEqual(dialogs, [])
    await shot(page, 'complaints-03-markup-as-text')

    // The list, repeated matters only: the second one with its badge, the subject as text.
    await page.goto(server.url + '/oversight/complaints?repeat=1')
    const row = page.locator('[data-test=complaints-table] .el-table__body tr', { hasText: second.body.tracking_code })
    await row.waitFor()
    assert.equal(await row.locator('[data-test=repeat-badge]').innerText(), '第2次')
    assert.equal(await row.locator('[data-test=complaint-subject]').innerText(), subject)
    assert.equal(await page.locator('[data-test=complaints-table] .el-table__body tr', { hasText: first.body.tracking_code }).count(), 0)
    await page.waitForTimeout(300)
    assert.deepEqual(dialogs, [])
    assert.deepEqual(page.jsErrors, [])
    await page.goto(server.url + '/oversight/complaints')
    await page.locator('[data-test=complaints-table] .el-table__body tr', { hasText: second.body.tracking_code }).waitFor()
    await shot(page, 'complaints-04-list')
    await page.close()
  })

  it('the discipline commission commits a spot plan, draws, verifies it and records a finding', async () => {
    const cands = await discipline.get(`/spot-plans/inspectors?region=${COUNTY}`)
    assert.equal(cands.status, 200, JSON.stringify(cands.body))
    const list = Array.isArray(cands.body) ? cands.body : cands.body.items
    // three county inspectors, none of them the auditor (who must see no finding button later)
    const pool = list.filter((c) => c.scope_code === COUNTY && !['admin', 'auditor', 'discipline'].includes(c.role)).slice(0, 3)
    assert.equal(pool.length, 3, JSON.stringify(list))

    const page = await newPage(browser)
    await signInOK(page, server.url, DISCIPLINE)
    await page.goto(server.url + '/oversight/spot')
    await page.locator('[data-test=spots-table]').waitFor()
    await page.locator('[data-test=spot-create]').click()
    const dlg = page.locator('[data-test=spot-dialog]')
    await dlg.waitFor()
    await dlg.locator('input[data-test=spot-title]').fill(`在档户入户核查 ${stamp}`)
    await dlg.locator('[data-test=spot-sample] input').fill('5')
    await dlg.locator('[data-test=spot-sample] input').press('Tab')
    await dlg.locator('[data-test=spot-per-target] input').fill('2')
    await dlg.locator('[data-test=spot-pool]').click()
    for (const c of pool) await page.locator('.el-select-dropdown__item:visible', { hasText: c.name }).first().click()
    await dlg.locator('.note').click() // close the dropdown
    await shot(page, 'spot-01-create')
    await dlg.locator('[data-test=spot-submit]').click()
    await page.waitForURL(/\/oversight\/spot\/\d+$/)
    const planId = Number(/(\d+)$/.exec(page.url())[1])

    // committed: the hashes published, the seed not
    await page.locator('[data-test=plan-seed-hidden]').waitFor()
    assert.equal(await page.locator('[data-test=plan-seed]').count(), 0)
    assert.match(await page.locator('[data-test=plan-explain]').innerText(), /种子哈希在抽取前公布，抽取后公开种子，任何人可复核/)
    const seedHash = (await page.locator('[data-test=plan-seed-hash]').innerText()).replace(/\s+/g, '')
    assert.match(seedHash, /^[0-9a-f]{64}$/)
    const popCount = Number((await page.locator('[data-test=plan-population-count]').innerText()).replace(/,/g, ''))
    assert.ok(popCount >= 5, `population ${popCount}`)
    const raw = await api(page, `/spot-plans/${planId}`)
    assert.equal(raw.body.seed, null)
    assert.equal(await page.locator('[data-test=plan-verify]').count(), 0)
    await shot(page, 'spot-02-committed')

    // 抽取
    await page.locator('[data-test=plan-draw]').click()
    await confirmBox(page)
    const seedEl = page.locator('[data-test=plan-seed]')
    await seedEl.waitFor()
    const seed = (await seedEl.innerText()).replace(/\s+/g, '')
    assert.match(seed, /^[0-9a-f]{64}$/)
    assert.equal(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'), seedHash, 'the revealed seed hashes to the published hash')
    const rows = page.locator('[data-test=plan-targets] .el-table__body tr')
    await rows.nth(4).waitFor()
    assert.equal(await rows.count(), 5)
    for (let i = 0; i < 5; i++) {
      const who = await rows.nth(i).locator('td').nth(2).innerText()
      assert.equal(who.split('、').filter(Boolean).length, 2, who)
    }
    await page.locator('[data-test=plan-status][data-status=drawn]').waitFor()
    await shot(page, 'spot-03-drawn')

    // 复核: all checks green
    await page.locator('[data-test=plan-verify]').click()
    const result = page.locator('[data-test=plan-verify-result]')
    await result.waitFor()
    assert.equal(await result.getAttribute('data-ok'), '1')
    const checks = result.locator('[data-check]')
    assert.ok((await checks.count()) >= 3)
    for (const ok of await checks.evaluateAll((els) => els.map((e) => e.getAttribute('data-ok')))) assert.equal(ok, '1')
    await shot(page, 'spot-04-verified')

    // the population download is the plan's population
    const href = await page.locator('[data-test=plan-population]').getAttribute('href')
    assert.equal(href, `/api/v1/spot-plans/${planId}/population`)
    const popu = await api(page, `/spot-plans/${planId}/population`)
    assert.equal(popu.status, 200)
    assert.equal(popu.body.ids.length, popCount)
    assert.equal(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'), seedHash)

    // a finding on the first target (the creator may record every target)
    await rows.first().locator('[data-test=target-record]').click()
    const fd = page.locator('[data-test=finding-dialog]')
    await fd.waitFor()
    await pick(page, 'prompt-result', /^发现问题$/) // not 未发现问题
    await fd.locator('textarea[data-test=prompt-finding]').fill('入户核查发现该户长期无人居住，疑似空挂户。')
    await fd.locator('[data-test=prompt-submit]').click()
    await rows.first().locator('[data-result=problem]').waitFor()
    assert.match(await page.locator('[data-test=plan-counts]').innerText(), /已登记 1\/5，发现问题 1 个/)
    await page.locator('[data-test=plan-counts]').scrollIntoViewIfNeeded()
    await page.evaluate(() => document.querySelector('[data-test=plan-counts]').scrollIntoView({ block: 'start' }))
    await shot(page, 'spot-05-finding')
    assert.deepEqual(page.jsErrors, [])
    await page.close()
  })

  it('the discipline commission records an accountability case linked to the complaint', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, DISCIPLINE)
    await page.goto(server.url + '/oversight/cases')
    await page.locator('[data-test=cases-table]').waitFor()
    assert.equal(await page.locator('[data-test=cases-readonly]').count(), 0)
    await page.locator('[data-test=case-create]').click()
    const dlg = page.locator('[data-test=case-dialog]')
    await dlg.waitFor()
    await dlg.locator('input[data-test=case-person]').fill('赵某某')
    await dlg.locator('input[data-test=case-position]').fill('村会计')
    await dlg.locator('input[data-test=case-unit]').fill(`${town.name}某村村委会`)
    await dlg.locator('textarea[data-test=case-violation]').fill('低保金发放不及时，群众反映后仍未处理')
    await pick(page, 'case-handling', '诫勉')
    await dlg.locator('input[data-test=case-complaint]').fill(String(complaintId))
    await dlg.locator('[data-test=case-submit]').click()
    const row = page.locator('[data-test=cases-table] .el-table__body tr', { hasText: '赵某某' })
    await row.waitFor()
    assert.match(await row.innerText(), /诫勉/)
    assert.equal(await row.locator('[data-test=case-complaint-link]').innerText(), trackingCode)
    await shot(page, 'complaints-05-cases')

    // the complaint lists the case
    await row.locator('[data-test=case-complaint-link]').click()
    await page.waitForURL(new RegExp(`/oversight/complaints/${complaintId}$`))
    await page.locator('[data-test=complaint-cases] .el-table__body tr', { hasText: '赵某某' }).waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.close()
  })

  it('a county auditor reads complaints and cases without any write button', async () => {
    const page = await newPage(browser)
    await signInOK(page, server.url, AUDITOR)
    await page.goto(server.url + '/oversight/complaints')
    await page.locator('[data-test=complaints-table] .el-table__body tr').first().waitFor()
    assert.equal(await page.locator('[data-test=hotline-open-dialog]').count(), 0)

    const open = await office.post('/complaints', {
      channel: 'hotline',
      anonymous: false,
      name: '李四',
      phone: '0515-86661234',
      category: 'project',
      region_code: town.code,
      subject: `道路项目停工 ${stamp}`,
      content: '村里的道路硬化项目停工两个月了。',
    })
    assert.equal(open.status, 201, JSON.stringify(open.body))
    await page.goto(`${server.url}/oversight/complaints/${open.body.id}`)
    await page.locator('[data-test=complaint-summary] [data-status=received]').waitFor()
    for (const b of ['assign', 'reply', 'close', 'forward', 'new-case']) assert.equal(await page.locator(`[data-test=complaint-${b}]`).count(), 0, b)
    await shot(page, 'complaints-06-auditor')

    await page.goto(server.url + '/oversight/cases')
    await page.locator('[data-test=cases-table] .el-table__body tr', { hasText: '赵某某' }).waitFor()
    await page.locator('[data-test=cases-readonly]').waitFor()
    assert.equal(await page.locator('[data-test=case-create]').count(), 0)

    // a drawn plan: the auditor is none of its inspectors, so no finding buttons, no draw
    const plans = await api(page, `/spot-plans?region=${COUNTY}`)
    assert.equal(plans.status, 200)
    const plan = plans.body.items.find((p) => p.status === 'drawn')
    assert.ok(plan)
    await page.goto(`${server.url}/oversight/spot/${plan.id}`)
    await page.locator('[data-test=plan-seed]').waitFor()
    await page.locator('[data-test=plan-targets] .el-table__body tr').first().waitFor()
    assert.equal(await page.locator('[data-test=target-record]').count(), 0)
    assert.equal(await page.locator('[data-test=plan-draw]').count(), 0)
    assert.deepEqual(page.jsErrors, [])
    await page.close()
  })
})
