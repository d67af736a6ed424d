// Package miniotest starts a real MinIO server for a test, on loopback
// with its data in the test's temporary folder, so that the S3 blob store
// is tested against a real S3 server, never a stand-in.
package miniotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sijil-municipality/sijil/archive"
)

// Start runs a real MinIO server on loopback with its data in a
// temporary folder and returns how to reach it; the server is killed when
// the test ends. The binary is $SIJIL_MINIO, else the one `make tools`
// builds into $HOME/.cache/sijil/bin, else minio on PATH. A missing binary
// fails the test: a skipped S3 test would let CI pass without S3.
func Start(t testing.TB) archive.S3Config {
	t.Helper()
	bin := findMinIO(t)
	cfg := archive.S3Config{
		Endpoint:  "127.0.0.1:" + strconv.Itoa(freePort(t)),
		AccessKey: "sijil-test",
		SecretKey: "sijil-test-secret",
		Bucket:    "sijil-test",
	}
	console := "127.0.0.1:" + strconv.Itoa(freePort(t))

	var out bytes.Buffer
	cmd := exec.Command(bin, "server", "--quiet", "--address", cfg.Endpoint,
		"--console-address", console, t.TempDir())
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+cfg.AccessKey,
		"MINIO_ROOT_PASSWORD="+cfg.SecretKey,
		"MINIO_UPDATE=off")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	if err := waitLive(cfg, exited, 30*time.Second); err != nil {
		t.Fatalf("minio at %s: %v\n%s", cfg.Endpoint, err, out.String())
	}
	return cfg
}

func findMinIO(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SIJIL_MINIO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SIJIL_MINIO: %v: run `make tools` to build minio, or fix the variable", err)
		}
		return p
	}

	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "sijil", "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}

	t.Fatal("minio server binary not found in $SIJIL_MINIO, $HOME/.cache/sijil/bin " +
		"or PATH: run `make tools` to build it")
	return ""
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before MinIO binds it; waitLive then reports MinIO's error.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitLive polls MinIO's liveness endpoint, then lists buckets, until both
// succeed, the process exits, or the timeout passes. Health endpoints alone
// are not enough: they answer while the object layer is still starting and
// S3 requests fail with "Server not initialized yet".
func waitLive(cfg archive.S3Config, exited <-chan struct{}, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
	})
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Second}
	ready := func() bool {
		if !answersOK(hc, "http://"+cfg.Endpoint+"/minio/health/live") {
			return false
		}
		_, err := client.ListBuckets(ctx)
		return err == nil
	}

	for !ready() {
		select {
		case <-exited:
			return errors.New("exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s", timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func answersOK(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
