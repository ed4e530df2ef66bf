package account

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// FieldTokenDays is how long a phone stays signed in. A helper signs in once, in the town
// office, and then works for months in villages without signal; the token is listed with the
// user's tokens and can be revoked there when a phone is lost.
const FieldTokenDays = 180

// FieldLogin is the field app's sign-in form.
type FieldLogin struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Device   string `json:"device"` // the phone's own description, kept in the token's name
}

// FieldSession is what the field app keeps: a bearer token, not a cookie, so it works offline
// and across restarts without CSRF.
type FieldSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// FieldSignIn checks a helper's password and issues a long-lived API token for the phone.
func (s *Service) FieldSignIn(ctx context.Context, in FieldLogin, client string) (FieldSession, error) {
	u, err := s.authenticate(ctx, Login{Username: in.Username, Password: in.Password}, client)
	if err != nil {
		return FieldSession{}, err
	}
	if u.Role != auth.Helper {
		return FieldSession{}, errs.E(errs.Forbidden, "手机APP仅供帮扶责任人使用,请在电脑上登录管理后台")
	}
	name := "手机APP"
	if d := strings.TrimSpace(in.Device); d != "" {
		name += " " + d
	}
	if r := []rune(name); len(r) > 50 {
		name = string(r[:50])
	}
	secret, hash := randomToken("sst_")
	out := FieldSession{Token: secret, User: u}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		out.ExpiresAt = tx.Now.AddDate(0, 0, FieldTokenDays)
		id, err := tx.InsertID(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			u.ID, name, hash, db.Time(tx.Now), db.Time(out.ExpiresAt))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, db.Time(tx.Now), u.ID); err != nil {
			return err
		}
		t := tx.Now
		out.User.LastLoginAt = &t
		return audit.Record(ctx, tx, audit.Actor{ID: u.ID, Name: u.DisplayName + "(" + u.Username + ")"}, audit.Change{
			Action: "auth.field_login", EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10), RegionCode: u.ScopeCode,
			After: map[string]any{"client": client, "token_id": id, "name": name, "expires_at": db.Time(out.ExpiresAt)},
		})
	})
	return out, err
}

func (s *Service) handleFieldLogin(w http.ResponseWriter, r *http.Request) error {
	var in FieldLogin
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Username == "" || in.Password == "" {
		return errs.E(errs.Invalid, "请输入用户名和密码")
	}
	out, err := s.FieldSignIn(r.Context(), in, clientAddr(r))
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, out)
	return nil
}
