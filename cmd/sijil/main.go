// Command sijil is the municipality's archive and certificate service:
// it serves the portal, ingests scans, searches the archive, issues and
// verifies certificates, and exports the public key set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sijil-municipality/sijil"
)

const usage = `Usage: sijil COMMAND [FLAGS] [ARGS]

Commands:
  serve   [--data DIR] [--addr HOST:PORT] [--public-url URL] [--demo]
  ingest  [--data DIR] [--by NAME] [--type T] [--reference REF] [--field NAME=VALUE]...
          [--lang L] PATH...
  ingest  [--data DIR] [--by NAME] [--workers N] --manifest FILE.csv
  search  [--data DIR] [--json] [--limit N] QUERY
  issue   [--data DIR] [--public-url URL] [--supersedes NUMBER] --kind building|craft|copy
          --from FILE.json --out FILE.pdf
  verify  [--keys FILE | --bundle FILE | --data DIR] FILE.pdf|QR-TEXT
  keys    list|rotate|export [--data DIR]
  keys    retire KEY-ID | compromise KEY-ID --since DATE [--data DIR]
  revoke  [--data DIR] --reason CODE [--note TEXT] CERT-NUMBER
  supersede [--data DIR] [--public-url URL] [--kind K] --from FILE.json --out FILE.pdf NUMBER
  bundle  [--data DIR] --out FILE
  fixity  [--data DIR] --all | --rota N
  reindex [--data DIR]
  record  show [--data DIR] [--by NAME] [--text] ID
  record  edit [--data DIR] [--by NAME] --reason TEXT (--field NAME=VALUE)... ID
  record  edit [--data DIR] [--by NAME] --reason TEXT --page N --text-file FILE|- ID
  record  history [--data DIR] ID
  duplicates [--data DIR] [--all] [--record ID]
  duplicates decide [--data DIR] [--by NAME] --as not_duplicate|duplicate_kept --note TEXT ID
  imports [--data DIR] [--limit N] | imports [--data DIR] --job ID [--all]
  staff   add [--data DIR] --name LOGIN --role ROLE[,ROLE] [--full-name NAME] [--phone N]
          [--password-stdin]
  import  subscriptions FILE.csv [--data DIR] [--by NAME]

--data defaults to $SIJIL_DATA, else ./data.
--database-url (default $SIJIL_DATABASE_URL) puts the tables in PostgreSQL
  instead of the data folder's SQLite file; blobs, index and keys stay in --data.
--public-url defaults to $SIJIL_PUBLIC_URL, else http://127.0.0.1:8080.
`

// exitFailure is the exit code for a command that failed; verify uses it
// for a certificate that is not genuine.
const exitFailure = 1

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code. It is main
// without the process, so that tests run the real wiring.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	env := &env{stdout: stdout, stderr: stderr, log: log}

	commands := map[string]func(context.Context, []string) error{
		"serve":     env.serve,
		"ingest":    env.ingest,
		"search":    env.search,
		"issue":     env.issue,
		"verify":    env.verify,
		"keys":      env.keys,
		"revoke":    env.revoke,
		"supersede": env.supersede,
		"bundle":    env.bundle,
		"fixity":    env.fixity,
		"reindex":   env.reindex,
		"staff":     env.staff,
		"import":    env.importData,

		// An archivist's corrections and duplicates, record by record.
		"record":     env.record,
		"duplicates": env.duplicates,
		"imports":    env.imports,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sijil: unknown command %q\n\n%s", args[0], usage)
		return 2
	}

	err := cmd(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errReported):
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "sijil %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errNotGenuine):
		return exitFailure
	}
	reportError(stderr, log, args[0], err)
	return exitFailure
}

// reportError tells the user what went wrong in words they can act on;
// internal details go to the log only.
func reportError(stderr io.Writer, log *slog.Logger, cmd string, err error) {
	if sijil.KindOf(err) == sijil.Internal {
		// The operator at the console is the one who can act on the cause.
		log.Error("command failed", "command", cmd, "err", err)
		return
	}
	_, msg := sijil.UserMessage(err)
	fmt.Fprintf(stderr, "sijil %s: %s\n", cmd, msg)
}

var (
	errUsage      = errors.New("usage")
	errNotGenuine = errors.New("certificate is not genuine")

	// errReported is a usage error the flag package has already printed.
	errReported = errors.New("usage error already reported")
)

// flagError turns a flag parsing error into one that is not printed again.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errReported
}

// env is what every command shares: where it writes and how it logs.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
}

// flags returns a flag set for a command that reports errors through run.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sijil "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func publicURLFlag(fs *flag.FlagSet, def string) *string {
	if v := os.Getenv("SIJIL_PUBLIC_URL"); v != "" {
		def = v
	}
	return fs.String("public-url", def, "base of the verify URLs printed in QR codes")
}
