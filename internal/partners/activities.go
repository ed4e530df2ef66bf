package partners

import (
	"context"
	"fmt"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

const activityCols = `a.id, a.pairing_id, a.on_date, a.title, a.content, a.value_fen, a.people, a.created_at`

func queryActivities(ctx context.Context, q db.Queryer, where string, args ...any) ([]Activity, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+activityCols+` FROM partner_activities a WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		var x Activity
		if err := rows.Scan(&x.ID, &x.PairingID, &x.OnDate, &x.Title, &x.Content, &x.ValueFen, &x.People, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.Source = "pairing"
		out = append(out, x)
	}
	return out, rows.Err()
}

// Activities lists a pairing's activities, newest first.
func (s *Service) Activities(ctx context.Context, p *auth.Principal, pairingID int64) ([]Activity, error) {
	if _, err := pairingFor(ctx, s.DB.Reader(), p, pairingID, auth.SocialRead); err != nil {
		return nil, err
	}
	return queryActivities(ctx, s.DB.Reader(), `a.pairing_id = ? ORDER BY a.on_date DESC, a.id DESC LIMIT ?`, pairingID, MaxListed)
}

// AddActivity appends an activity to a pairing, dated within the pairing's time (an ended
// pairing takes late records up to its end). Activities are never changed or removed.
func (s *Service) AddActivity(ctx context.Context, p *auth.Principal, pairingID int64, in ActivityInput) (Activity, error) {
	pr, err := pairingFor(ctx, s.DB.Reader(), p, pairingID, auth.SocialWrite)
	if err != nil {
		return Activity{}, err
	}
	v := errs.Validation{}
	date(v, "on_date", &in.OnDate, s.today())
	text(v, "title", &in.Title, 1, 100)
	text(v, "content", &in.Content, 0, 2000)
	value := yuan(v, "value_yuan", in.ValueYuan)
	if in.People < 0 || in.People > MaxPeople {
		v.Add("people", fmt.Sprintf("人数应为 0 到 %d", MaxPeople))
	}
	if err := v.Err(); err != nil {
		return Activity{}, err
	}
	if in.OnDate < pr.Since {
		return Activity{}, errs.Field("on_date", "活动日期不能早于结对开始日期 "+pr.Since)
	}
	if pr.Until != nil && in.OnDate > *pr.Until {
		return Activity{}, errs.Field("on_date", "活动日期不能晚于结对结束日期 "+*pr.Until)
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		id, err = tx.InsertID(ctx, `INSERT INTO partner_activities (pairing_id, region_code, on_date, title, content, value_fen, people,
			created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			pairingID, pr.VillageCode, in.OnDate, in.Title, in.Content, value, in.People, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "pairing.activity", "partner_activity", id, pr.VillageCode, nil, in)
	})
	if err != nil {
		return Activity{}, err
	}
	rows, err := queryActivities(ctx, s.DB.Reader(), `a.id = ?`, id)
	if err == nil && len(rows) == 0 {
		err = errs.E(errs.Internal, "活动读取失败")
	}
	if err != nil {
		return Activity{}, err
	}
	return rows[0], nil
}
