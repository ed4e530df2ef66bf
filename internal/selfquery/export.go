package selfquery

import (
	"context"
	"crypto/hmac"
	"time"

	"sunshine/internal/db"
)

// What other public forms (the donation platform's pledges and donor queries) share with the
// own-household query: the installation secret and the captcha check. Thin wrappers only.

// InstallSecret is the installation's 32-byte secret (app_secrets 'install'), for keyed hashes.
func (s *Service) InstallSecret(ctx context.Context) ([]byte, error) { return s.installSecret(ctx) }

// VerifyCaptcha spends a captcha token (one token, one guess, right or wrong) and checks its
// answer; it fails with the same field errors the own-household query gives.
func (s *Service) VerifyCaptcha(ctx context.Context, tokenText, answer string) error {
	ans, ok := normAnswer(answer)
	if !ok {
		return errCaptchaWrong
	}
	tok, ok := parseToken(tokenText)
	if !ok {
		return errCaptchaBad
	}
	secret, err := s.installSecret(ctx)
	if err != nil {
		return err
	}
	if tok.expiry <= s.DB.Clock().Unix() {
		return errCaptchaExpired
	}
	spent := false
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO captcha_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`,
			b64.EncodeToString(tok.nonce[:]), db.Time(time.Unix(tok.expiry, 0)))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		spent = n == 0
		return err
	}); err != nil {
		return err
	}
	if spent {
		return errCaptchaUsed
	}
	if want := tok.sign(secret, ans); !hmac.Equal(want[:], tok.mac[:]) {
		return errCaptchaWrong
	}
	return nil
}
