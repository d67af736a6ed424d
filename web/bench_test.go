package web_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// BenchmarkVerifyAPI measures the server's own cost of one online
// verification through the full handler stack, requests in parallel. The
// load test against a running server is BenchmarkVerifyAPIAt1000RPS in
// cmd/sijil.
func BenchmarkVerifyAPI(b *testing.B) {
	f := newFixtureTB(b)
	var tokens []string
	for i := 0; i < 20; i++ {
		tokens = append(tokens, f.issueTB(b).Token)
	}
	h := f.handler
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			token := tokens[int(n.Add(1))%len(tokens)]
			req := httptest.NewRequest(http.MethodGet, "/api/v1/verify/"+token, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
