package oversight

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/regioncode"
)

// ComplaintRow is a complaint in a list. The complainant's name and phone are masked here;
// the detail (complaint.read) shows them in full.
type ComplaintRow struct {
	ID               int64   `json:"id"`
	TrackingCode     string  `json:"tracking_code"`
	Channel          string  `json:"channel"`
	Anonymous        bool    `json:"anonymous"`
	ComplainantName  string  `json:"complainant_name"`
	ComplainantPhone string  `json:"complainant_phone"`
	Category         string  `json:"category"`
	CategoryLabel    string  `json:"category_label"`
	EntityType       string  `json:"entity_type"`
	EntityRef        string  `json:"entity_ref"`
	RegionCode       string  `json:"region_code"`
	RegionName       string  `json:"region_name"`
	Subject          string  `json:"subject"`
	Content          string  `json:"content"`
	RepeatNo         int     `json:"repeat_no"`
	Status           string  `json:"status"`
	Department       string  `json:"department"`
	DepartmentLabel  string  `json:"department_label"`
	AssigneeID       *int64  `json:"assignee_id"`
	AssigneeName     string  `json:"assignee_name"`
	Deadline         *string `json:"deadline"`
	Overdue          bool    `json:"overdue"`
	OverdueDays      int     `json:"overdue_days"`
	Reply            string  `json:"reply"`
	RepliedAt        *string `json:"replied_at"`
	Satisfaction     string  `json:"satisfaction"`
	Misconduct       bool    `json:"misconduct"`
	ForwardedAt      *string `json:"forwarded_at"`
	AlertID          *int64  `json:"alert_id"`
	ClosedAt         *string `json:"closed_at"`
	Version          int64   `json:"version"`
	CreatedAt        string  `json:"created_at"`

	name, phone, matterKey string
}

// pendingComplaint reports whether a complaint still waits for its reply.
func pendingComplaint(status string) bool {
	return status == ComplaintReceived || status == ComplaintAssigned
}

// finish derives the labels, the overdue state and the masked complainant's details.
func (c *ComplaintRow) finish(today string) {
	c.CategoryLabel = ComplaintCategories[c.Category]
	c.DepartmentLabel = auth.RoleLabels[auth.Role(c.Department)]
	c.TrackingCode = FormatTrackingCode(c.TrackingCode)
	if pendingComplaint(c.Status) && c.Deadline != nil && *c.Deadline < today {
		c.Overdue = true
		dl, _ := time.Parse(db.DateLayout, *c.Deadline)
		td, _ := time.Parse(db.DateLayout, today)
		c.OverdueDays = int(td.Sub(dl).Hours() / 24)
	}
	c.ComplainantName = mask.Name(c.name)
	c.ComplainantPhone = mask.Phone(c.phone)
}

const complaintSelect = `SELECT c.id, c.tracking_code, c.channel, c.anonymous, c.complainant_name, c.complainant_phone, c.category,
	c.entity_type, c.entity_ref, c.region_code, COALESCE(r.name, ''), c.subject, c.content, c.repeat_no, c.status, c.department,
	c.assignee_id, COALESCE(u.display_name, ''), c.deadline, c.reply, c.replied_at, c.satisfaction, c.misconduct, c.forwarded_at,
	c.alert_id, c.closed_at, c.version, c.created_at, c.matter_key
	FROM complaints c LEFT JOIN regions r ON r.code = c.region_code LEFT JOIN users u ON u.id = c.assignee_id`

func scanComplaint(sc interface{ Scan(...any) error }) (ComplaintRow, error) {
	var c ComplaintRow
	var anon, misc int
	var assignee, alert sql.NullInt64
	var deadline, replied, forwarded, closed sql.NullString
	err := sc.Scan(&c.ID, &c.TrackingCode, &c.Channel, &anon, &c.name, &c.phone, &c.Category, &c.EntityType, &c.EntityRef,
		&c.RegionCode, &c.RegionName, &c.Subject, &c.Content, &c.RepeatNo, &c.Status, &c.Department, &assignee, &c.AssigneeName,
		&deadline, &c.Reply, &replied, &c.Satisfaction, &misc, &forwarded, &alert, &closed, &c.Version, &c.CreatedAt, &c.matterKey)
	c.Anonymous, c.Misconduct = anon != 0, misc != 0
	c.AssigneeID, c.AlertID = nullInt(assignee), nullInt(alert)
	c.Deadline, c.RepliedAt, c.ForwardedAt, c.ClosedAt = nullStr(deadline), nullStr(replied), nullStr(forwarded), nullStr(closed)
	return c, err
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullStr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

var errNoComplaint = errs.E(errs.NotFound, "举报投诉不存在")

func getComplaint(ctx context.Context, q db.Queryer, id int64) (ComplaintRow, error) {
	c, err := scanComplaint(q.QueryRowContext(ctx, complaintSelect+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNoComplaint
	}
	return c, err
}

// ComplaintFilter selects complaints in a list or the statistics.
type ComplaintFilter struct {
	Region     string
	Status     string // received | assigned | replied | closed | pending (received or assigned)
	Category   string
	Overdue    bool
	Repeat     bool // second and later complaints on a matter
	Misconduct bool // forwarded to the discipline commission
	Mine       bool // routed to the caller's role
	After      int64
	Limit      int
}

func (f ComplaintFilter) check() error {
	if f.Status != "" && f.Status != "pending" && !containsStr(complaintStatuses, f.Status) {
		return errs.Field("status", "应为 received、assigned、replied、closed 或 pending")
	}
	if _, ok := ComplaintCategories[f.Category]; f.Category != "" && !ok {
		return errs.Field("category", "应为 funds、identification、project、conduct、visit 或 other")
	}
	return nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// where builds the filter's condition (the region already checked against the caller's scope).
func (f ComplaintFilter) where(p *auth.Principal, today string) (string, []any) {
	lo, hi := regioncode.Range(f.Region)
	conds := []string{"c.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	switch f.Status {
	case "":
	case "pending":
		conds = append(conds, "c.status IN ('received', 'assigned')")
	default:
		conds = append(conds, "c.status = ?")
		args = append(args, f.Status)
	}
	if f.Category != "" {
		conds = append(conds, "c.category = ?")
		args = append(args, f.Category)
	}
	if f.Overdue {
		conds = append(conds, "c.status IN ('received', 'assigned') AND c.deadline < ?")
		args = append(args, today)
	}
	if f.Repeat {
		conds = append(conds, "c.repeat_no > 1")
	}
	if f.Misconduct {
		conds = append(conds, "c.misconduct = 1")
	}
	if f.Mine {
		conds = append(conds, "c.department = ?")
		args = append(args, string(p.Role))
	}
	return strings.Join(conds, " AND "), args
}

func listComplaints(ctx context.Context, q db.Queryer, p *auth.Principal, f ComplaintFilter, today string) ([]ComplaintRow, error) {
	cond, args := f.where(p, today)
	if f.After > 0 {
		cond += " AND c.id < ?"
		args = append(args, f.After)
	}
	args = append(args, f.Limit+1)
	rows, err := q.QueryContext(ctx, complaintSelect+` WHERE `+cond+` ORDER BY c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ComplaintRow{}
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, err
		}
		c.finish(today)
		out = append(out, c)
	}
	return out, rows.Err()
}

// complaintGroup is one group of the statistics query.
type complaintGroup struct {
	status, category, satisfaction string
	overdue, repeat                bool
	n                              int64
}

func complaintGroups(ctx context.Context, q db.Queryer, p *auth.Principal, f ComplaintFilter, today string) ([]complaintGroup, error) {
	cond, args := f.where(p, today)
	args = append([]any{today}, args...)
	rows, err := q.QueryContext(ctx, `SELECT c.status, c.category, c.satisfaction,
		CASE WHEN c.status IN ('received', 'assigned') AND c.deadline < ? THEN 1 ELSE 0 END,
		CASE WHEN c.repeat_no > 1 THEN 1 ELSE 0 END, COUNT(*)
		FROM complaints c WHERE `+cond+` GROUP BY 1, 2, 3, 4, 5`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []complaintGroup
	for rows.Next() {
		var g complaintGroup
		var od, rp int
		if err := rows.Scan(&g.status, &g.category, &g.satisfaction, &od, &rp, &g.n); err != nil {
			return nil, err
		}
		g.overdue, g.repeat = od == 1, rp == 1
		out = append(out, g)
	}
	return out, rows.Err()
}

// sameMatter lists the other complaints on a complaint's matter within the region range.
func sameMatter(ctx context.Context, q db.Queryer, key string, id int64, lo, hi, today string) ([]ComplaintRow, error) {
	rows, err := q.QueryContext(ctx, complaintSelect+` WHERE c.matter_key = ? AND c.id <> ? AND c.region_code BETWEEN ? AND ?
		ORDER BY c.id LIMIT 100`, key, id, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ComplaintRow{}
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, err
		}
		c.finish(today)
		out = append(out, c)
	}
	return out, rows.Err()
}

// newComplaint is a complaint row about to be written.
type newComplaint struct {
	in         ComplaintInput
	clientHash string
	createdBy  int64
	department auth.Role
	deadline   string
}

// insertComplaint writes a complaint with a fresh tracking code and its place in the count of
// complaints on the same matter; it returns the id, the stored code and the repeat number.
func insertComplaint(ctx context.Context, tx *db.Tx, c newComplaint) (id int64, code string, repeat int, err error) {
	key := matterKey(c.in.RegionCode, c.in.Category, c.in.EntityRef, c.in.Subject)
	if err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints WHERE matter_key = ?`, key).Scan(&repeat); err != nil {
		return
	}
	repeat++
	// 31^12 codes: a clash is all but impossible, but it is checked rather than left to the
	// unique index (a failed INSERT would abort a PostgreSQL transaction).
	for i := 0; ; i++ {
		if code, err = newTrackingCode(); err != nil {
			return
		}
		var n int
		if err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints WHERE tracking_code = ?`, code).Scan(&n); err != nil {
			return
		}
		if n == 0 {
			break
		}
		if i == 5 {
			return 0, "", 0, errs.E(errs.Internal, "无法生成查询码")
		}
	}
	now := db.Time(tx.Now)
	anon := 0
	if c.in.Anonymous {
		anon = 1
	}
	id, err = tx.InsertID(ctx, `INSERT INTO complaints (tracking_code, channel, anonymous, complainant_name, complainant_phone, category,
		entity_type, entity_ref, region_code, subject, content, matter_key, repeat_no, status, department, deadline, client_hash,
		created_by, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		code, c.in.Channel, anon, c.in.Name, c.in.Phone, c.in.Category, c.in.EntityType, c.in.EntityRef, c.in.RegionCode,
		c.in.Subject, c.in.Content, key, repeat, string(c.department), c.deadline, c.clientHash, db.NullID(c.createdBy), now, now)
	return id, code, repeat, err
}

// complaintAudit is what the audit trail keeps of a complaint: never the complainant's name,
// phone or the content (the trail is read more widely than the complaint desk).
func complaintAudit(c ComplaintRow) map[string]any {
	return map[string]any{"tracking_code": c.TrackingCode, "channel": c.Channel, "anonymous": c.Anonymous, "category": c.Category,
		"region_code": c.RegionCode, "subject": c.Subject, "repeat_no": c.RepeatNo, "status": c.Status, "department": c.Department,
		"assignee_id": c.AssigneeID, "deadline": c.Deadline, "misconduct": c.Misconduct, "satisfaction": c.Satisfaction,
		"version": c.Version}
}
