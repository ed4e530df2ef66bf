package duty

import (
	"context"

	"sunshine/internal/account"
	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// AccountInput opens a field-app account for a helper.
type AccountInput struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// OpenAccount creates a helper-role user for the helper, scoped to the office that registered
// them, and links it: the helpers' office opens field-app accounts itself, without the system
// administrator, and can only ever make helper accounts this way.
func (s *Service) OpenAccount(ctx context.Context, p *auth.Principal, id int64, in AccountInput) (Helper, error) {
	var out Helper
	h, err := s.writableHelper(ctx, s.DB.Reader(), p, id)
	if err != nil {
		return out, err
	}
	nu, err := account.Prepare(account.NewUser{Username: in.Username, DisplayName: h.Name, Role: auth.Helper, ScopeCode: h.RegionCode, Password: in.Password})
	if err != nil {
		return out, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := getHelper(ctx, tx, id)
		if err != nil {
			return err
		}
		if !h.Active {
			return errs.E(errs.Conflict, "帮扶责任人 %s 已停用,不能开通手机APP账号", h.Name)
		}
		if h.UserID != 0 {
			return errs.E(errs.Conflict, "帮扶责任人 %s 已有手机APP账号 %s", h.Name, h.Username)
		}
		u, err := account.Insert(ctx, tx, audit.ActorOf(p), nu)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE helpers SET user_id = ?, updated_at = ? WHERE id = ?`, u.ID, db.Time(tx.Now), id); err != nil {
			return err
		}
		if out, err = getHelper(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "helper.account_open", id, h.RegionCode, h, out)
	})
	return out, err
}

// CloseAccount unlinks the helper's field-app account and disables it, so a phone that
// belonged to someone who left stops syncing. The user row stays, as every record does.
func (s *Service) CloseAccount(ctx context.Context, p *auth.Principal, id int64) (Helper, error) {
	var out Helper
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.writableHelper(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if h.UserID == 0 {
			return errs.E(errs.Conflict, "帮扶责任人 %s 没有手机APP账号", h.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE helpers SET user_id = NULL, updated_at = ? WHERE id = ?`, db.Time(tx.Now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = 1, updated_at = ? WHERE id = ? AND role = ?`, db.Time(tx.Now), h.UserID, auth.Helper); err != nil {
			return err
		}
		if out, err = getHelper(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "helper.account_close", id, h.RegionCode, h, out)
	})
	return out, err
}
