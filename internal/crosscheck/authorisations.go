package crosscheck

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Authorisation is a household's signed consent (授权委托书) to the economic-status check,
// with the scan as a registry attachment. Rows are never changed except to revoke them.
type Authorisation struct {
	ID             int64   `json:"id"`
	HouseholdID    int64   `json:"household_id"`
	RegionCode     string  `json:"region_code"`
	SignedOn       string  `json:"signed_on"`
	AttachmentID   int64   `json:"attachment_id"`
	AttachmentName string  `json:"attachment_name"`
	Note           string  `json:"note"`
	RecordedBy     int64   `json:"recorded_by"`
	CreatedAt      string  `json:"created_at"`
	RevokedOn      *string `json:"revoked_on"`
	RevokedReason  string  `json:"revoked_reason"`
	Active         bool    `json:"active"`
}

// AuthorisationInput records a signed authorisation.
type AuthorisationInput struct {
	SignedOn     string `json:"signed_on"`
	AttachmentID int64  `json:"attachment_id"`
	Note         string `json:"note"`
}

// RevokeInput withdraws an authorisation (the household took its consent back).
type RevokeInput struct {
	On     string `json:"on"`
	Reason string `json:"reason"`
}

// householdRef is what this package needs of a household.
type householdRef struct {
	ID          int64
	HouseholdNo string
	HeadName    string
	RegionCode  string
	Status      string
}

var errNoHousehold = errs.E(errs.NotFound, "农户不存在")

// household loads a household and checks the principal may do action on it; outside the
// scope it looks absent.
func household(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, id int64) (householdRef, error) {
	var h householdRef
	err := q.QueryRowContext(ctx, `SELECT id, household_no, head_name, region_code, status FROM households WHERE id = ?`, id).
		Scan(&h.ID, &h.HouseholdNo, &h.HeadName, &h.RegionCode, &h.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return h, errNoHousehold
	}
	if err != nil {
		return h, err
	}
	if !p.InScope(h.RegionCode) {
		return householdRef{}, errNoHousehold
	}
	return h, p.RequireIn(action, h.RegionCode)
}

// pastDate reads a date that must not lie in the future.
func pastDate(field, s, today string) (string, error) {
	t, err := tabular.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return "", errs.Field(field, "日期格式应为 YYYY-MM-DD")
	}
	d := t.Format(db.DateLayout)
	if d > today {
		return "", errs.Field(field, "日期不能晚于今天")
	}
	if d < "2000-01-01" {
		return "", errs.Field(field, "日期不能早于 2000-01-01")
	}
	return d, nil
}

// Authorisations lists a household's authorisations, newest first.
func (s *Service) Authorisations(ctx context.Context, p *auth.Principal, householdID int64) ([]Authorisation, error) {
	q := s.DB.Reader()
	if _, err := household(ctx, q, p, auth.HouseholdRead, householdID); err != nil {
		return nil, err
	}
	return listAuthorisations(ctx, q, householdID)
}

// AddAuthorisation records a signed authorisation with its scan. Earlier ones stay.
func (s *Service) AddAuthorisation(ctx context.Context, p *auth.Principal, householdID int64, in AuthorisationInput) (Authorisation, error) {
	var out Authorisation
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := household(ctx, tx, p, auth.HouseholdWrite, householdID)
		if err != nil {
			return err
		}
		if h.Status == "removed" {
			return errs.E(errs.Conflict, "该户已核销,无需再登记授权委托书")
		}
		signed, err := pastDate("signed_on", in.SignedOn, db.Date(tx.Now))
		if err != nil {
			return err
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > 500 {
			return errs.Field("note", "备注不超过 500 字")
		}
		if err := usableAttachment(ctx, tx, p, in.AttachmentID); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO authorisations (household_id, region_code, signed_on, attachment_id, note, recorded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.ID, h.RegionCode, signed, in.AttachmentID, in.Note, p.UserID, now)
		if err != nil {
			return err
		}
		if out, err = getAuthorisation(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "authorisation.add", "household", h.ID, h.RegionCode, nil,
			map[string]any{"authorisation_id": id, "signed_on": signed, "attachment_id": in.AttachmentID, "note": in.Note})
	})
	return out, err
}

// RevokeAuthorisation withdraws an authorisation: from then on runs skip the household unless
// another authorisation is active.
func (s *Service) RevokeAuthorisation(ctx context.Context, p *auth.Principal, id int64, in RevokeInput) (Authorisation, error) {
	var out Authorisation
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := getAuthorisation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := household(ctx, tx, p, auth.HouseholdWrite, a.HouseholdID); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return errNoAuthorisation
			}
			return err
		}
		if !a.Active {
			return errs.E(errs.Conflict, "该授权委托书已于 %s 撤回", *a.RevokedOn)
		}
		on, err := pastDate("on", in.On, db.Date(tx.Now))
		if err != nil {
			return err
		}
		if on < a.SignedOn {
			return errs.Field("on", "撤回日期不能早于签署日期 "+a.SignedOn)
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if in.Reason == "" || len([]rune(in.Reason)) > 500 {
			return errs.Field("reason", "请填写撤回原因(不超过 500 字)")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authorisations SET revoked_on = ?, revoked_reason = ?, revoked_by = ? WHERE id = ?`,
			on, in.Reason, p.UserID, id); err != nil {
			return err
		}
		before := a
		if out, err = getAuthorisation(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "authorisation.revoke", "household", a.HouseholdID, a.RegionCode,
			map[string]any{"authorisation_id": id, "revoked_on": before.RevokedOn},
			map[string]any{"authorisation_id": id, "revoked_on": on, "reason": in.Reason})
	})
	return out, err
}

var errNoAuthorisation = errs.E(errs.NotFound, "授权委托书不存在")

// usableAttachment checks an attachment exists and the principal may refer to it: they
// uploaded it, or it was uploaded within their scope.
func usableAttachment(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) error {
	if id <= 0 {
		return errs.Field("attachment_id", "请先上传扫描件(POST /api/v1/attachments),再填写其编号")
	}
	var region string
	var by int64
	err := q.QueryRowContext(ctx, `SELECT region_code, uploaded_by FROM attachments WHERE id = ?`, id).Scan(&region, &by)
	if errors.Is(err, sql.ErrNoRows) || err == nil && by != p.UserID && !p.InScope(region) {
		return errs.Field("attachment_id", "附件不存在")
	}
	return err
}

// UnauthorisedRow is a household a run would skip: no active authorisation on record.
type UnauthorisedRow struct {
	HouseholdID int64   `json:"household_id"`
	HouseholdNo string  `json:"household_no"`
	HeadName    string  `json:"head_name"`
	RegionCode  string  `json:"region_code"`
	RegionName  string  `json:"region_name"`
	Status      string  `json:"status"`
	LastRevoked *string `json:"last_revoked_on"` // an authorisation existed and was revoked
}

// Cursor is a keyset position: region code and id.
type Cursor struct {
	Region string
	ID     int64
}

// Unauthorised pages through the households under a region (applying, registered or exited:
// those a run reads) that have no active authorisation, by village then id.
func (s *Service) Unauthorised(ctx context.Context, p *auth.Principal, region string, after Cursor, limit int) ([]UnauthorisedRow, error) {
	q := s.DB.Reader()
	r, err := regionIn(ctx, q, p, auth.HouseholdRead, region)
	if err != nil {
		return nil, err
	}
	lo, hi := regioncode.Range(r.Code)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, COALESCE(g.name, ''), h.status,
		(SELECT MAX(x.revoked_on) FROM authorisations x WHERE x.household_id = h.id)
		FROM households h LEFT JOIN regions g ON g.code = h.region_code
		WHERE h.status IN ('applying', 'registered', 'exited') AND h.region_code BETWEEN ? AND ?
		AND (h.region_code, h.id) > (?, ?)
		AND NOT EXISTS (SELECT 1 FROM authorisations a WHERE a.household_id = h.id AND a.revoked_on IS NULL)
		ORDER BY h.region_code, h.id LIMIT ?`, lo, hi, after.Region, after.ID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UnauthorisedRow{}
	for rows.Next() {
		var u UnauthorisedRow
		var rev sql.NullString
		if err := rows.Scan(&u.HouseholdID, &u.HouseholdNo, &u.HeadName, &u.RegionCode, &u.RegionName, &u.Status, &rev); err != nil {
			return nil, err
		}
		if rev.Valid {
			u.LastRevoked = &rev.String
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// authorisedHouseholds is the set of households under region with an active authorisation.
func authorisedHouseholds(ctx context.Context, q db.Queryer, region string) (map[int64]bool, error) {
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT a.household_id FROM authorisations a
		JOIN households h ON h.id = a.household_id WHERE h.region_code BETWEEN ? AND ? AND a.revoked_on IS NULL`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
