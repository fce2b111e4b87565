// Package runtimeapi serves the Lambda Runtime API
// (reference/runtime.md §1) to one execution environment: the runtime
// long-polls /next for an event and posts its result or error back.
package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// MaxResponse is the largest response a runtime may post: 6 MiB + 100
// bytes (reference/runtime.md §1.3).
const MaxResponse = 6*1024*1024 + 100

// Event is one invocation handed to the runtime.
type Event struct {
	RequestID       string
	Payload         []byte
	Deadline        time.Time // set when the event is handed to a runtime
	InvokedARN      string
	TraceID         string
	ClientContext   string // JSON, already base64-decoded
	CognitoIdentity string // JSON
}

// Result is what the runtime answered for an event.
type Result struct {
	Body        []byte
	ContentType string
	// Error is true when the runtime posted to /error.
	Error bool
	// ErrorType is the Lambda-Runtime-Function-Error-Type header, if any.
	ErrorType string
	// TooLarge is set when the response exceeded MaxResponse.
	TooLarge bool
	// Size is the response size the runtime attempted to send.
	Size int64
}

// InitError is what a runtime posted to /init/error.
type InitError struct {
	Body      []byte
	ErrorType string
}

// Server is the Runtime API of one environment.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	addr string

	ready    chan struct{} // receives when the runtime calls /next (idle)
	events   chan delivery
	initErr  chan InitError
	shutdown chan struct{}
	closed   sync.Once
	// extensions is set once something registered with the Extensions API.
	extensions atomic.Bool

	// The invocation the runtime is working on: set when /next hands it
	// over, answered by /response or /error.
	mu       sync.Mutex
	current  *Event
	answer   chan Result
	answered bool
}

// delivery is an event on its way to the runtime with the channel that
// receives its answer.
type delivery struct {
	ev     *Event
	answer chan Result
}

// AnyUID lets any local user connect (used when environments are not
// isolated).
const AnyUID = -1

// Start listens on a fresh loopback port; with a uid other than AnyUID,
// only sockets owned by that user may connect.
func Start(uid int) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api listen: %w", err)
	}
	if uid != AnyUID {
		ln = uidListener{Listener: ln, uid: uid}
	}
	s := &Server{
		ln:       ln,
		addr:     ln.Addr().String(),
		ready:    make(chan struct{}, 1),
		events:   make(chan delivery),
		initErr:  make(chan InitError, 1),
		shutdown: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	mux.HandleFunc("GET /2018-06-01/ping", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("pong")) })
	mux.HandleFunc("POST /2020-01-01/extension/register", s.extensionRegister)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", s.extensionNext)
	mux.HandleFunc("POST /2020-01-01/extension/init/error", accepted)
	mux.HandleFunc("POST /2020-01-01/extension/exit/error", accepted)
	mux.HandleFunc("PUT /2020-08-15/logs", okEmpty)
	mux.HandleFunc("PUT /2022-07-01/telemetry", okEmpty)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the value for AWS_LAMBDA_RUNTIME_API (host:port, no scheme).
func (s *Server) Addr() string { return s.addr }

// Ready receives each time the runtime asks for the next event.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// InitErrors receives what the runtime posts to /init/error.
func (s *Server) InitErrors() <-chan InitError { return s.initErr }

// Close stops the server and releases long-polls.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.shutdown)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		_ = s.srv.Close()
	})
}

// Dispatch hands ev to the runtime (which must be waiting in /next) and
// returns a channel that receives the runtime's answer exactly once.
func (s *Server) Dispatch(ctx context.Context, ev *Event) (<-chan Result, error) {
	answer := make(chan Result, 1)
	select {
	case s.events <- delivery{ev, answer}:
		return answer, nil
	case <-s.shutdown:
		return nil, errors.New("runtime api closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.current != nil && !s.answered {
		// The runtime asked for the next event without answering the
		// current one: Lambda treats /next as the end of the invocation.
		s.finishLocked(Result{Body: []byte("null"), ContentType: "application/json"})
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
	var d delivery
	select {
	case d = <-s.events:
	case <-s.shutdown:
		return
	case <-r.Context().Done():
		return
	}
	ev := d.ev
	s.mu.Lock()
	s.current, s.answer, s.answered = ev, d.answer, false
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", ev.RequestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.Deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", ev.InvokedARN)
	if ev.TraceID != "" {
		h.Set("Lambda-Runtime-Trace-Id", ev.TraceID)
	}
	if ev.ClientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", ev.ClientContext)
	}
	if ev.CognitoIdentity != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", ev.CognitoIdentity)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(ev.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ev.Payload)
}

// claim checks that id is the current, unanswered invocation.
func (s *Server) claim(w http.ResponseWriter, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || s.current.RequestID != id {
		writeJSON(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return false
	}
	if s.answered {
		writeJSON(w, http.StatusForbidden, "InvalidStateTransition",
			"State transition from RuntimeResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return false
	}
	return true
}

func (s *Server) finishLocked(res Result) {
	if s.answered || s.answer == nil {
		return
	}
	s.answered = true
	s.answer <- res
}

func (s *Server) finish(res Result) {
	s.mu.Lock()
	s.finishLocked(res)
	s.mu.Unlock()
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.claim(w, id) {
		return
	}
	if mode := r.Header.Get("Lambda-Runtime-Function-Response-Mode"); mode != "" && mode != "streaming" {
		writeJSON(w, http.StatusBadRequest, "InvalidFunctionResponseMode", "Invalid response mode")
		s.finish(Result{Error: true, ErrorType: "Runtime.InvalidResponseModeHeader", Body: platformError(id, "Runtime.InvalidResponseModeHeader", "Invalid response mode header")})
		return
	}
	body, n, err := readLimited(r.Body, MaxResponse)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, "TruncatedHTTPRequest", "Truncated HTTP request")
		s.finish(Result{Error: true, ErrorType: "Runtime.TruncatedResponse", Body: platformError(id, "Runtime.TruncatedResponse", "Truncated response")})
		return
	}
	if n > MaxResponse {
		writeJSON(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponse))
		s.finish(Result{TooLarge: true, Size: n})
		return
	}
	ct := r.Header.Get("Content-Type")
	s.finish(Result{Body: body, ContentType: ct, Size: n})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.claim(w, id) {
		return
	}
	body, n, err := readLimited(r.Body, MaxResponse)
	if err != nil || n > MaxResponse {
		body = platformError(id, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
	}
	body = stripErrorCause(r.Header.Get("Content-Type"), body)
	s.finish(Result{Body: body, ContentType: "application/json", Error: true, ErrorType: r.Header.Get("Lambda-Runtime-Function-Error-Type")})
	accepted(w, r)
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, _, _ := readLimited(r.Body, MaxResponse)
	body = stripErrorCause(r.Header.Get("Content-Type"), body)
	select {
	case s.initErr <- InitError{Body: body, ErrorType: r.Header.Get("Lambda-Runtime-Function-Error-Type")}:
	default:
	}
	accepted(w, r)
}

// ExtensionsRegistered reports whether an extension (or a runtime asking
// for SIGTERM, as aws-lambda-go's WithEnableSIGTERM does) registered.
func (s *Server) ExtensionsRegistered() bool { return s.extensions.Load() }

func (s *Server) extensionRegister(w http.ResponseWriter, r *http.Request) {
	_, _, _ = readLimited(r.Body, 64*1024)
	s.extensions.Store(true)
	w.Header().Set("Lambda-Extension-Identifier", uuid.NewString())
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"functionName":"","functionVersion":"","handler":""}`))
}

// extensionNext holds the long-poll until the environment shuts down,
// then reports SHUTDOWN.
func (s *Server) extensionNext(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.shutdown:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"eventType":"SHUTDOWN","shutdownReason":"spindown","deadlineMs":0}`))
}

// stripErrorCause turns the error-cause variant of /error into the plain
// error body (reference/runtime.md §1.4).
func stripErrorCause(ct string, body []byte) []byte {
	if ct != "application/vnd.aws.lambda.error.cause+json" {
		return body
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	delete(m, "errorCause")
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// platformError is an error body built by the platform itself
// (reference/runtime.md §1.6).
func platformError(id, typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{typ, "RequestId: " + id + " Error: " + msg})
	return b
}

func readLimited(r io.Reader, limit int64) ([]byte, int64, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, int64(len(b)), err
	}
	n := int64(len(b))
	if n > limit {
		// Count the rest so the caller can report the attempted size.
		rest, _ := io.Copy(io.Discard, r)
		return nil, n + rest, nil
	}
	return b, n, nil
}

func writeJSON(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func accepted(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func okEmpty(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }
