package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, the production database

	"github.com/sijil-municipality/sijil"
	"github.com/sijil-municipality/sijil/accounts"
	"github.com/sijil-municipality/sijil/archive"
	"github.com/sijil-municipality/sijil/audit"
	"github.com/sijil-municipality/sijil/certs"
	"github.com/sijil-municipality/sijil/certs/issuancelog"
	"github.com/sijil-municipality/sijil/notify"
	"github.com/sijil-municipality/sijil/requests"
	"github.com/sijil-municipality/sijil/subscriptions"
)

// maxPostgresConns bounds the PostgreSQL pool of one process: several
// web nodes share one server, whose max_connections defaults to 100.
const maxPostgresConns = 20

// migrationLock is the PostgreSQL advisory lock key held while migrating,
// so that nodes started together do not apply the same migration twice.
// Its value is arbitrary; every Sijil process uses the same one.
const migrationLock = 0x5131_1a11

// dataPlace is where a command's data lives: the data folder (blobs, the
// index, key files) and, when databaseURL is set, a PostgreSQL database
// in place of the folder's SQLite file; when blobsURL is set, an S3 bucket
// in place of its blobs.
type dataPlace struct {
	dir         string
	databaseURL string
	blobsURL    string // an S3 bucket in place of the folder's blobs/; see openBlobs
}

// LogValue keeps the database password out of any log line that names
// the place.
func (p dataPlace) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("dir", p.dir)}
	if p.databaseURL != "" {
		attrs = append(attrs, slog.String("database", redactURL(p.databaseURL)))
	}
	if p.blobsURL != "" {
		attrs = append(attrs, slog.String("blobs", redactURL(p.blobsURL)))
	}
	return slog.GroupValue(attrs...)
}

// dataFlag registers --data, --database-url and --blobs-url, whose
// defaults come from $SIJIL_DATA, $SIJIL_DATABASE_URL and $SIJIL_BLOBS_URL.
func dataFlag(fs *flag.FlagSet) *dataPlace {
	p := &dataPlace{}
	def := os.Getenv("SIJIL_DATA")
	if def == "" {
		def = "./data"
	}
	fs.StringVar(&p.dir, "data", def, "data folder (database, blobs, index, keys)")
	fs.StringVar(&p.databaseURL, "database-url", os.Getenv("SIJIL_DATABASE_URL"),
		"PostgreSQL URL (postgres://user:password@host/db) to use instead of the data "+
			"folder's SQLite file")
	fs.StringVar(&p.blobsURL, "blobs-url", os.Getenv("SIJIL_BLOBS_URL"),
		"S3 bucket (s3://host:port/bucket, keys in $SIJIL_S3_ACCESS_KEY and "+
			"$SIJIL_S3_SECRET_KEY) to use instead of the data folder's blobs")
	return p
}

// openDatabase opens the place's database, brings every domain's tables
// up to date and logs which database it is, password redacted.
func openDatabase(ctx context.Context, p dataPlace, sqlitePath string, log *slog.Logger) (
	*sql.DB, error) {
	if p.databaseURL == "" {
		log.Info("database", "dialect", sijil.DialectSQLite, "path", sqlitePath)
		return openSQLite(ctx, sqlitePath)
	}

	log.Info("database", "dialect", sijil.DialectPostgres, "url", redactURL(p.databaseURL))
	db, err := openPostgres(ctx, p.databaseURL)
	if err != nil {
		return nil, err
	}
	if err := migratePostgres(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openPostgres opens and pings a PostgreSQL database. Only URLs are taken,
// not key=value strings, so that the password can be redacted reliably.
func openPostgres(ctx context.Context, rawURL string) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, sijil.Errorf(sijil.Invalid, "database.bad_url",
			"--database-url must be a URL such as postgres://user:password@host:5432/sijil")
	}
	db, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(rawURL), err)
	}
	db.SetMaxOpenConns(maxPostgresConns)
	db.SetMaxIdleConns(maxPostgresConns)
	// A server restart or failover leaves dead connections behind: renew
	// them now and then instead of failing a request on each.
	db.SetConnMaxLifetime(30 * time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, sijil.Errorf(sijil.Unavailable, "database.unreachable",
			"cannot connect to the database at %s: %w", redactURL(rawURL), err)
	}
	return db, nil
}

// migratePostgres migrates under an advisory lock held on a connection of
// its own: a second node starting at the same time waits, then finds
// nothing left to do.
func migratePostgres(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`,
		migrationLock)
	return migrateAll(ctx, db, sijil.DialectPostgres)
}

// migrateAll runs every domain's migrations: the one place where the
// schema is brought up to date.
func migrateAll(ctx context.Context, db *sql.DB, dialect string) error {
	for _, migrate := range []func(context.Context, *sql.DB, string) error{
		archive.Migrate, certs.Migrate, issuancelog.Migrate, accounts.Migrate, notify.Migrate,
		subscriptions.Migrate, audit.Migrate, requests.Migrate,
	} {
		if err := migrate(ctx, db, dialect); err != nil {
			return err
		}
	}
	return nil
}

// redactURL returns a database or object store URL without its password, wherever it is
// given: in the user part or as a password parameter.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
