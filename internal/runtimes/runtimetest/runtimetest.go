// Package runtimetest is the test harness shared by the language runtimes
// (internal/runtimes/nodejs, internal/runtimes/python): a small fake Runtime
// API (runtime.md section 1) plus a runner that starts a runtime's embedded
// bootstrap under the real interpreter the way the server does (the
// runtime's argv, cwd = code dir, an explicit environment), collects the
// process's output line by line and records every request it makes.
package runtimetest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// WaitTime bounds every wait of the harness: for the runtime to ask for
	// an event, to post, to exit, or for an output line.
	WaitTime = 10 * time.Second
	// ARN is the Lambda-Runtime-Invoked-Function-Arn of every event.
	ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn-test"
	// LogStream is the AWS_LAMBDA_LOG_STREAM_NAME of every function.
	LogStream = "2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef"
)

// Runtime says how to start one language's bootstrap; only these bits differ
// between the runtimes.
type Runtime struct {
	// Interpreter is the absolute path of the interpreter, e.g. /usr/bin/node.
	Interpreter string
	// Args returns the interpreter's arguments that run the bootstrap file
	// at the absolute path bootstrap.
	Args func(bootstrap string) []string
	// Bootstrap is the bootstrap source; Start writes it to a fresh
	// temporary directory as BootstrapName.
	Bootstrap []byte
	// BootstrapName is the file name the bootstrap is written under.
	BootstrapName string
	// Env is the runtime's own part of the base environment (e.g. TZ, LANG,
	// AWS_EXECUTION_ENV); Start adds the common Lambda variables.
	Env []string
	// SeparateStderr keeps stderr out of the output pipe: it is collected
	// apart and read with Function.Stderr. Without it, stdout and stderr
	// share one pipe, as the server runs them.
	SeparateStderr bool
}

// Require skips the test when the interpreter is missing, except on CI
// (CI=true) where a missing interpreter is a failure.
func (rt *Runtime) Require(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(rt.Interpreter); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required when CI=true: %v", rt.Interpreter, err)
		}
		t.Skipf("%s not available: %v", rt.Interpreter, err)
	}
}

// Event is one invocation handed out by GET /next.
type Event struct {
	ID   string
	Body string
	// Headers are extra /next response headers; an empty value removes a
	// default header.
	Headers map[string]string
}

// Post is one POST the runtime made.
type Post struct {
	Kind   string // "response", "error" or "init/error"
	ID     string
	Body   []byte
	Header http.Header
	// Output holds every line the process had written to its output pipe
	// (stdout, and stderr unless Runtime.SeparateStderr) before this request
	// arrived.
	Output []string
}

// NewID returns a fresh random request id in UUID form.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// outputSink collects the child's output line by line. The parent keeps the
// pipe's write end: barrier writes a marker line, and since a pipe is FIFO,
// every line the child wrote before the call is read before the marker.
type outputSink struct {
	r, w  *os.File
	mu    sync.Mutex
	lines []string
	marks map[string]chan int
	seq   atomic.Int64
	done  chan struct{}
}

func newOutputSink() (*outputSink, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s := &outputSink{r: r, w: w, marks: map[string]chan int{}, done: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *outputSink) read() {
	defer close(s.done)
	br := bufio.NewReaderSize(s.r, 1<<16)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(line, "\n")
			s.mu.Lock()
			if ch, ok := s.marks[line]; ok {
				delete(s.marks, line)
				ch <- len(s.lines)
			} else {
				s.lines = append(s.lines, line)
			}
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// barrier returns the lines written before the call.
func (s *outputSink) barrier() []string {
	mark := fmt.Sprintf("\x00barrier-%d", s.seq.Add(1))
	ch := make(chan int, 1)
	s.mu.Lock()
	s.marks[mark] = ch
	s.mu.Unlock()
	if _, err := s.w.Write([]byte(mark + "\n")); err != nil {
		return nil
	}
	select {
	case n := <-ch:
		s.mu.Lock()
		defer s.mu.Unlock()
		return append([]string(nil), s.lines[:n]...)
	case <-time.After(WaitTime):
		return nil
	}
}

func (s *outputSink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Options tune one Start.
type Options struct {
	Prefix     string   // Runtime API path prefix, e.g. "/some/prefix"
	Env        []string // extra environment, after the base environment
	NextStatus int      // non-zero: GET /next answers with this status
	CloseConns bool     // answer every request with "Connection: close"
	NoTaskRoot bool     // leave LAMBDA_TASK_ROOT unset
}

// Function is one bootstrap process wired to its own fake Runtime API.
type Function struct {
	// Dir is the absolute fixture directory (cwd and LAMBDA_TASK_ROOT).
	Dir string
	// Bootstrap is the absolute path of the bootstrap file.
	Bootstrap string
	// Cmd is the running interpreter.
	Cmd *exec.Cmd

	t          testing.TB
	rt         *Runtime
	prefix     string
	nextStatus int
	closeConns bool

	api        *httptest.Server
	events     chan Event
	posts      chan Post
	unexpected chan string
	closing    chan struct{}

	out      *outputSink
	stderr   *syncBuffer // nil unless Runtime.SeparateStderr
	exited   chan struct{}
	exitCode int
}

// Start is StartOpts with only extra environment variables.
func (rt *Runtime) Start(t testing.TB, fixture, handler string, env ...string) *Function {
	t.Helper()
	return rt.StartOpts(t, fixture, handler, Options{Env: env})
}

// StartOpts starts the bootstrap with handler (_HANDLER) on the fixture
// directory testdata/<fixture> of the calling package's tests, each with its
// own fake Runtime API. It skips the test as Require does, and stops the
// process and the API when the test ends, failing the test on any request
// the API does not know.
func (rt *Runtime) StartOpts(t testing.TB, fixture, handler string, o Options) *Function {
	t.Helper()
	rt.Require(t)
	dir, err := filepath.Abs(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	f := &Function{
		Dir:        dir,
		t:          t,
		rt:         rt,
		prefix:     o.Prefix,
		nextStatus: o.NextStatus,
		closeConns: o.CloseConns,
		events:     make(chan Event),
		posts:      make(chan Post, 16),
		unexpected: make(chan string, 16),
		closing:    make(chan struct{}),
		exited:     make(chan struct{}),
	}
	f.Bootstrap = filepath.Join(t.TempDir(), rt.BootstrapName)
	if err := os.WriteFile(f.Bootstrap, rt.Bootstrap, 0o644); err != nil {
		t.Fatal(err)
	}
	if f.out, err = newOutputSink(); err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(http.HandlerFunc(f.serve))

	f.Cmd = exec.Command(rt.Interpreter, rt.Args(f.Bootstrap)...)
	f.Cmd.Dir = dir
	f.Cmd.Stdout = f.out.w
	if rt.SeparateStderr {
		f.stderr = &syncBuffer{}
		f.Cmd.Stderr = f.stderr
	} else {
		f.Cmd.Stderr = f.out.w
	}
	f.Cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, rt.Env...)
	f.Cmd.Env = append(f.Cmd.Env,
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(f.api.URL, "http://")+o.Prefix,
		"_HANDLER="+handler,
		"AWS_LAMBDA_FUNCTION_NAME=fn-test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn-test",
		"AWS_LAMBDA_LOG_STREAM_NAME="+LogStream,
	)
	if !o.NoTaskRoot {
		f.Cmd.Env = append(f.Cmd.Env, "LAMBDA_TASK_ROOT="+dir)
	}
	f.Cmd.Env = append(f.Cmd.Env, o.Env...)
	if err := f.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := f.Cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			f.exitCode = 0
		case errors.As(err, &ee):
			f.exitCode = ee.ExitCode()
		default:
			f.exitCode = -1
		}
		close(f.exited)
	}()
	t.Cleanup(f.stop)
	return f
}

func (f *Function) stop() {
	select {
	case <-f.exited:
	default:
		_ = f.Cmd.Process.Kill()
		<-f.exited
	}
	close(f.closing)
	f.api.Close()
	f.out.w.Close()
	<-f.out.done
	f.out.r.Close()
	close(f.unexpected)
	for u := range f.unexpected {
		f.t.Errorf("unexpected Runtime API request: %s", u)
	}
	if f.t.Failed() {
		if f.stderr == nil {
			f.t.Logf("output:\n%s", strings.Join(f.out.snapshot(), "\n"))
		} else {
			f.t.Logf("stdout:\n%s", strings.Join(f.out.snapshot(), "\n"))
			f.t.Logf("stderr:\n%s", f.stderr.String())
		}
	}
}

func (f *Function) serve(w http.ResponseWriter, r *http.Request) {
	if f.closeConns {
		w.Header().Set("Connection", "close")
	}
	p, ok := strings.CutPrefix(r.URL.Path, f.prefix+"/2018-06-01/runtime/")
	switch {
	case !ok:
	case r.Method == http.MethodGet && p == "invocation/next":
		if f.nextStatus != 0 {
			w.WriteHeader(f.nextStatus)
			_, _ = w.Write([]byte(`{"errorType":"InternalServerError","errorMessage":"Internal Server Error"}`))
			return
		}
		select {
		case ev := <-f.events:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", ev.ID)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", ARN)
			h.Set("Content-Type", "application/json")
			for k, v := range ev.Headers {
				if v == "" {
					h.Del(k)
				} else {
					h.Set(k, v)
				}
			}
			_, _ = w.Write([]byte(ev.Body))
		case <-r.Context().Done():
		case <-f.closing:
		}
		return
	case r.Method == http.MethodPost && p == "init/error":
		f.record(w, r, "init/error", "")
		return
	case r.Method == http.MethodPost && strings.HasPrefix(p, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(p, "invocation/"), "/")
		if kind == "response" || kind == "error" {
			f.record(w, r, kind, id)
			return
		}
	}
	select {
	case f.unexpected <- r.Method + " " + r.URL.Path:
	default:
	}
	http.NotFound(w, r)
}

func (f *Function) record(w http.ResponseWriter, r *http.Request, kind, id string) {
	lines := f.out.barrier()
	body, _ := io.ReadAll(r.Body)
	f.posts <- Post{Kind: kind, ID: id, Body: body, Header: r.Header.Clone(), Output: lines}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// Send queues an event for GET /next, failing the test if the runtime exits
// or does not ask for it within WaitTime.
func (f *Function) Send(ev Event) {
	f.t.Helper()
	select {
	case f.events <- ev:
	case <-f.exited:
		f.t.Fatalf("runtime exited (code %d) before asking for event %s", f.exitCode, ev.ID)
	case <-time.After(WaitTime):
		f.t.Fatalf("runtime did not ask for event %s", ev.ID)
	}
}

// Posts is the stream of the runtime's POSTs, for a test that must not
// fail when there is none; NextPost is the usual way to read it.
func (f *Function) Posts() <-chan Post {
	return f.posts
}

// NextPost waits for the next POST.
func (f *Function) NextPost() Post {
	f.t.Helper()
	select {
	case p := <-f.posts:
		return p
	case <-time.After(WaitTime):
		f.t.Fatal("no POST from the runtime")
	}
	return Post{}
}

// Invoke hands out one event with a fresh id and returns that id and the
// runtime's answer to it.
func (f *Function) Invoke(body string, headers map[string]string) (string, Post) {
	f.t.Helper()
	id := NewID()
	f.Send(Event{ID: id, Body: body, Headers: headers})
	p := f.NextPost()
	if p.ID != id {
		f.t.Fatalf("POST %s for request %q, want request %q (body %s)", p.Kind, p.ID, id, p.Body)
	}
	return id, p
}

// WaitExit waits for the process to exit and returns its exit code.
func (f *Function) WaitExit() int {
	f.t.Helper()
	select {
	case <-f.exited:
		return f.exitCode
	case <-time.After(WaitTime):
		f.t.Fatal("runtime did not exit")
	}
	return 0
}

// Output returns all output lines, once the process has exited.
func (f *Function) Output() []string {
	f.t.Helper()
	f.WaitExit()
	return f.out.barrier()
}

// WaitLine polls the output until a line satisfies match and returns it.
func (f *Function) WaitLine(match func(string) bool) string {
	f.t.Helper()
	deadline := time.Now().Add(WaitTime)
	for time.Now().Before(deadline) {
		for _, l := range f.out.snapshot() {
			if match(l) {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatal("expected output line never appeared")
	return ""
}

// Stderr returns what the process has written to stderr so far; it is
// empty unless Runtime.SeparateStderr.
func (f *Function) Stderr() string {
	if f.stderr == nil {
		return ""
	}
	return f.stderr.String()
}

// LogLine is one text-format log record of a runtime.
type LogLine struct {
	Level     string
	Time      time.Time
	RequestID string
	Message   string
}

// ParseLogLine matches s against re, whose named groups level, time, id and
// msg hold the fields, time as 2006-01-02T15:04:05.000Z. It reports false
// when s does not match or the time does not parse.
func ParseLogLine(re *regexp.Regexp, s string) (LogLine, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return LogLine{}, false
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", m[re.SubexpIndex("time")])
	if err != nil {
		return LogLine{}, false
	}
	return LogLine{
		Level:     m[re.SubexpIndex("level")],
		Time:      ts,
		RequestID: m[re.SubexpIndex("id")],
		Message:   m[re.SubexpIndex("msg")],
	}, true
}

// DecodeErrorBody decodes the JSON error body b into v, failing the test
// unless b is an object with exactly the given keys (ref names the part of
// runtime.md that says so).
func DecodeErrorBody(t testing.TB, b []byte, v any, ref string, keys ...string) {
	t.Helper()
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	exact := len(got) == len(keys)
	for _, k := range keys {
		if got[k] == nil {
			exact = false
		}
	}
	if !exact {
		t.Fatalf("error body %s: want exactly %s (%s)", b, strings.Join(keys, ", "), ref)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
