// Package sandbox runs execution environments: one runtime process serving
// one invocation at a time through the Runtime API, reused while warm, and
// pooled per function version.
package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kindling-dev/kindling/internal/logs"
	"github.com/kindling-dev/kindling/internal/proc"
	"github.com/kindling-dev/kindling/internal/runtimeapi"
	"github.com/kindling-dev/kindling/internal/runtimes"
	"github.com/kindling-dev/kindling/internal/runtimes/nodejs"
	"github.com/kindling-dev/kindling/internal/runtimes/python"
)

// InitTimeout limits the Init phase (reference/runtime.md §2.3).
const InitTimeout = 10 * time.Second

// Spec is everything needed to start environments of one version.
type Spec struct {
	Function string
	Version  string
	Runtime  runtimes.Runtime
	Handler  string
	MemoryMB int
	Timeout  time.Duration
	CodeDir  string
	// TmpMB sizes /tmp (EphemeralStorage.Size).
	TmpMB int
	// Env holds the customer's environment variables.
	Env    map[string]string
	Region string
	// InitType is AWS_LAMBDA_INITIALIZATION_TYPE ("" means on-demand).
	InitType string
	// RuntimeVersionARN names the runtime build in the INIT_START line.
	RuntimeVersionARN string
	// LogFormat is "Text" or "JSON" (LoggingConfig.LogFormat).
	LogFormat string
	LogLevel  string
}

// State is where an environment is in its lifecycle.
type State int

// Environment states; only the transitions in the comments are legal.
const (
	Starting State = iota // -> Idle, Dead
	Idle                  // -> Busy, Dead
	Busy                  // -> Idle, Dead
	Dead
)

// Outcome is the result of one invocation.
type Outcome struct {
	Body []byte
	// FunctionError is true when the body is an error object
	// (X-Amz-Function-Error: Unhandled).
	FunctionError bool
	// ErrorType is the platform error type (Sandbox.Timedout,
	// Runtime.ExitError, ...) when the platform built the body.
	ErrorType string
	// Log is the invocation's log: START, output, END, REPORT.
	Log      []byte
	Duration time.Duration
}

// InitFailure is returned when the runtime failed to initialise; Body is
// the error object the invoke returns (reference/runtime.md §1.5).
type InitFailure struct {
	// Body is the error object the runtime posted to /init/error; nil when
	// the platform itself detected the failure (see Message).
	Body      []byte
	ErrorType string
	Message   string
	Log       []byte
	// Duration is how long the failed Init ran; TimedOut says it hit its limit.
	Duration time.Duration
	TimedOut bool
}

// reportLine is the INIT_REPORT line of a failed Init (reference/runtime.md §2.5, §2.6).
func (e *InitFailure) reportLine(phase string) string {
	ms := float64(e.Duration) / float64(time.Millisecond)
	if e.TimedOut {
		return fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: %s\tStatus: timeout\n", ms, phase)
	}
	return fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: %s\tStatus: error\tError Type: %s\n", ms, phase, e.ErrorType)
}

// ErrorBody renders the invoke's error object for request id.
func (e *InitFailure) ErrorBody(requestID string) []byte {
	if e.Body != nil {
		return e.Body
	}
	return errorBody(e.ErrorType, "RequestId: "+requestID+" Error: "+e.Message)
}

func (e *InitFailure) Error() string { return "init failed: " + e.ErrorType }

// Environment is one running runtime process.
type Environment struct {
	spec     *Spec
	box      *box
	platform *Options // endpoint and credentials functions get
	api      *runtimeapi.Server
	cmd      *exec.Cmd
	out      *output
	exited   chan struct{}
	exitMsg  string
	// Set by the exit watcher before exited closes.
	oomKilled bool
	lastPeak  int64
	logStream string
	echo      Echo

	mu       sync.Mutex
	state    State
	sink     *bytes.Buffer
	reqID    string
	initDur  time.Duration
	invoked  bool
	lastUsed time.Time
	frozen   bool   // stopped with SIGSTOP while idle
	idleGen  uint64 // bumped on every release and acquire; a stale freeze is dropped
}

// Echo receives every line a function prints, for the server's own log.
type Echo func(function, requestID, line string)

// startEnvironment starts a runtime and waits for its Init to finish.
// limit bounds the Init phase; a failure is an *InitFailure.
func startEnvironment(ctx context.Context, spec *Spec, box *box, opts *Options, limit time.Duration) (*Environment, error) {
	e := &Environment{spec: spec, box: box, platform: opts, exited: make(chan struct{}), echo: opts.Echo, state: Starting,
		sink: &bytes.Buffer{}, reqID: "init", logStream: logStreamName(spec.Version)}
	// Until the process runs, failures release the box here; afterwards
	// the process's exit does.
	path, args, failure := e.command()
	if failure != nil {
		box.release()
		return nil, failure
	}
	uid := runtimeapi.AnyUID
	if box.jail != nil {
		uid = box.jail.UID
	}
	api, err := runtimeapi.Start(uid)
	if err != nil {
		box.release()
		return nil, err
	}
	e.api = api
	r, w, err := os.Pipe()
	if err != nil {
		api.Close()
		box.release()
		return nil, fmt.Errorf("pipe: %w", err)
	}
	// reference/runtime.md §2.6: INIT_START once per Init.
	e.write(fmt.Sprintf("INIT_START Runtime Version: %s\tRuntime Version ARN: %s\n", spec.Runtime.ID, spec.RuntimeVersionARN))
	begin := time.Now()
	cmd, err := proc.Start(proc.Spec{Path: path, Args: args, Env: e.environ(), Dir: box.taskRoot, Output: w, Jail: box.jail})
	_ = w.Close()
	if err != nil {
		_ = r.Close()
		api.Close()
		box.release()
		return nil, &InitFailure{ErrorType: "Runtime.InvalidEntrypoint", Message: err.Error()}
	}
	e.cmd = cmd
	e.out = newOutput(r, e.onLine)
	go e.out.run()
	go func() {
		err := cmd.Wait()
		e.exitMsg = exitMessage(err)
		if g := box.group; g != nil { // read before release removes the cgroup
			e.oomKilled, _ = g.OOMKilled()
			e.lastPeak = g.MemoryPeak()
		}
		box.release()
		close(e.exited)
	}()

	timer := time.NewTimer(limit)
	defer timer.Stop()
	failed := func(f *InitFailure) (*Environment, error) {
		e.kill()
		<-e.exited
		f.Duration = time.Since(begin)
		f.Log = e.takeLog()
		return nil, f
	}
	select {
	case <-api.Ready():
		e.mu.Lock()
		e.initDur = time.Since(begin)
		e.state = Idle
		e.mu.Unlock()
		return e, nil
	case ie := <-api.InitErrors():
		return failed(&InitFailure{Body: ie.Body, ErrorType: ie.ErrorType})
	case <-e.exited:
		select {
		case ie := <-api.InitErrors():
			return failed(&InitFailure{Body: ie.Body, ErrorType: ie.ErrorType})
		default:
		}
		return failed(&InitFailure{ErrorType: "Runtime.ExitError", Message: "Runtime exited " + e.exitMsg})
	case <-timer.C:
		return failed(&InitFailure{ErrorType: "Sandbox.Timedout", TimedOut: true,
			Message: fmt.Sprintf("Task timed out after %.2f seconds", limit.Seconds())})
	case <-ctx.Done():
		e.kill()
		return nil, ctx.Err()
	}
}

// command returns the program to run for the spec's runtime.
func (e *Environment) command() (string, []string, *InitFailure) {
	s := e.spec
	switch s.Runtime.Kind {
	case runtimes.Node:
		var args []string
		// The function's own NODE_OPTIONS heap settings win (reference/runtime.md §4.1).
		if opts := s.Env["NODE_OPTIONS"]; !strings.Contains(opts, "--max-semi-space-size") && !strings.Contains(opts, "--max-old-space-size") {
			args = nodejs.HeapFlags(s.MemoryMB)
		}
		args = append(args, filepath.Join(e.box.runtimeRoot, nodejs.BootstrapName))
		return s.Runtime.Interpreter, args, nil
	case runtimes.Python:
		args := python.Args(filepath.Join(e.box.runtimeRoot, python.BootstrapName))
		if _, own := s.Env["LC_CTYPE"]; !own {
			args = append(args, python.DropCoercedLocale)
		}
		return s.Runtime.Interpreter, args, nil
	case runtimes.Provided:
		p := filepath.Join(s.CodeDir, "bootstrap")
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
			return "", nil, &InitFailure{ErrorType: "Runtime.InvalidEntrypoint",
				Message: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}
		}
		return filepath.Join(e.box.taskRoot, "bootstrap"), nil, nil
	}
	return "", nil, &InitFailure{ErrorType: "Runtime.InvalidRuntime",
		Message: "runtime " + s.Runtime.ID + " is not available on this node"}
}

// environ builds the runtime's environment: the customer's variables,
// then Lambda's own, which win (reference/runtime.md §2.1). Nothing of the
// server's environment leaks in.
func (e *Environment) environ() []string {
	s := e.spec
	env := map[string]string{}
	for k, v := range s.Env {
		env[k] = v
	}
	defaults := map[string]string{
		"LANG":            "en_US.UTF-8",
		"PATH":            "/usr/local/bin:/usr/bin:/bin:/opt/bin",
		"LD_LIBRARY_PATH": "/lib64:/usr/lib64:" + e.box.taskRoot + ":" + e.box.taskRoot + "/lib:/opt/lib",
	}
	if e.platform.Endpoint != "" {
		defaults["AWS_ENDPOINT_URL_LAMBDA"] = e.platform.Endpoint
	}
	if s.Runtime.Kind == runtimes.Node {
		defaults["NODE_PATH"] = "/opt/nodejs/node_modules:" + e.box.runtimeRoot + "/node_modules:" + e.box.runtimeRoot + ":" + e.box.taskRoot
	}
	for k, v := range defaults {
		if _, ok := env[k]; !ok {
			env[k] = v
		}
	}
	platform := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          e.api.Addr(),
		"_HANDLER":                        s.Handler,
		"LAMBDA_TASK_ROOT":                e.box.taskRoot,
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"AWS_REGION":                      s.Region,
		"AWS_DEFAULT_REGION":              s.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        s.Function,
		"AWS_LAMBDA_FUNCTION_VERSION":     s.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(s.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + s.Function,
		"AWS_LAMBDA_LOG_STREAM_NAME":      e.logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  initType(s.InitType),
		"TZ":                              ":UTC",
	}
	if e.platform.AccessKeyID != "" {
		platform["AWS_ACCESS_KEY_ID"] = e.platform.AccessKeyID
		platform["AWS_SECRET_ACCESS_KEY"] = e.platform.SecretAccessKey
	}
	if s.Runtime.Kind != runtimes.Provided {
		platform["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + s.Runtime.ID
	}
	if s.LogFormat == "JSON" {
		platform["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		if s.LogLevel != "" {
			platform["AWS_LAMBDA_LOG_LEVEL"] = s.LogLevel
		}
	}
	for k, v := range platform {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func (e *Environment) onLine(line string) {
	e.mu.Lock()
	e.sink.WriteString(line)
	e.sink.WriteByte('\n')
	id := e.reqID
	e.mu.Unlock()
	if e.echo != nil {
		e.echo(e.spec.Function, id, line)
	}
}

func (e *Environment) write(s string) {
	e.mu.Lock()
	e.sink.WriteString(s)
	id := e.reqID
	e.mu.Unlock()
	if e.echo != nil {
		e.echo(e.spec.Function, id, strings.TrimRight(s, "\n"))
	}
}

// prependLog puts b before what the environment has logged so far.
func (e *Environment) prependLog(b []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	nb := &bytes.Buffer{}
	nb.Write(b)
	nb.Write(e.sink.Bytes())
	e.sink = nb
}

func (e *Environment) takeLog() []byte {
	if e.out != nil {
		e.out.drain()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.sink.Bytes()
	e.sink = &bytes.Buffer{}
	return b
}

// errNotDelivered means the runtime exited before it took the event: the
// invocation never started and can run in another environment.
var errNotDelivered = errors.New("sandbox: runtime exited before taking the event")

// Invoke runs one event to completion, its deadline or the runtime's exit.
// The caller owns the environment (state Busy) for the duration.
func (e *Environment) Invoke(ev *runtimeapi.Event, version string) (Outcome, error) {
	e.mu.Lock()
	e.state = Busy
	e.reqID = ev.RequestID
	initDur := time.Duration(0)
	if !e.invoked {
		initDur = e.initDur
		e.invoked = true
	}
	e.mu.Unlock()
	e.write(logs.StartLine(ev.RequestID, version))

	// The function's timeout covers the Invoke phase only, not a cold
	// start's Init (reference/runtime.md §2.3, §2.4).
	begin := time.Now()
	ev.Deadline = begin.Add(e.spec.Timeout)
	ctx, cancel := context.WithDeadline(context.Background(), ev.Deadline)
	defer cancel()
	go func() { // an exit ends the hand-over at once, not at the deadline
		select {
		case <-e.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	var out Outcome
	status := ""
	answer, err := e.api.Dispatch(ctx, ev)
	if err == nil {
		select {
		case res := <-answer:
			out = e.fromResult(ev, res)
		case <-e.exited:
			// The runtime may have answered just before exiting.
			select {
			case res := <-answer:
				out = e.fromResult(ev, res)
			default:
				out = e.exitOutcome(ev)
			}
		case <-ctx.Done():
			out = e.timeoutOutcome(ev)
		}
	} else {
		select {
		case <-e.exited:
			e.kill()
			_ = e.takeLog()
			return Outcome{}, errNotDelivered
		default:
			out = e.timeoutOutcome(ev)
		}
	}
	out.Duration = time.Since(begin)
	switch out.ErrorType {
	case "":
	case "Sandbox.Timedout":
		status = "timeout"
	default:
		status = "error"
	}
	if out.ErrorType != "" {
		// Reset the environment; wait for the exit so its peak memory is
		// read before the cgroup goes away.
		e.kill()
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
		}
	}
	e.out.drain()
	e.write(logs.EndLine(ev.RequestID))
	rep := logs.Report{RequestID: ev.RequestID, Duration: out.Duration, MemoryMB: e.spec.MemoryMB,
		MaxMemoryMB: e.maxMemoryMB(), InitDuration: initDur, Status: status, ErrorType: out.ErrorType}
	e.write(rep.Line())
	out.Log = e.takeLog()

	e.mu.Lock()
	e.reqID = ""
	if e.state != Dead {
		e.state = Idle
	}
	e.lastUsed = time.Now()
	e.mu.Unlock()
	return out, nil
}

func (e *Environment) fromResult(ev *runtimeapi.Event, res runtimeapi.Result) Outcome {
	if res.TooLarge {
		// reference/lambda-api.md §4.3: the response-size error object.
		b, _ := json.Marshal(map[string]string{
			"errorMessage": fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", runtimeapi.MaxResponse),
			"errorType":    "Function.ResponseSizeTooLarge",
		})
		return Outcome{Body: b, FunctionError: true}
	}
	return Outcome{Body: res.Body, FunctionError: res.Error}
}

// exitOutcome is the error of a runtime that exited during an invocation:
// Runtime.OutOfMemory when its cgroup saw an OOM kill, else
// Runtime.ExitError (reference/runtime.md §2.5).
func (e *Environment) exitOutcome(ev *runtimeapi.Event) Outcome {
	typ := "Runtime.ExitError"
	if e.oomKilled { // exitOutcome runs only once exited is closed
		typ = "Runtime.OutOfMemory"
	}
	return Outcome{FunctionError: true, ErrorType: typ,
		Body: errorBody(typ, "RequestId: "+ev.RequestID+" Error: Runtime exited "+e.exitMsg)}
}

func (e *Environment) timeoutOutcome(ev *runtimeapi.Event) Outcome {
	return Outcome{FunctionError: true, ErrorType: "Sandbox.Timedout",
		Body: errorBody("Sandbox.Timedout", fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", ev.RequestID, e.spec.Timeout.Seconds()))}
}

// maxMemoryMB is the environment's peak memory: its cgroup's, else the
// runtime process's peak RSS.
func (e *Environment) maxMemoryMB() int {
	var peak int64
	select {
	case <-e.exited:
		peak = e.lastPeak
	default:
		if g := e.box.group; g != nil {
			peak = g.MemoryPeak()
		}
	}
	if peak <= 0 && e.cmd != nil && e.cmd.Process != nil {
		peak = proc.PeakRSS(e.cmd.Process.Pid)
	}
	return int((peak + (1<<20 - 1)) >> 20)
}

// freezeWhenParked stops the idle runtime's process group (SIGSTOP) once
// the runtime has asked for its next event, so it burns no CPU between
// invocations (reference/runtime.md §2.3 Freeze/thaw) and its /next
// request is not on the next invocation's path. It runs in its own
// goroutine; a thaw (the environment was taken again) cancels it. Not the
// cgroup freezer: a frozen task ignores even the parent-death SIGKILL, so a
// killed server would leave frozen runtimes behind; a stopped one dies.
func (e *Environment) freezeWhenParked() {
	e.mu.Lock()
	e.idleGen++
	gen := e.idleGen
	e.mu.Unlock()
	go func() {
		select {
		case <-e.api.Ready():
		case <-e.exited:
			return
		case <-time.After(time.Second):
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.idleGen != gen || e.state != Idle || e.frozen || e.cmd == nil || e.cmd.Process == nil {
			return
		}
		if syscall.Kill(-e.cmd.Process.Pid, syscall.SIGSTOP) == nil {
			e.frozen = true
		}
	}()
}

// thaw resumes a frozen runtime and cancels a pending freeze.
func (e *Environment) thaw() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.idleGen++
	if e.frozen && e.cmd != nil && e.cmd.Process != nil {
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGCONT)
	}
	e.frozen = false
}

// Alive reports whether the environment can take another invocation.
func (e *Environment) Alive() bool {
	select {
	case <-e.exited:
		return false
	default:
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state != Dead
}

// kill ends the process group and the Runtime API; the environment is Dead.
func (e *Environment) kill() {
	e.mu.Lock()
	e.state = Dead
	e.mu.Unlock()
	if e.cmd != nil && e.cmd.Process != nil {
		proc.KillGroup(e.cmd.Process.Pid)
	}
	if e.api != nil {
		e.api.Close()
	}
}

// shutdownGrace is how long a runtime with extensions gets between SIGTERM
// and SIGKILL (reference/runtime.md §2.3 Shutdown: 500 ms with an internal
// extension; without extensions the runtime is killed at once).
const shutdownGrace = 500 * time.Millisecond

// Stop ends the environment and waits for its process to exit. A runtime
// that registered extensions gets SIGTERM and a grace period first.
func (e *Environment) Stop() {
	if e.cmd != nil && e.cmd.Process != nil && e.api != nil && e.api.ExtensionsRegistered() && e.Alive() {
		e.thaw() // a frozen runtime cannot act on SIGTERM
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(shutdownGrace):
		}
	}
	e.kill()
	if e.cmd != nil {
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
		}
	}
	if e.out != nil {
		e.out.drain()
	}
}

func exitMessage(err error) string {
	if err == nil {
		return "without providing a reason"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "with error: " + ee.ProcessState.String()
	}
	return "with error: " + err.Error()
}

// errorBody is an error object built by the platform.
func errorBody(typ, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{typ, msg})
	return b
}

func logStreamName(version string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/[%s]%x", time.Now().UTC().Format("2006/01/02"), version, b)
}

func initType(t string) string {
	if t == "" {
		return "on-demand"
	}
	return t
}
