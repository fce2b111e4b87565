package python

import (
	"bufio"
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
// that starts the embedded bootstrap under the real /usr/bin/python3, the way
// the server does: Args(), cwd = code dir, an explicit environment, and one
// pipe for both stdout and stderr.

const (
	pythonBin     = "/usr/bin/python3"
	waitTime      = 10 * time.Second
	testARN       = "arn:aws:lambda:us-east-1:123456789012:function:fn-test"
	testLogStream = "2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef"
)

// requirePython skips the test when python3 is missing, except on CI where a
// missing interpreter is a failure.
func requirePython(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(pythonBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required when CI=true: %v", pythonBin, err)
		}
		t.Skipf("%s not available: %v", pythonBin, err)
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
	// Output holds every line the process had written to its stdout/stderr
	// pipe before this request arrived.
	Output []string
}

func newID() string {
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
	case <-time.After(waitTime):
		return nil
	}
}

func (s *outputSink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// fn is one bootstrap process wired to its own fake Runtime API.
type fn struct {
	t          *testing.T
	dir        string // absolute fixture directory (LAMBDA_TASK_ROOT)
	bootstrap  string // absolute path of the bootstrap file
	prefix     string
	nextStatus int  // non-zero: GET /next answers with this status
	closeConns bool // answer every request with "Connection: close"

	api        *httptest.Server
	events     chan event
	posts      chan post
	unexpected chan string
	closing    chan struct{}

	out      *outputSink
	cmd      *exec.Cmd
	exited   chan struct{}
	exitCode int
}

type fnOpts struct {
	prefix     string   // Runtime API path prefix, e.g. "/some/prefix"
	env        []string // extra environment
	nextStatus int
	closeConns bool
	noTaskRoot bool // leave LAMBDA_TASK_ROOT unset
}

func start(t *testing.T, fixture, handler string, env ...string) *fn {
	return startOpts(t, fixture, handler, fnOpts{env: env})
}

func startOpts(t *testing.T, fixture, handler string, o fnOpts) *fn {
	t.Helper()
	requirePython(t)
	dir, err := filepath.Abs(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	f := &fn{
		t:          t,
		dir:        dir,
		prefix:     o.prefix,
		nextStatus: o.nextStatus,
		closeConns: o.closeConns,
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
	if f.out, err = newOutputSink(); err != nil {
		t.Fatal(err)
	}
	f.api = httptest.NewServer(http.HandlerFunc(f.serve))

	f.cmd = exec.Command(pythonBin, Args(f.bootstrap)...)
	f.cmd.Dir = dir
	f.cmd.Stdout = f.out.w
	f.cmd.Stderr = f.out.w
	f.cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"AWS_REGION=us-east-1",
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(f.api.URL, "http://") + o.prefix,
		"_HANDLER=" + handler,
		"AWS_LAMBDA_FUNCTION_NAME=fn-test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fn-test",
		"AWS_LAMBDA_LOG_STREAM_NAME=" + testLogStream,
		"AWS_EXECUTION_ENV=AWS_Lambda_python3.12",
	}
	if !o.noTaskRoot {
		f.cmd.Env = append(f.cmd.Env, "LAMBDA_TASK_ROOT="+dir)
	}
	f.cmd.Env = append(f.cmd.Env, o.env...)
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
		f.t.Logf("output:\n%s", strings.Join(f.out.snapshot(), "\n"))
	}
}

func (f *fn) serve(w http.ResponseWriter, r *http.Request) {
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
	f.posts <- post{Kind: kind, ID: id, Body: body, Header: r.Header.Clone(), Output: lines}
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

// output returns all lines read so far, once the process has exited.
func (f *fn) output() []string {
	f.t.Helper()
	f.waitExit()
	return f.out.barrier()
}

// ---------------------------------------------------------------------------
// Assertion helpers.

// logLine is one text-format log record (runtime.md 5.4):
// [LEVEL]\t<UTC time>.mmmZ\t<request id>\t<message>.
type logLine struct {
	Level     string
	Time      time.Time
	RequestID string
	Message   string
}

var logLineRE = regexp.MustCompile(`^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]*)\t(.*)$`)

func parseLogLine(s string) (logLine, bool) {
	m := logLineRE.FindStringSubmatch(s)
	if m == nil {
		return logLine{}, false
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", m[2])
	if err != nil {
		return logLine{}, false
	}
	return logLine{Level: m[1], Time: ts, RequestID: m[3], Message: m[4]}, true
}

// errBody is the Python error body (runtime.md 5.2).
type errBody struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    string   `json:"requestId"`
	StackTrace   []string `json:"stackTrace"`
}

// encodeErrBody renders the body the way the runtime must: the four keys in
// PRIC's order, json.dumps default separators (runtime.md 5.2), non-ASCII
// kept as is (AWS_EXECUTION_ENV=AWS_Lambda_python3.12).
func encodeErrBody(e errBody) string {
	q := func(s string) string {
		b, _ := json.Marshal(s)
		return pyEscape(string(b))
	}
	var tr []string
	for _, s := range e.StackTrace {
		tr = append(tr, q(s))
	}
	return `{"errorMessage": ` + q(e.ErrorMessage) + `, "errorType": ` + q(e.ErrorType) +
		`, "requestId": ` + q(e.RequestID) + `, "stackTrace": [` + strings.Join(tr, ", ") + `]}`
}

// pyEscape turns Go's JSON string escapes into Python's: Go escapes <, >, &
// and U+2028/9 and writes control characters as \u00XX, Python does not
// escape the former and writes \n, \r, \t for the latter.
func pyEscape(s string) string {
	r := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u2028`, "\u2028", `\u2029`, "\u2029")
	return r.Replace(s)
}

func decodeErrBody(t *testing.T, b []byte) errBody {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	if len(keys) != 4 || keys["errorType"] == nil || keys["errorMessage"] == nil || keys["requestId"] == nil || keys["stackTrace"] == nil {
		t.Fatalf("error body %s: want exactly errorMessage, errorType, requestId, stackTrace (runtime.md 5.2)", b)
	}
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if e.StackTrace == nil {
		t.Fatalf("error body %s: stackTrace must be an array", b)
	}
	return e
}

// errorLogLine is the text the runtime logs for an unhandled error
// (runtime.md 5.4): "[ERROR] <Type>: <message>" and, when there is a
// stackTrace (even empty), "Traceback (most recent call last):" and the
// trace lines, joined by "\r", leading spaces turned into U+00A0.
func errorLogLine(e errBody) string {
	head := "[ERROR]"
	if e.ErrorType != "" {
		head += " " + e.ErrorType
	}
	if e.ErrorMessage != "" {
		if e.ErrorType != "" {
			head += ":"
		}
		head += " " + e.ErrorMessage
	}
	parts := []string{head, "Traceback (most recent call last):"}
	for _, el := range e.StackTrace {
		for _, l := range strings.Split(strings.TrimSuffix(el, "\n"), "\n") {
			n := len(l) - len(strings.TrimLeft(l, " "))
			parts = append(parts, strings.Repeat("\u00a0", n)+l[n:])
		}
	}
	return strings.Join(parts, "\r")
}

// frame renders one traceback.format_list entry (runtime.md 5.2).
func frame(file string, line int, fn, code string) string {
	return fmt.Sprintf("  File \"%s\", line %d, in %s\n    %s\n", file, line, fn, code)
}

// lineOf returns the 1-based line number where text first starts in file.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(b), text); i >= 0 {
		return strings.Count(string(b[:i]), "\n") + 1
	}
	t.Fatalf("%q not in %s", text, file)
	return 0
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
