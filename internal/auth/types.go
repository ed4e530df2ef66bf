// Package auth says who may do what: roles, actions, the one permission table, and the
// principal every request carries. It holds no data; accounts and sessions live in account.
package auth

import (
	"context"
	"slices"

	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Role is a user's job in the system (DOMAIN.md "Who uses it").
type Role string

const (
	Admin         Role = "admin"
	PovertyOffice Role = "poverty_office"
	VillageCadre  Role = "village_cadre"
	Helper        Role = "helper"
	CivilAffairs  Role = "civil_affairs"
	Finance       Role = "finance"
	Department    Role = "department"
	Auditor       Role = "auditor"
	Discipline    Role = "discipline"
	Participant   Role = "participant"
)

// Roles lists every role in display order.
var Roles = []Role{Admin, PovertyOffice, VillageCadre, Helper, CivilAffairs, Finance, Department, Auditor, Discipline, Participant}

// RoleLabels are the Chinese names users know the roles by.
var RoleLabels = map[Role]string{
	Admin: "系统管理员", PovertyOffice: "农办/扶贫办", VillageCadre: "村组干部", Helper: "帮扶责任人",
	CivilAffairs: "民政局(核对中心)", Finance: "财政局", Department: "行业部门", Auditor: "审计局",
	Discipline: "纪委监委", Participant: "社会参与者",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Action is something a handler does; every route names exactly one.
type Action string

const (
	DashboardRead Action = "dashboard.read"
	RegionRead    Action = "region.read"
	RegionWrite   Action = "region.write"
	HouseholdRead Action = "household.read"
	UserRead      Action = "user.read"
	UserWrite     Action = "user.write"
	AuditRead     Action = "audit.read"
	AuditVerify   Action = "audit.verify"

	HouseholdWrite  Action = "household.write"  // create and edit households and members
	HouseholdExport Action = "household.export" // export registry data with full ID numbers
	RegistryImport  Action = "registry.import"  // import households, members, helpers, assignments
	ProcedureStart  Action = "procedure.start"  // start an exit, removal or return procedure
	ProcedureSign   Action = "procedure.sign"   // sign or reject a step, publish its notice
	ObjectionLodge  Action = "objection.lodge"  // record an objection to a publicity notice
	ProcedureDefine Action = "procedure.define" // change the sign-off chains
	IncomeLineWrite Action = "incomeline.write" // set the yearly income line
	DutyWrite       Action = "duty.write"       // helpers and their households (帮扶责任)
	VisitRead       Action = "visit.read"       // quarterly visits, their photos and fake-visit signals
	VisitReview     Action = "visit.review"     // correct a visit, settle a phone/server conflict, set a household's location
	FieldSync       Action = "field.sync"       // the helper's field app: download own households, upload visits
	CrosscheckRun   Action = "crosscheck.run"   // register external datasets, run cross-checks (信息比对)
	CrosscheckRules Action = "crosscheck.rules" // change the cross-check rule set (city or county scope)
	DoubtRead       Action = "doubt.read"       // read cross-check doubts (疑点), runs, datasets and rules
	DoubtVerify     Action = "doubt.verify"     // dispatch a doubt for verification (核查) and record its outcome
	FundRead        Action = "fund.read"        // funds, the ledger, tracing and performance evaluation (资金)
	FundWrite       Action = "fund.write"       // register funds and file them (报备), accounts, transfers and reversals
	PlanWrite       Action = "plan.write"       // draft distribution plans (发放计划) and submit them
	PlanApprove     Action = "plan.approve"     // approve plans, write bank batches, reconcile returns, re-issue failed lines
	AlertRead       Action = "alert.read"       // early-warning alerts (预警), their runs and rules, oversight figures, spot checks
	AlertHandle     Action = "alert.handle"     // assign, verify and close the alerts of one's own department (role)
	AlertRun        Action = "alert.run"        // run the early-warning engine now
	AlertRules      Action = "alert.rules"      // change the early-warning rule set (city or county scope)
	ComplaintRead   Action = "complaint.read"   // complaints (举报/投诉) with the complainant's details
	ComplaintHandle Action = "complaint.handle" // record hotline complaints, assign, reply, close, forward to the discipline commission
	ComplaintLodge  Action = "complaint.lodge"  // lodge a complaint for a villager from the field app
	SpotWrite       Action = "spot.write"       // plan random spot checks (双随机), draw them, record findings
	CaseRead        Action = "case.read"        // accountability cases (问责)
	CaseWrite       Action = "case.write"       // record accountability cases
	ProjectRead     Action = "project.read"     // projects, their stages, documents, beneficiaries, risks, village plans; assets and their income
	ProjectWrite    Action = "project.write"    // register projects, upload stage documents, apply for households, risks, draft and file village plans, register assets and income
	ProjectSign     Action = "project.sign"     // sign off a stage, review applications, receive filed plans, decide 容错, distribute asset income (the stage's rule names who)
	SocialRead      Action = "social.read"      // social participation (社会扶贫): needs, donors, pledges, donations, volunteers, firms, pairings, entrepreneurs
	SocialWrite     Action = "social.write"     // publish needs, record pledges and donations and where they went, register volunteers, firms, service records, pairings and entrepreneurs
)

// Principal is the signed-in user (or API token) a request acts as.
type Principal struct {
	UserID   int64
	Username string
	Name     string
	Role     Role
	Scope    string // 12-digit region code; the user sees only rows under it
	TokenID  int64  // non-zero when the request came with an API token
	// Root marks the local operator at the command line, who already holds the database
	// itself: every region is in scope. Never set for a network request.
	Root bool
}

// Can reports whether the principal's role allows the action.
func (p *Principal) Can(a Action) bool {
	return p != nil && (p.Root || slices.Contains(permissions[p.Role], a))
}

// InScope reports whether a region code lies under the principal's scope.
func (p *Principal) InScope(code string) bool {
	return p != nil && (p.Root && regioncode.Valid(code) || regioncode.Within(code, p.Scope))
}

// ScopeCond is the SQL condition keeping a region column within the principal's scope (an
// index range on both databases), with its arguments.
func (p *Principal) ScopeCond(col string) (string, []any) {
	if p.Root {
		return "1 = 1", nil
	}
	lo, hi := regioncode.Range(p.Scope)
	return col + " BETWEEN ? AND ?", []any{lo, hi}
}

// Require fails with forbidden unless the role allows the action.
func (p *Principal) Require(a Action) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(a) {
		return &errs.Error{Code: errs.Forbidden, Message: "您的角色(" + RoleLabels[p.Role] + ")无权执行此操作: " + string(a)}
	}
	return nil
}

// RequireIn fails unless the role allows the action AND the region lies in the user's scope.
func (p *Principal) RequireIn(a Action, code string) error {
	if err := p.Require(a); err != nil {
		return err
	}
	if !p.InScope(code) {
		return errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", code)
	}
	return nil
}

type ctxKey struct{}

// With returns ctx carrying the principal.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the request's principal, nil when nobody signed in.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
