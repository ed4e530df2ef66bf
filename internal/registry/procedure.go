package registry

import (
	"encoding/json"
	"strconv"

	"slices"
	"sunshine/internal/db"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// ProcKind is which transition a procedure carries out.
type ProcKind string

const (
	ProcRegistration ProcKind = "registration" // 申请纳入 → 在档
	ProcExit         ProcKind = "exit"         // 在档 → 脱贫销号 (五签字五确认)
	ProcRemoval      ProcKind = "removal"      // 在档 → 核销
	ProcReturn       ProcKind = "return"       // 脱贫 → 返贫入库
)

// ProcKinds lists the kinds in display order.
var ProcKinds = []ProcKind{ProcRegistration, ProcExit, ProcRemoval, ProcReturn}

// From is the household status a procedure of this kind starts from.
func (k ProcKind) From() Status {
	switch k {
	case ProcRegistration:
		return Applying
	case ProcReturn:
		return Exited
	}
	return Registered
}

// To is the status the household reaches when the procedure completes.
func (k ProcKind) To() Status {
	switch k {
	case ProcExit:
		return Exited
	case ProcRemoval:
		return Removed
	}
	return Registered
}

// Step is one sign-off of a chain. Level, when set, is the level of the signer's scope: a
// county approval is signed by a county office, not a town one.
type Step struct {
	Key           string           `json:"key"`
	Label         string           `json:"label"`
	Role          auth.Role        `json:"role"`
	Level         regioncode.Level `json:"level"`
	PublicityDays int              `json:"publicity_days"`
}

// Definition is a chain as data.
type Definition struct {
	Kind    ProcKind `json:"kind"`
	Version int      `json:"version"`
	Steps   []Step   `json:"steps"`
}

// DefaultDefinitions are the chains a new system starts with (DOMAIN.md §1).
func DefaultDefinitions() []Definition {
	v, t, c := regioncode.Village, regioncode.Town, regioncode.County
	return []Definition{
		{Kind: ProcRegistration, Version: 1, Steps: []Step{
			{Key: "apply", Label: "农户申请", Role: auth.VillageCadre, Level: v},
			{Key: "nominate", Label: "村民小组提名", Role: auth.VillageCadre, Level: v},
			{Key: "vote", Label: "村民代表评议", Role: auth.VillageCadre, Level: v},
			{Key: "village", Label: "村两委审核公示", Role: auth.VillageCadre, Level: v, PublicityDays: 7},
			{Key: "town", Label: "乡镇审核", Role: auth.PovertyOffice, Level: t},
			{Key: "county", Label: "县级审批", Role: auth.PovertyOffice, Level: c},
		}},
		{Kind: ProcExit, Version: 1, Steps: []Step{
			{Key: "household", Label: "农户确认收入", Role: auth.VillageCadre, Level: v},
			{Key: "helper", Label: "帮扶责任人确认", Role: auth.Helper},
			{Key: "village", Label: "村两委审核公示", Role: auth.VillageCadre, Level: v, PublicityDays: 7},
			{Key: "town", Label: "乡镇审核确认", Role: auth.PovertyOffice, Level: t},
			{Key: "county", Label: "县级审批确认", Role: auth.PovertyOffice, Level: c},
		}},
		{Kind: ProcRemoval, Version: 1, Steps: []Step{
			{Key: "village", Label: "村级核实", Role: auth.VillageCadre, Level: v},
			{Key: "town", Label: "乡镇审核", Role: auth.PovertyOffice, Level: t},
			{Key: "county", Label: "县级审批", Role: auth.PovertyOffice, Level: c},
		}},
		{Kind: ProcReturn, Version: 1, Steps: []Step{
			{Key: "apply", Label: "农户申请", Role: auth.VillageCadre, Level: v},
			{Key: "village", Label: "村两委审核公示", Role: auth.VillageCadre, Level: v, PublicityDays: 7},
			{Key: "town", Label: "乡镇审核", Role: auth.PovertyOffice, Level: t},
			{Key: "county", Label: "县级审批", Role: auth.PovertyOffice, Level: c},
		}},
	}
}

// Validate checks a chain an administrator defines.
func (d Definition) Validate() error {
	v := errs.Validation{}
	if !slices.Contains(ProcKinds, d.Kind) {
		v.Add("kind", "应为 registration、exit、removal 或 return")
	}
	if len(d.Steps) == 0 || len(d.Steps) > 20 {
		v.Add("steps", "须有 1 到 20 个步骤")
	}
	keys := map[string]bool{}
	for i, s := range d.Steps {
		f := "steps[" + itoa(i) + "]"
		if s.Key == "" || keys[s.Key] {
			v.Add(f+".key", "步骤标识必填且不能重复")
		}
		keys[s.Key] = true
		if s.Label == "" {
			v.Add(f+".label", "步骤名称必填")
		}
		if !s.Role.Valid() || s.Role == auth.Admin || s.Role == auth.Participant {
			v.Add(f+".role", "角色无效或不能签字")
		}
		switch s.Level {
		case "", regioncode.City, regioncode.County, regioncode.Town, regioncode.Village:
		default:
			v.Add(f+".level", "应为 city、county、town、village 或留空")
		}
		if s.PublicityDays < 0 || s.PublicityDays > 30 {
			v.Add(f+".publicity_days", "公示天数应为 0 到 30")
		}
	}
	return v.Err()
}

// CanSign says whether the principal may sign step for a household in region: the step's
// role, the household in scope, and the scope at the step's level.
func CanSign(p *auth.Principal, s Step, region string) error {
	if err := p.RequireIn(auth.ProcedureSign, region); err != nil {
		return err
	}
	if p.Role != s.Role {
		return errs.E(errs.Forbidden, "当前步骤“%s”须由%s签字", s.Label, auth.RoleLabels[s.Role])
	}
	if s.Level != "" && regioncode.LevelOf(p.Scope) != s.Level {
		return errs.E(errs.Forbidden, "当前步骤“%s”须由%s级%s签字", s.Label, levelLabel[s.Level], auth.RoleLabels[s.Role])
	}
	return nil
}

var levelLabel = map[regioncode.Level]string{regioncode.City: "市", regioncode.County: "县(市、区)", regioncode.Town: "乡镇", regioncode.Village: "村"}

// Decision is a signer's answer.
type Decision string

const (
	Approve Decision = "approve"
	Reject  Decision = "reject"
)

// ProcStatus is a procedure's state.
type ProcStatus string

const (
	ProcOpen      ProcStatus = "open"
	ProcDone      ProcStatus = "done"
	ProcCancelled ProcStatus = "cancelled"
)

// Procedure is a running or finished chain for one household.
type Procedure struct {
	ID          int64       `json:"id"`
	HouseholdID int64       `json:"household_id"`
	HouseholdNo string      `json:"household_no"`
	HeadName    string      `json:"head_name"`
	RegionCode  string      `json:"region_code"`
	RegionName  string      `json:"region_name"`
	Kind        ProcKind    `json:"kind"`
	DefVersion  int         `json:"def_version"`
	Status      ProcStatus  `json:"status"`
	Step        int         `json:"step"` // index of the current step (len(steps) when done)
	Steps       []Step      `json:"steps"`
	Reason      string      `json:"reason"`
	StartedBy   int64       `json:"started_by"`
	StartedAt   string      `json:"started_at"`
	FinishedAt  string      `json:"finished_at"`
	UpdatedAt   string      `json:"updated_at"`
	Signatures  []Signature `json:"signatures"`
	Notices     []Notice    `json:"notices"`
	Objections  []Objection `json:"objections"`
	CanSign     bool        `json:"can_sign"` // whether the asking user may sign the current step now
	Blocked     string      `json:"blocked"`  // why the current step cannot be approved yet, if so
}

// Current is the step waiting for a signature (false when the procedure is closed).
func (p *Procedure) Current() (Step, bool) {
	if p.Status != ProcOpen || p.Step < 0 || p.Step >= len(p.Steps) {
		return Step{}, false
	}
	return p.Steps[p.Step], true
}

// Signature is one sign-off (or rejection) with its opinion and attachment.
type Signature struct {
	ID           int64       `json:"id"`
	Step         int         `json:"step"`
	StepKey      string      `json:"step_key"`
	Decision     Decision    `json:"decision"`
	Opinion      string      `json:"opinion"`
	BackTo       *int        `json:"back_to"`
	UserID       int64       `json:"user_id"`
	UserName     string      `json:"user_name"`
	Role         string      `json:"role"`
	AttachmentID *int64      `json:"attachment_id"`
	Attachment   *Attachment `json:"attachment"`
	At           string      `json:"at"`
}

// Attachment is an uploaded file (a signed form, a photo), kept with its SHA-256.
type Attachment struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	CreatedAt   string `json:"created_at"`
}

// Notice is a publicity notice (公示) for a step.
type Notice struct {
	ID          int64  `json:"id"`
	ProcedureID int64  `json:"procedure_id"`
	Step        int    `json:"step"`
	RegionCode  string `json:"region_code"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	StartsAt    string `json:"starts_at"`
	EndsAt      string `json:"ends_at"`
	CreatedBy   int64  `json:"created_by"`
}

// Objection is an objection lodged against a notice; it blocks the step until answered.
type Objection struct {
	ID          int64  `json:"id"`
	NoticeID    int64  `json:"notice_id"`
	ProcedureID int64  `json:"procedure_id"`
	Content     string `json:"content"`
	Contact     string `json:"contact"`
	LodgedBy    int64  `json:"lodged_by"`
	LodgedAt    string `json:"lodged_at"`
	Answer      string `json:"answer"`
	AnsweredBy  int64  `json:"answered_by"`
	AnsweredAt  string `json:"answered_at"`
}

// SignInput is a signer's request.
type SignInput struct {
	Decision     Decision `json:"decision"`
	Opinion      string   `json:"opinion"`
	BackTo       *int     `json:"back_to"`
	AttachmentID *int64   `json:"attachment_id"`
}

// blockedReason says why the current step cannot be approved at now: a publicity step needs
// its notice to have run its full period with every objection answered.
func blockedReason(p *Procedure, now time.Time) string {
	s, ok := p.Current()
	if !ok || s.PublicityDays == 0 {
		return ""
	}
	n := currentNotice(p)
	if n == nil {
		return "须先发布公示(公示期 " + itoa(s.PublicityDays) + " 天)"
	}
	for _, o := range p.Objections {
		if o.NoticeID == n.ID && o.AnsweredAt == "" {
			return "公示期内有未答复的异议"
		}
	}
	if end := db.ParseTime(n.EndsAt); now.Before(end) {
		return "公示期未满,截止 " + end.In(shanghai).Format("2006-01-02 15:04")
	}
	return ""
}

// next works out where a decision leads: the next step index, whether the chain is done,
// and whether it ends rejected (a rejection at the first step closes the procedure).
func next(p *Procedure, in SignInput, now time.Time) (step int, done, cancelled bool, err error) {
	switch in.Decision {
	case Approve:
		if why := blockedReason(p, now); why != "" {
			return 0, false, false, errs.E(errs.Conflict, "%s", why)
		}
		if p.Step+1 >= len(p.Steps) {
			return len(p.Steps), true, false, nil
		}
		return p.Step + 1, false, false, nil
	case Reject:
		if in.Opinion == "" {
			return 0, false, false, errs.Field("opinion", "退回须说明理由")
		}
		if p.Step == 0 {
			return 0, false, true, nil
		}
		back := p.Step - 1
		if in.BackTo != nil {
			back = *in.BackTo
		}
		if back < 0 || back >= p.Step {
			return 0, false, false, errs.Field("back_to", "只能退回到之前的步骤(0 到 "+itoa(p.Step-1)+")")
		}
		return back, false, false, nil
	}
	return 0, false, false, errs.Field("decision", "应为 approve(同意)或 reject(退回)")
}

// StepsJSON is how a chain is stored.
func StepsJSON(s []Step) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var shanghai = db.Shanghai

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
