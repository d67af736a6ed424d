package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sijil-municipality/sijil"
)

// Session is a signed-in browser. Its token lives only in the browser's
// cookie; the database keeps its SHA-256.
type Session struct {
	UserID    string
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time // absolute end, whatever the activity
}

// seenEvery bounds how often a session's last use is written: once a
// minute is precise enough for an idle limit counted in tens of minutes.
const seenEvery = time.Minute

// StartSession opens a session for the user and returns its token (256
// random bits, base64url), to be set as a cookie. Call it on every
// sign-in, after EndSession on any session the browser had, so a token
// planted before sign-in is worthless after.
func (s *Service) StartSession(ctx context.Context, userID string) (string, Session, error) {
	var raw [32]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now().UTC()
	sess := Session{UserID: userID, CreatedAt: now, SeenAt: now,
		ExpiresAt: now.Add(s.policy.SessionLifetime)}
	_, err := s.db.ExecContext(ctx, `INSERT INTO accounts_sessions (token_hash, user_id,
		created_at, seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		tokenHash(token), userID, formatTime(now), formatTime(now), formatTime(sess.ExpiresAt))
	if err != nil {
		return "", Session{}, fmt.Errorf("accounts: start session: %w", err)
	}
	return token, sess, nil
}

// SessionUser returns the user signed in with token and the session, or
// kind Unauthorized if the token is unknown, idle too long, past its
// lifetime, or its account disabled. An expired session is deleted.
func (s *Service) SessionUser(ctx context.Context, token string) (User, Session, error) {
	expired := sijil.Errorf(sijil.Unauthorized, "accounts.session_expired",
		"Your session has ended; sign in again.")
	if token == "" || len(token) > 100 {
		return User{}, Session{}, expired
	}
	h := tokenHash(token)
	var sess Session
	var created, seen, expires string
	err := s.db.QueryRowContext(ctx, `SELECT user_id, created_at, seen_at, expires_at
		FROM accounts_sessions WHERE token_hash = $1`, h).Scan(&sess.UserID, &created,
		&seen, &expires)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, Session{}, expired
		}
		return User{}, Session{}, fmt.Errorf("accounts: load session: %w", err)
	}
	for _, t := range []struct {
		s string
		t *time.Time
	}{{created, &sess.CreatedAt}, {seen, &sess.SeenAt}, {expires, &sess.ExpiresAt}} {
		if *t.t, err = parseTime(t.s); err != nil {
			return User{}, Session{}, fmt.Errorf("accounts: session time: %w", err)
		}
	}

	row, err := s.loadWhere(ctx, "u.id = $1", sess.UserID)
	if errors.Is(err, errNoUser) {
		return User{}, Session{}, expired
	}
	if err != nil {
		return User{}, Session{}, err
	}
	idle := s.policy.CitizenIdle
	if row.IsStaff() {
		idle = s.policy.StaffIdle
	}
	now := s.now().UTC()
	if row.disabled || !now.Before(sess.ExpiresAt) || now.Sub(sess.SeenAt) >= idle {
		s.deleteSession(ctx, h)
		return User{}, Session{}, expired
	}

	if now.Sub(sess.SeenAt) >= seenEvery {
		_, err := s.db.ExecContext(ctx, `UPDATE accounts_sessions SET seen_at = $1
			WHERE token_hash = $2`, formatTime(now), h)
		if err != nil {
			return User{}, Session{}, fmt.Errorf("accounts: touch session: %w", err)
		}
		sess.SeenAt = now
	}
	return row.User, sess, nil
}

// EndSession signs the token's browser out. An unknown token is not an
// error: signing out twice is harmless.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.deleteSession(ctx, tokenHash(token))
}

// EndAllSessions signs the user out everywhere, as after a password reset.
func (s *Service) EndAllSessions(ctx context.Context, userID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM accounts_sessions WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("accounts: end sessions: %w", err)
	}
	return nil
}

// PurgeSessions deletes sessions past their lifetime; run it now and then.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM accounts_sessions WHERE expires_at <= $1`,
		formatTime(s.now()))
	if err != nil {
		return 0, fmt.Errorf("accounts: purge sessions: %w", err)
	}
	return res.RowsAffected()
}

func (s *Service) deleteSession(ctx context.Context, hash string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM accounts_sessions WHERE token_hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
