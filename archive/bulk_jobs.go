package archive

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sijil-municipality/sijil"
)

// The states of a job line.
const (
	LinePending = "pending" // not tried yet, or interrupted
	LineDone    = "done"    // archived: record_id names the record
	LineRefused = "refused" // the line or its file is wrong; reason says how
	LineFailed  = "failed"  // the import broke; a re-run tries again
)

// JobLine is one manifest line's state in a bulk-import job.
type JobLine struct {
	Line     int
	File     string
	State    string // one of the Line constants
	RecordID string // set when State is LineDone
	Reason   string // why a line was refused or failed; never a national ID

	// ReasonKey names Reason in the portal's catalogs; "" for lines
	// written before keys were kept. A failure's own error is in the log.
	ReasonKey string
}

// jobs keeps bulk-import jobs and their lines in the database.
type jobs struct {
	db  *sql.DB
	now func() time.Time
}

// open returns the unfinished job of the manifest, or starts one with
// every line pending, together with the lines already done.
func (j jobs) open(ctx context.Context, m *Manifest) (string, map[int]bool, error) {
	var id string
	err := j.db.QueryRowContext(ctx, `SELECT id FROM ingest_jobs
		WHERE manifest_sha256 = $1 AND finished_at = '' ORDER BY started_at DESC LIMIT 1`,
		m.SHA256).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		id, err = j.start(ctx, m)
		return id, map[int]bool{}, err
	}
	if err != nil {
		return "", nil, fmt.Errorf("archive: finding the job of %s: %w", m.Path, err)
	}

	lines, err := j.lines(ctx, id)
	if err != nil {
		return "", nil, err
	}
	done := map[int]bool{}
	for _, l := range lines {
		done[l.Line] = l.State == LineDone
	}
	return id, done, nil
}

// start writes a new job and all its lines, pending, in one transaction,
// so that a job is never known with only some of its lines.
func (j jobs) start(ctx context.Context, m *Manifest) (id string, err error) {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	id = "job_" + hex.EncodeToString(b[:])

	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("archive: begin job: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error says more than the rollback's
		}
	}()

	_, err = tx.ExecContext(ctx, `INSERT INTO ingest_jobs (id, manifest_path,
		manifest_sha256, started_at, finished_at) VALUES ($1, $2, $3, $4, '')`,
		id, m.Path, m.SHA256, j.stamp())
	if err != nil {
		return "", fmt.Errorf("archive: inserting job: %w", err)
	}
	for _, l := range m.Lines {
		_, err = tx.ExecContext(ctx, `INSERT INTO ingest_job_lines (job_id, line, file,
			state, record_id, reason) VALUES ($1, $2, $3, $4, '', '')`,
			id, l.Line, l.File, LinePending)
		if err != nil {
			return "", fmt.Errorf("archive: inserting line %d of job %s: %w", l.Line, id, err)
		}
	}

	if err = tx.Commit(); err != nil {
		return "", fmt.Errorf("archive: commit job %s: %w", id, err)
	}
	return id, nil
}

// set records a line's new state, with its reason and the reason's
// catalog key. It never writes a done line: see done.
func (j jobs) set(ctx context.Context, job string, line int, state, reason,
	key string) error {
	_, err := j.db.ExecContext(ctx, `UPDATE ingest_job_lines SET state = $1, reason = $2,
		reason_key = $3 WHERE job_id = $4 AND line = $5`, state, reason, key, job, line)
	if err != nil {
		return fmt.Errorf("archive: line %d of job %s: %w", line, job, err)
	}
	return nil
}

// done writes a line's metadata beside its record and marks the line done,
// in one small transaction after the record's own. A crash between the
// two leaves the line pending; the re-run finds the record by its hash.
func (j jobs) done(ctx context.Context, job string, l ManifestLine, rec Record,
	reason, key string) (err error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("archive: begin line %d: %w", l.Line, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the original error says more than the rollback's
		}
	}()

	m := l.Meta
	_, err = tx.ExecContext(ctx, `INSERT INTO record_manifest_metadata (record_id, job_id,
		line, record_type, reference, record_date, names, national_ids, parcel, plot,
		neighbourhood, street, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (record_id) DO NOTHING`,
		rec.ID, job, l.Line, m.RecordType, m.Reference, m.Date, strings.Join(m.Names, ";"),
		strings.Join(m.NationalIDs, ";"), m.Parcel, m.Plot, m.Neighbourhood, m.Street, m.Source)
	if err != nil {
		return fmt.Errorf("archive: metadata of line %d: %w", l.Line, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE ingest_job_lines SET state = $1, record_id = $2,
		reason = $3, reason_key = $4 WHERE job_id = $5 AND line = $6`, LineDone, rec.ID,
		reason, key, job, l.Line)
	if err != nil {
		return fmt.Errorf("archive: line %d of job %s: %w", l.Line, job, err)
	}

	if err = tx.Commit(); err != nil {
		return fmt.Errorf("archive: commit line %d of job %s: %w", l.Line, job, err)
	}
	return nil
}

// finish marks the job finished, so that a re-run starts a new one.
func (j jobs) finish(ctx context.Context, job string) error {
	_, err := j.db.ExecContext(ctx, `UPDATE ingest_jobs SET finished_at = $1 WHERE id = $2`,
		j.stamp(), job)
	if err != nil {
		return fmt.Errorf("archive: finishing job %s: %w", job, err)
	}
	return nil
}

// lines returns every line of the job in manifest order.
func (j jobs) lines(ctx context.Context, job string) ([]JobLine, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT line, file, state, record_id, reason,
		reason_key FROM ingest_job_lines WHERE job_id = $1 ORDER BY line`, job)
	if err != nil {
		return nil, fmt.Errorf("archive: lines of job %s: %w", job, err)
	}
	defer rows.Close()

	var out []JobLine
	for rows.Next() {
		var l JobLine
		if err := rows.Scan(&l.Line, &l.File, &l.State, &l.RecordID, &l.Reason,
			&l.ReasonKey); err != nil {
			return nil, fmt.Errorf("archive: lines of job %s: %w", job, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: lines of job %s: %w", job, err)
	}
	return out, nil
}

func (j jobs) stamp() string {
	now := time.Now
	if j.now != nil {
		now = j.now
	}
	return now().UTC().Format(timeLayout)
}

// ImportJob is a bulk import as the archivist's import queue shows it.
type ImportJob struct {
	ID           string
	ManifestPath string
	StartedAt    time.Time
	FinishedAt   time.Time // zero while the job is unfinished (running or interrupted)

	Total, Done, Refused, Failed, Pending int
}

// ImportJobs returns up to limit bulk imports, newest first, with their
// lines counted by state.
func (s *Store) ImportJobs(ctx context.Context, limit int) ([]ImportJob, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.id, j.manifest_path, j.started_at,
		j.finished_at, COUNT(l.line),
		COALESCE(SUM(CASE WHEN l.state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.state = 'refused' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.state = 'failed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.state = 'pending' THEN 1 ELSE 0 END), 0)
		FROM ingest_jobs j LEFT JOIN ingest_job_lines l ON l.job_id = j.id
		GROUP BY j.id, j.manifest_path, j.started_at, j.finished_at
		ORDER BY j.started_at DESC, j.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("archive: listing import jobs: %w", err)
	}
	defer rows.Close()

	var out []ImportJob
	for rows.Next() {
		var (
			j                 ImportJob
			started, finished string
		)
		err := rows.Scan(&j.ID, &j.ManifestPath, &started, &finished, &j.Total, &j.Done,
			&j.Refused, &j.Failed, &j.Pending)
		if err != nil {
			return nil, fmt.Errorf("archive: listing import jobs: %w", err)
		}
		if j.StartedAt, err = time.Parse(time.RFC3339Nano, started); err != nil {
			return nil, fmt.Errorf("archive: job %s start: %w", j.ID, err)
		}
		if finished != "" {
			if j.FinishedAt, err = time.Parse(time.RFC3339Nano, finished); err != nil {
				return nil, fmt.Errorf("archive: job %s end: %w", j.ID, err)
			}
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("archive: listing import jobs: %w", err)
	}
	return out, nil
}

// ImportJobLines returns the lines of a bulk import in manifest order:
// every line, or with problemsOnly those refused, failed or still pending,
// each with its reason. A job that does not exist is NotFound.
func (s *Store) ImportJobLines(ctx context.Context, jobID string, problemsOnly bool) (
	[]JobLine, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ingest_jobs WHERE id = $1`,
		jobID).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("archive: finding job %s: %w", jobID, err)
	}
	if n == 0 {
		return nil, sijil.Errorf(sijil.NotFound, "archive.job_not_found",
			"no import job has id %s", jobID)
	}

	lines, err := jobs{db: s.db}.lines(ctx, jobID)
	if err != nil || !problemsOnly {
		return lines, err
	}
	// A line archived but whose description was not applied is a problem
	// too: the archivist has a record to check.
	return slices.DeleteFunc(lines, func(l JobLine) bool {
		return l.State == LineDone && l.NotApplied() == nil
	}), nil
}

// NotApplied returns the fields of a line archived already whose values
// differ from its record's and were not applied, as its reason names
// them; nil for any other line.
func (l JobLine) NotApplied() []string {
	m := notAppliedReason.FindStringSubmatch(l.Reason)
	if l.ReasonKey != "bulk.already_archived_differs" || m == nil {
		return nil
	}
	return strings.Split(m[1], ", ")
}

// notAppliedReason is the reason importLine gives such a line.
var notAppliedReason = regexp.MustCompile(`^already archived; this line's (.+) differ from `)
