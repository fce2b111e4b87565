package nodejs

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

// This file is a small fake Runtime API (runtime.md section 1) plus a runner
// that starts the embedded bootstrap under the real /usr/bin/node.

const (
	nodeBin       = "/usr/bin/node"
	waitTime      = 10 * time.Second
	testARN       = "arn:aws:lambda:us-east-1:123456789012:function:fn-test"
	testLogStream = "2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef"
)

// requireNode skips the test when node is missing, except on CI where a
// missing node is a failure.
func requireNode(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(nodeBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required when CI=true: %v", nodeBin, err)
		}
		t.Skipf("%s not available: %v", nodeBin, err)
	}
}

// event is one invocation handed out by GET /next.
type event struct {
	ID   string
	Body string
	// Headers are extra /next response headers; an empty value removes a
	// default header.
	Headers map[string]string
}

// post is one POST the runtime made.
type post struct {
	Kind   string // "response", "error" or "init/error"
	ID     string
	Body   []byte
	Header http.Header
	// Stdout holds every stdout line the process had written before this
	// request arrived.
	Stdout []string
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// stdoutSink collects the child's stdout line by line. The parent keeps the
// pipe's write end: barrier writes a marker line, and since a pipe is FIFO,
// every line the child wrote before the call is read before the marker.
type stdoutSink struct {
	r, w  *os.File
	mu    sync.Mutex
	lines []string
	marks map[string]chan int
	seq   atomic.Int64
	done  chan struct{}
}

func newStdoutSink() (*stdoutSink, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s := &stdoutSink{r: r, w: w, marks: map[string]chan int{}, done: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *stdoutSink) read() {
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

// barrier returns the lines written to stdout before the call.
func (s *stdoutSink) barrier() []string {
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
	case <-time.After(waitTime):
		return nil
	}
}

func (s *stdoutSink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

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

// fn is one bootstrap process wired to its own fake Runtime API.
type fn struct {
	t          *testing.T
	dir        string // absolute fixture directory (LAMBDA_TASK_ROOT)
	bootstrap  string // absolute path of the bootstrap file
	prefix     string
	nextStatus int // non-zero: GET /next answers with this status

	api        *httptest.Server
	events     chan event
	posts      chan post
	unexpected chan string
	closing    chan struct{}

	out      *stdoutSink
	stderr   syncBuffer
	cmd      *exec.Cmd
	exited   chan struct{}
	exitCode int
}

type fnOpts struct {
	prefix     string   // Runtime API path prefix, e.g. "/some/prefix"
	env        []string // extra environment
	nextStatus int
	taskRoot   string // relative to testdata; default: the fixture dir
}

func start(t *testing.T, fixture, handler string, env ...string) *fn {
	return startOpts(t, fixture, handler, fnOpts{env: env})
}

func startOpts(t *testing.T, fixture, handler string, o fnOpts) *fn {
	t.Helper()
	requireNode(t)
	dir, err := filepath.Abs(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	f := &fn{
		t:          t,
		dir:        dir,
		prefix:     o.prefix,
		nextStatus: o.nextStatus,
		events:     make(chan event),
		posts:      make(chan post, 16),
		unexpected: make(chan string, 16),
		closing:    make(chan struct{}),
		exited:     make(chan struct{}),
	}
	f.bootstrap = filepath.Join(t.TempDir(), BootstrapName)
	if err := os.WriteFile(f.bootstrap, Bootstrap, 0o644); err != nil {
		t.Fatal(err)
	}
	if f.out, err = newStdoutSink(); err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(http.HandlerFunc(f.serve))

	args := append(HeapFlags(128), f.bootstrap)
	f.cmd = exec.Command(nodeBin, args...)
	f.cmd.Dir = dir
	f.cmd.Stdout = f.out.w
	f.cmd.Stderr = &f.stderr
	f.cmd.Env = append([]string{
		"PATH=/usr/bin:/bin",
		"TZ=UTC",
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(f.api.URL, "http://") + o.prefix,
		"_HANDLER=" + handler,
		"LAMBDA_TASK_ROOT=" + dir,
		"AWS_LAMBDA_FUNCTION_NAME=fn-test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn-test",
		"AWS_LAMBDA_LOG_STREAM_NAME=" + testLogStream,
	}, o.env...)
	if o.taskRoot != "" {
		root, _ := filepath.Abs(filepath.Join("testdata", o.taskRoot))
		f.cmd.Dir = root
		f.cmd.Env = append(f.cmd.Env, "LAMBDA_TASK_ROOT="+root)
		f.dir = root
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := f.cmd.Wait()
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

func (f *fn) stop() {
	select {
	case <-f.exited:
	default:
		_ = f.cmd.Process.Kill()
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
		f.t.Logf("stdout:\n%s", strings.Join(f.out.snapshot(), "\n"))
		f.t.Logf("stderr:\n%s", f.stderr.String())
	}
}

func (f *fn) serve(w http.ResponseWriter, r *http.Request) {
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
			h.Set("Lambda-Runtime-Invoked-Function-Arn", testARN)
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

func (f *fn) record(w http.ResponseWriter, r *http.Request, kind, id string) {
	lines := f.out.barrier()
	body, _ := io.ReadAll(r.Body)
	f.posts <- post{Kind: kind, ID: id, Body: body, Header: r.Header.Clone(), Stdout: lines}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// send queues an event for GET /next.
func (f *fn) send(ev event) {
	f.t.Helper()
	select {
	case f.events <- ev:
	case <-f.exited:
		f.t.Fatalf("runtime exited (code %d) before asking for event %s", f.exitCode, ev.ID)
	case <-time.After(waitTime):
		f.t.Fatalf("runtime did not ask for event %s", ev.ID)
	}
}

// nextPost waits for the next POST.
func (f *fn) nextPost() post {
	f.t.Helper()
	select {
	case p := <-f.posts:
		return p
	case <-time.After(waitTime):
		f.t.Fatal("no POST from the runtime")
	}
	return post{}
}

// invoke hands out one event and returns the runtime's answer to it.
func (f *fn) invoke(body string, headers map[string]string) (string, post) {
	f.t.Helper()
	id := newID()
	f.send(event{ID: id, Body: body, Headers: headers})
	p := f.nextPost()
	if p.ID != id {
		f.t.Fatalf("POST %s for request %q, want request %q (body %s)", p.Kind, p.ID, id, p.Body)
	}
	return id, p
}

func (f *fn) waitExit() int {
	f.t.Helper()
	select {
	case <-f.exited:
		return f.exitCode
	case <-time.After(waitTime):
		f.t.Fatal("runtime did not exit")
	}
	return 0
}

// waitLine polls stdout until a line satisfies match.
func (f *fn) waitLine(match func(string) bool) string {
	f.t.Helper()
	deadline := time.Now().Add(waitTime)
	for time.Now().Before(deadline) {
		for _, l := range f.out.snapshot() {
			if match(l) {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatal("expected stdout line never appeared")
	return ""
}

// ---------------------------------------------------------------------------
// Assertion helpers.

// logLine is one text-format console line (runtime.md 4.6):
// <ISO-8601 UTC ms>\t<requestId>\t<LEVEL>\t<message>.
type logLine struct {
	Time      time.Time
	RequestID string
	Level     string
	Message   string
}

var logLineRE = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]*)\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t(.*)$`)

func parseLogLine(s string) (logLine, bool) {
	m := logLineRE.FindStringSubmatch(s)
	if m == nil {
		return logLine{}, false
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", m[1])
	if err != nil {
		return logLine{}, false
	}
	return logLine{Time: ts, RequestID: m[2], Level: m[3], Message: m[4]}, true
}

// linesFor returns the text log lines of one request id.
func linesFor(lines []string, id string) []logLine {
	var out []logLine
	for _, s := range lines {
		if l, ok := parseLogLine(s); ok && l.RequestID == id {
			out = append(out, l)
		}
	}
	return out
}

// errBody is the Node error body (runtime.md 4.5): exactly errorType,
// errorMessage and trace.
type errBody struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	Trace        []string `json:"trace"`
}

func decodeErrBody(t *testing.T, b []byte) errBody {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	if len(keys) != 3 || keys["errorType"] == nil || keys["errorMessage"] == nil || keys["trace"] == nil {
		t.Fatalf("error body %s: want exactly errorType, errorMessage, trace (runtime.md 4.5)", b)
	}
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if e.Trace == nil {
		t.Fatalf("error body %s: trace must be an array", b)
	}
	return e
}

// loggedRaw finds "<prefix> \t<json>" in the ERROR lines of id and returns
// the JSON text (runtime.md 4.6: "Invoke Error \t{...}", "Uncaught Exception \t{...}").
func loggedRaw(t *testing.T, lines []string, id, prefix string) string {
	t.Helper()
	for _, l := range linesFor(lines, id) {
		if rest, ok := strings.CutPrefix(l.Message, prefix+" \t"); ok && l.Level == "ERROR" {
			return rest
		}
	}
	t.Fatalf("no %q ERROR line for request %s in:\n%s", prefix, id, strings.Join(lines, "\n"))
	return ""
}

// loggedError decodes the logged error object of loggedRaw.
func loggedError(t *testing.T, lines []string, id, prefix string) map[string]any {
	t.Helper()
	rest := loggedRaw(t, lines, id, prefix)
	var m map[string]any
	if err := json.Unmarshal([]byte(rest), &m); err != nil {
		t.Fatalf("logged error %q: %v", rest, err)
	}
	return m
}
