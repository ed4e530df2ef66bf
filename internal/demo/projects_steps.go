package demo

// The steps of the projects demo: walking a project through its stages, village plans,
// household applications and the county funding of projects.

import (
	"fmt"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/projects"
	"sunshine/internal/registry"
)

// walk signs stages from..upto-1 of a project, each on its day, after filing its documents.
func (l *projLoader) walk(id int64, sp demoProject, from, upto int) error {
	on := sp.start
	for k := 0; k < upto; k++ {
		on += sp.took[k]
		if k < from {
			continue
		}
		signer, err := l.signer(k, sp.region)
		if err != nil {
			return err
		}
		uploader := signer
		if !uploader.Can(auth.ProjectWrite) { // finance signs the evaluation; the office files its report
			if uploader, err = l.at(auth.PovertyOffice, sp.region[:6]+"000000"); err != nil {
				return err
			}
		}
		for _, doc := range projects.Stages[k].Docs {
			file, data, err := registry.ReadFile(doc.Label+".txt", strings.NewReader(doc.Label+" — "+sp.name+"\n"), registry.MaxAttachment)
			if err != nil {
				return err
			}
			if _, err := l.s.AddDocument(l.ctx, uploader, id, k, doc.Key, doc.Label, file, data); err != nil {
				return fmt.Errorf("%s %s: %w", sp.name, doc.Label, err)
			}
			l.sum.Documents++
		}
		x, err := l.s.Project(l.ctx, signer, id)
		if err != nil {
			return err
		}
		if _, err := l.s.Sign(l.ctx, signer, id, projects.SignInput{Stage: k, Opinion: "同意", OnDate: l.day(on), Version: x.Version}); err != nil {
			return fmt.Errorf("%s stage %d by %s: %w", sp.name, k, signer.Username, err)
		}
		l.sum.Signatures++
	}
	return nil
}

// plan drafts a village plan with its text attached and files it; decision "receive" or
// "return" is the town office's answer, "" leaves it awaiting.
func (l *projLoader) plan(v villageCount, year int, decision string) (int64, error) {
	cadre, err := l.at(auth.VillageCadre, v.code)
	if err != nil {
		return 0, err
	}
	title := fmt.Sprintf("%s%d年度扶贫项目规划", v.name, year)
	pl, err := l.s.CreatePlan(l.ctx, cadre, projects.PlanInput{RegionCode: v.code, Year: year, Title: title,
		Content: "一、发展村集体经济项目;二、到户产业扶持;三、基础设施补短板。"})
	if err != nil {
		return 0, fmt.Errorf("plan: %w", err)
	}
	file, data, err := registry.ReadFile(title+".txt", strings.NewReader(title+"\n"), registry.MaxAttachment)
	if err != nil {
		return 0, err
	}
	if pl, err = l.s.AttachPlan(l.ctx, cadre, pl.ID, file, data); err != nil {
		return 0, fmt.Errorf("plan attachment: %w", err)
	}
	if pl, err = l.s.FilePlan(l.ctx, cadre, pl.ID, pl.Version); err != nil {
		return 0, fmt.Errorf("file plan: %w", err)
	}
	l.sum.Plans++
	if decision == "" {
		return pl.ID, nil
	}
	town, err := l.at(auth.PovertyOffice, v.town)
	if err != nil {
		return 0, err
	}
	d := projects.PlanDecision{Decision: decision, Version: pl.Version}
	if decision == "return" {
		d.Opinion = "项目测算依据不足,请补充收益测算后重新报备。"
	}
	if _, err := l.s.DecidePlan(l.ctx, town, pl.ID, d); err != nil {
		return 0, fmt.Errorf("decide plan: %w", err)
	}
	return pl.ID, nil
}

// applications: households of the town apply to the direct-to-household project and stop at
// each review level — one waits for its village, one for the town, one for the county, one
// approved, one rejected by its village.
func (l *projLoader) applications(office *auth.Principal, project int64, households []int64) error {
	// passes: how many levels pass; -1 rejected at the village
	for i, passes := range []int{0, 1, 2, 3, -1} {
		if i >= len(households) {
			break
		}
		b, err := l.s.AddBeneficiary(l.ctx, office, project, projects.BeneficiaryInput{HouseholdID: households[i], Link: "subsidy",
			ExpectedIncomeYuan: "3000", Note: "申请养殖种苗补助"})
		if err != nil {
			return fmt.Errorf("application: %w", err)
		}
		l.sum.Beneficiaries++
		village := b.RegionCode
		reviewers := []string{village, village[:9] + "000", village[:6] + "000000"}
		if passes < 0 {
			p, err := l.at(auth.VillageCadre, village)
			if err != nil {
				return err
			}
			if _, err := l.s.ReviewBeneficiary(l.ctx, p, b.ID, projects.ReviewInput{Decision: "reject",
				Opinion: "家庭已有稳定务工收入,不符合扶持条件", Version: b.Version}); err != nil {
				return fmt.Errorf("review: %w", err)
			}
			l.sum.Rejected++
			continue
		}
		for lv := 0; lv < passes; lv++ {
			role := auth.PovertyOffice
			if lv == 0 {
				role = auth.VillageCadre
			}
			p, err := l.at(role, reviewers[lv])
			if err != nil {
				return err
			}
			if b, err = l.s.ReviewBeneficiary(l.ctx, p, b.ID, projects.ReviewInput{Decision: "pass", Opinion: "经核实,同意", Version: b.Version}); err != nil {
				return fmt.Errorf("review by %s: %w", p.Username, err)
			}
		}
	}
	return nil
}

// funding registers the county's project fund, allocates it to county finance and moves money
// into the projects' accounts after their approval (立项): the land share project twice, and it
// paid its builder from its account.
func (l *projLoader) funding(county string, fin *auth.Principal, ids []int64, specs []demoProject) error {
	fd, err := l.fs.CreateFund(l.ctx, fin, funds.FundInput{Code: fmt.Sprintf("XM-%d-%s", l.today.AddDate(0, 0, -420).Year(), county[:6]),
		Name: "县级财政衔接推进乡村振兴项目资金", SourceLevel: "county", Category: "fiscal", Year: l.today.AddDate(0, 0, -420).Year(),
		DocNo: county[4:6] + "财农〔项目〕1号", AmountYuan: "4000000", Purpose: "精准安排扶贫项目", RegionCode: county,
		ReceivedOn: l.day(-420), Deadline: l.day(60), Items: []funds.ItemInput{{Code: "xm", Name: "扶贫项目资金", Basis: "household", StandardYuan: "0"}}})
	if err != nil {
		return fmt.Errorf("project fund: %w", err)
	}
	var acct int64
	if err := l.d.InTx(l.ctx, func(tx *db.Tx) (err error) {
		acct, err = funds.FinanceAccount(l.ctx, tx, fin.UserID, county)
		return err
	}); err != nil {
		return err
	}
	move := func(from, to int64, amount string, on int, purpose string) error {
		_, err := l.fs.Transfer(l.ctx, fin, funds.TransferInput{FundID: fd.ID, FromAccount: from, ToAccount: to, AmountYuan: amount,
			OnDate: l.day(on), DocNo: fd.DocNo, Purpose: purpose})
		if err == nil {
			l.sum.Transfers++
		}
		return err
	}
	if err := move(fd.SourceAccount, acct, "4000000", -415, "项目资金到账"); err != nil {
		return fmt.Errorf("allocate: %w", err)
	}
	account := func(i int) (int64, error) {
		x, err := l.s.Project(l.ctx, fin, ids[i])
		return x.AccountID, err
	}
	for _, m := range []struct {
		project int
		amount  string
		on      int
	}{{0, "1200000", -320}, {0, "600000", -170}, {1, "500000", -260}, {2, "550000", -200}, {3, "300000", -170}, {6, "400000", -225}} {
		to, err := account(m.project)
		if err != nil {
			return err
		}
		if err := move(acct, to, m.amount, m.on, "拨付项目资金: "+specs[m.project].name); err != nil {
			return fmt.Errorf("project money: %w", err)
		}
	}
	builder, err := l.fs.OpenAccount(l.ctx, fin, funds.AccountInput{Kind: "enterprise", Name: specs[0].implementer, RegionCode: county})
	if err != nil {
		return fmt.Errorf("builder account: %w", err)
	}
	from, err := account(0)
	if err != nil {
		return err
	}
	if err := move(from, builder.ID, "1700000", -165, "支付工程款"); err != nil {
		return fmt.Errorf("pay builder: %w", err)
	}
	return nil
}
