package e2e

// Async accept and drain throughput (docs/PERFORMANCE.md, "Async accept and
// drain"), and the pieces TestAsyncSurvivesKill shares: a client that sends
// signed Event invokes cheaply, and a recorder the function reports to.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// acceptConcurrency is how many Event invokes the benchmark keeps in flight
// (one keep-alive connection each).
const acceptConcurrency = 64

// reportJS posts its request id to the recorder at RECORDER_URL and returns.
const reportJS = `const url = process.env.RECORDER_URL;
exports.handler = async (event, context) => {
  const r = await fetch(url, { method: "POST", body: context.awsRequestId });
  await r.arrayBuffer();
  if (!r.ok) throw new Error("recorder answered " + r.status);
  return null;
};
`

// recorder is an HTTP server on 127.0.0.1 that counts the request ids
// functions post to it.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen map[string]int
}

func newRecorder(tb testing.TB) *recorder {
	tb.Helper()
	r := &recorder{seen: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.seen[string(b)]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(r.srv.Close)
	return r
}

// missing returns the ids of ids the recorder has not seen.
func (r *recorder) missing(ids []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, id := range ids {
		if r.seen[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// counts returns a copy of the per-id counts.
func (r *recorder) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.seen))
	for k, v := range r.seen {
		out[k] = v
	}
	return out
}

// createReporter creates a nodejs20.x function running reportJS against rec.
func createReporter(tb testing.TB, s *server, name string, rec *recorder) {
	tb.Helper()
	createFn(tb, s, name, zipOf(tb, map[string]string{"index.js": reportJS}), func(in *lambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"RECORDER_URL": rec.srv.URL}}
	})
}

// eventClient sends Event invokes of one function with one fixed payload,
// signing cheaply: one SigV4 signer, the payload hash computed once, and the
// signed headers computed at most once per second (a signature covers the
// method, path, signed headers, payload hash and the X-Amz-Date second, so
// identical requests sent within one second carry the same one). Up to conns
// connections are kept alive.
type eventClient struct {
	url     string
	payload []byte
	hash    string
	signer  *v4.Signer
	hc      *http.Client
	signed  atomic.Pointer[signedHeaders]
}

type signedHeaders struct {
	sec    int64
	header http.Header
}

func newEventClient(baseURL, function string, payload []byte, conns int) *eventClient {
	sum := sha256.Sum256(payload)
	return &eventClient{
		url:     baseURL + fnPath(function) + "/invocations",
		payload: payload,
		hash:    hex.EncodeToString(sum[:]),
		signer:  v4.NewSigner(),
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
		}},
	}
}

// headers returns the signed headers for the current second.
func (c *eventClient) headers() (http.Header, error) {
	now := time.Now()
	if h := c.signed.Load(); h != nil && h.sec == now.Unix() {
		return h.header, nil
	}
	req, err := http.NewRequest("POST", c.url, bytes.NewReader(c.payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
	if err := c.signer.SignHTTP(context.Background(), creds, req, c.hash, "lambda", region, now.Truncate(time.Second)); err != nil {
		return nil, err
	}
	c.signed.Store(&signedHeaders{sec: now.Unix(), header: req.Header})
	return req.Header, nil
}

// send sends one Event invoke and returns the status and x-amzn-RequestId.
func (c *eventClient) send() (int, string, error) {
	h, err := c.headers()
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequest("POST", c.url, bytes.NewReader(c.payload))
	if err != nil {
		return 0, "", err
	}
	req.Header = h.Clone()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("x-amzn-RequestId"), nil
}

func (c *eventClient) close() { c.hc.CloseIdleConnections() }

// sendAll sends n Event invokes from `workers` goroutines and returns the
// request ids of the 202s and the time taken; it stops at the first error.
func (c *eventClient) sendAll(n, workers int) ([]string, time.Duration, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for firstErr.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				st, id, err := c.send()
				if err == nil && st != http.StatusAccepted {
					err = fmt.Errorf("status %d", st)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		return nil, elapsed, *e
	}
	return ids, elapsed, nil
}

// BenchmarkAsyncAccept measures accepted Event invokes per second (signed,
// acceptConcurrency in flight over keep-alive connections) against a server
// of its own, once in the default durability mode and once with
// --sync-always. Each run also reports the floor measured in the same run (a
// bare Go handler answering 202, same client, same count) and the drain
// rate: accepted events completed per second by the workers, from the first
// accept until the function (a Node.js handler that only reports its
// request id) has reported every one. Waiting for the drain (400-700
// events/s here) makes a run last about N/500 seconds; results and what
// dominates are in docs/PERFORMANCE.md, "Async accept and drain".
func BenchmarkAsyncAccept(pb *testing.B) {
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer floor.Close()
	payload := []byte(`{"source":"bench","n":1}`)
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"sync-always", []string{"--sync-always"}},
	} {
		// One server per mode, started by the first run of the
		// sub-benchmark (b.Run calls it again with larger b.N).
		var (
			s      *server
			rec    *recorder
			kc, fc *eventClient
		)
		pb.Run(mode.name, func(b *testing.B) {
			if s == nil {
				// The parent's TempDir and Cleanup: a sub-benchmark's
				// run cleans up after each b.N.
				s = startServer(b, pb.TempDir(), mode.args...)
				rec = newRecorder(pb)
				name := "bench-async"
				createReporter(b, s, name, rec)
				kc = newEventClient(s.url, name, payload, acceptConcurrency)
				fc = newEventClient(floor.URL, name, payload, acceptConcurrency)
				// Warm up: connections open, environments started.
				ids, _, err := kc.sendAll(4*acceptConcurrency, acceptConcurrency)
				if err != nil {
					b.Fatal(err)
				}
				waitRecorded(b, s, rec, ids)
				if _, _, err := fc.sendAll(4*acceptConcurrency, acceptConcurrency); err != nil {
					b.Fatal(err)
				}
			}
			_, floorTime, err := fc.sendAll(b.N, acceptConcurrency)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			ids, acceptTime, err := kc.sendAll(b.N, acceptConcurrency)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			waitRecorded(b, s, rec, ids)
			drainTime := time.Since(start)
			rate := float64(b.N) / acceptTime.Seconds()
			floorRate := float64(b.N) / floorTime.Seconds()
			b.ReportMetric(rate, "events/s")
			b.ReportMetric(floorRate, "floor-events/s")
			b.ReportMetric(floorRate/rate, "x-floor")
			b.ReportMetric(float64(b.N)/drainTime.Seconds(), "drain-events/s")
		})
		if s != nil {
			kc.close()
			fc.close()
			s.stop()
		}
	}
}

// waitRecorded waits until the recorder has seen every id (a drain of at
// least 20 events/s, and at least a minute); on a timeout it shows the end
// of s's log.
func waitRecorded(tb testing.TB, s *server, rec *recorder, ids []string) {
	tb.Helper()
	deadline := time.Now().Add(max(time.Minute, time.Duration(len(ids))*50*time.Millisecond))
	pending := ids
	for ; len(pending) > 0; time.Sleep(50 * time.Millisecond) {
		if pending = rec.missing(pending); len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			l := s.log.String()
			l = l[max(0, len(l)-8000):]
			tb.Fatalf("%d of %d events not run, e.g. %s; server log ends:\n%s", len(pending), len(ids), pending[0], l)
		}
	}
}
