// Package selfquery is the own-household query of the public portal and the kiosk (户籍自查):
// a person gives an ID number and a name, solves an arithmetic captcha the server draws (it
// works without any outside service), and sees their household's status, helper and every
// payment its passbooks received. It is rate-limited per client and per ID number, audited,
// and answers a pair that does not match exactly like an unknown one.
package selfquery

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"sunshine/internal/db"
)

// Default limits: per client (keyed hash of its address) and per ID number asked about.
const (
	ClientPerHour = 10
	IDPerHour     = 5
	// TokenTTL is how long a captcha is good for.
	TokenTTL = 5 * time.Minute
	// BodyLimit bounds the body of a query request.
	BodyLimit = 4 << 10
)

// Service answers the public's own-household queries.
type Service struct {
	DB *db.DB
	// ClientPerHour and IDPerHour override the default limits when non-zero (benchmarks).
	ClientPerHour, IDPerHour int

	mu     sync.Mutex
	secret []byte
	pruned atomic.Int64 // unix seconds of the last prune of spent nonces and old hits
	group  group        // the queries' writes waiting for the next batch (batch.go)
}

func (s *Service) clientLimit() int {
	if s.ClientPerHour > 0 {
		return s.ClientPerHour
	}
	return ClientPerHour
}

func (s *Service) idLimit() int {
	if s.IDPerHour > 0 {
		return s.IDPerHour
	}
	return IDPerHour
}

// installSecret is the installation's 32-byte secret (app_secrets row 'install'), made on
// first use and cached. Two processes racing to make it both end up with the stored one.
func (s *Service) installSecret(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secret != nil {
		return s.secret, nil
	}
	read := func(q db.Queryer) ([]byte, error) {
		var v string
		if err := q.QueryRowContext(ctx, `SELECT value FROM app_secrets WHERE name = 'install'`).Scan(&v); err != nil {
			return nil, err
		}
		b, err := hex.DecodeString(v)
		if err == nil && len(b) != 32 {
			err = errors.New("selfquery: installation secret is not 32 bytes")
		}
		return b, err
	}
	b, err := read(s.DB.Reader())
	if errors.Is(err, sql.ErrNoRows) {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			fresh := make([]byte, 32)
			if _, err := rand.Read(fresh); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO app_secrets (name, value, created_at) VALUES ('install', ?, ?)
				ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(fresh), db.Time(tx.Now)); err != nil {
				return err
			}
			b, err = read(tx)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	s.secret = b
	return b, nil
}

// keyed is the hex HMAC of a purpose-tagged value under the installation secret: how the
// limiter remembers a client's address or an ID number without storing either.
func keyed(secret []byte, purpose, v string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}
