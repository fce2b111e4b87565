package nodejs

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/runtimes/runtimetest"
)

func TestEmbeddedBootstrap(t *testing.T) {
	if BootstrapName != "bootstrap.mjs" {
		t.Fatalf("BootstrapName = %q", BootstrapName)
	}
	disk, err := os.ReadFile(BootstrapName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, Bootstrap) {
		t.Fatal("embedded Bootstrap differs from bootstrap.mjs")
	}
}

func TestHeapFlags(t *testing.T) {
	// runtime.md 4.1: new_space = mem/10, semi = new_space/2, old = mem - new_space.
	cases := map[int][]string{
		128:   {"--max-semi-space-size=6", "--max-old-space-size=116"},
		1024:  {"--max-semi-space-size=51", "--max-old-space-size=922"},
		10240: {"--max-semi-space-size=512", "--max-old-space-size=9216"},
		10:    nil,
	}
	for mem, want := range cases {
		if got := HeapFlags(mem); !reflect.DeepEqual(got, want) {
			t.Errorf("HeapFlags(%d) = %q, want %q", mem, got, want)
		}
	}
}

// runtime.md section 7: the seed example's result is posted to /response
// as compact JSON with Content-Type application/json (1.3).
func TestSeedExample(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/some/prefix"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			t.Parallel()
			f := node.StartOpts(t, "seed", "index.handler", runtimetest.Options{Prefix: prefix})
			_, p := f.Invoke(`{"any":"thing"}`, nil)
			if p.Kind != "response" {
				t.Fatalf("kind %s, body %s", p.Kind, p.Body)
			}
			// runtime.md 7 step 2.
			if want := `{"statusCode":200,"body":"{\"message\":\"hi\"}"}`; string(p.Body) != want {
				t.Errorf("body %s, want %s", p.Body, want)
			}
			// runtime.md 1.3: NRIC sends application/json.
			if ct := p.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// Two invokes run in the same process: module state survives (runtime.md
// 2.3, warm reuse), and the keep-alive client keeps working.
func TestProcessReuse(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "counter", "index.handler")
	var pid float64
	for i := 1; i <= 3; i++ {
		_, p := f.Invoke(`{}`, nil)
		var got struct {
			Count float64 `json:"count"`
			PID   float64 `json:"pid"`
		}
		if err := json.Unmarshal(p.Body, &got); err != nil {
			t.Fatalf("body %s: %v", p.Body, err)
		}
		if got.Count != float64(i) {
			t.Errorf("invoke %d: count %v", i, got.Count)
		}
		if i == 1 {
			pid = got.PID
		} else if got.PID != pid {
			t.Errorf("invoke %d: pid %v, want %v", i, got.PID, pid)
		}
	}
	if got := float64(f.Cmd.Process.Pid); got != pid {
		t.Errorf("handler pid %v, process pid %v", pid, got)
	}
}

// runtime.md 4.2: module forms, nested paths and file precedence.
func TestHandlerResolution(t *testing.T) {
	t.Parallel()
	fallbackLib, _ := filepath.Abs("testdata/fallback/lib")
	cases := []struct {
		name, fixture, handler, event, want string
		opts                                runtimetest.Options
	}{
		// ES module with top-level await, finished during Init.
		{"mjs", "esm", "index.handler", `{"input":"x"}`, `{"kind":"mjs","ready":"ready","input":"x"}`, runtimetest.Options{}},
		// .js loaded with import() under "type":"module".
		{"type-module", "typemodule", "index.handler", `{}`, `{"kind":"esm-js","cjs":false}`, runtimetest.Options{}},
		// Directory part of the handler string.
		{"nested-path", "nested", "src/handlers/app.fn", `{}`, `"nested path"`, runtimetest.Options{}},
		// Split at the first dot; the rest is a property path.
		{"nested-property", "nestedprop", "index.nested.fn", `{}`, `"nested property"`, runtimetest.Options{}},
		// Precedence: extensionless > .js > .mjs > .cjs.
		{"extensionless-first", "prec1", "index.handler", `{}`, `"extensionless"`, runtimetest.Options{}},
		{"js-before-mjs", "prec2", "index.handler", `{}`, `"js"`, runtimetest.Options{}},
		{"mjs-before-cjs", "prec3", "index.handler", `{}`, `"mjs"`, runtimetest.Options{}},
		{"cjs", "prec4", "index.handler", `{}`, `"cjs"`, runtimetest.Options{}},
		{"type-module-js-before-mjs", "prec5", "index.handler", `{}`, `"esm-js"`, runtimetest.Options{}},
		// Fallback: require.resolve(module, {paths: [appRoot, moduleRoot]}), which honours NODE_PATH.
		{"require-resolve-fallback", "fallback/task", "pkgmod.handler", `{}`, `"resolved via NODE_PATH"`,
			runtimetest.Options{Env: []string{"NODE_PATH=" + fallbackLib}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := node.StartOpts(t, c.fixture, c.handler, c.opts)
			_, p := f.Invoke(c.event, nil)
			if p.Kind != "response" || string(p.Body) != c.want {
				t.Fatalf("%s %s, want response %s", p.Kind, p.Body, c.want)
			}
		})
	}
}

// runtime.md 4.2 (error mapping), 4.5 (body, init error header), 4.6
// (Uncaught Exception log line with request id "undefined"), 4.3 (exit code).
func TestInitErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, fixture, handler string
		wantType               string
		wantMsg                func(f *runtimetest.Function) string
		logPrefix              string
		exit                   int
	}{
		{"dotdot", "seed", "../seed/index.handler", "Runtime.MalformedHandlerName",
			func(*runtimetest.Function) string {
				return "'../seed/index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."
			}, "Uncaught Exception", 129},
		{"no-dot", "seed", "index", "Runtime.MalformedHandlerName",
			func(*runtimetest.Function) string { return "Bad handler" }, "Uncaught Exception", 129},
		{"syntax-error", "syntaxerr", "index.handler", "Runtime.UserCodeSyntaxError",
			func(*runtimetest.Function) string { return "SyntaxError: Unexpected end of input" }, "Uncaught Exception", 129},
		{"missing-module", "seed", "missing.handler", "Runtime.ImportModuleError",
			func(f *runtimetest.Function) string {
				return "Error: Cannot find module 'missing'\nRequire stack:\n- " + f.Bootstrap
			}, "Uncaught Exception", 129},
		{"missing-dependency", "importerr", "app.handler", "Runtime.ImportModuleError",
			func(f *runtimetest.Function) string {
				return "Error: Cannot find module 'this-package-does-not-exist'\nRequire stack:\n- " +
					filepath.Join(f.Dir, "app.js") + "\n- " + f.Bootstrap
			}, "Uncaught Exception", 129},
		{"missing-export", "seed", "index.nope", "Runtime.HandlerNotFound",
			func(*runtimetest.Function) string { return "index.nope is undefined or not exported" }, "Uncaught Exception", 129},
		{"not-a-function", "seed", "index.notfn", "Runtime.HandlerNotFound",
			func(*runtimetest.Function) string { return "index.notfn is not a function" }, "Uncaught Exception", 129},
		{"init-unhandled-rejection", "initreject", "index.handler", "Runtime.UnhandledPromiseRejection",
			func(*runtimetest.Function) string { return "Error: init boom" }, "Unhandled Promise Rejection", 128},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := node.Start(t, c.fixture, c.handler)
			p := f.NextPost()
			if p.Kind != "init/error" {
				t.Fatalf("POST %s %s, want init/error", p.Kind, p.Body)
			}
			// runtime.md 4.5: /init/error carries Lambda-Runtime-Function-Error-Type.
			if h := p.Header.Get("Lambda-Runtime-Function-Error-Type"); h != c.wantType {
				t.Errorf("Lambda-Runtime-Function-Error-Type %q, want %q", h, c.wantType)
			}
			if ct := p.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			wantMsg := c.wantMsg(f)
			e := decodeErrBody(t, p.Body)
			if e.ErrorType != c.wantType || e.ErrorMessage != wantMsg {
				t.Errorf("body %s\nwant errorType %q errorMessage %q", p.Body, c.wantType, wantMsg)
			}
			// runtime.md 4.7: trace is the stack split on "\n"; its first
			// lines are "<errorType>: <errorMessage>".
			wantHead := strings.Split(c.wantType+": "+wantMsg, "\n")
			if len(e.Trace) <= len(wantHead) || !reflect.DeepEqual(e.Trace[:len(wantHead)], wantHead) {
				t.Errorf("trace %q, want it to start with %q and go on with frames", e.Trace, wantHead)
			}
			// runtime.md 4.6: "<ts>\tundefined\tERROR\tUncaught Exception \t{...}".
			logged := loggedError(t, p.Output, "undefined", c.logPrefix)
			if logged["errorType"] != c.wantType || logged["errorMessage"] != wantMsg {
				t.Errorf("logged %v", logged)
			}
			if st, ok := logged["stack"].([]any); !ok || len(st) < 2 {
				t.Errorf("logged stack %v, want an array", logged["stack"])
			}
			if c.name == "init-unhandled-rejection" {
				if r, ok := logged["reason"].(map[string]any); !ok || r["errorMessage"] != "init boom" {
					t.Errorf("logged reason %v", logged["reason"])
				}
			}
			// runtime.md 1.5 / 4.3: exit after posting the init error.
			if code := f.WaitExit(); code != c.exit {
				t.Errorf("exit code %d, want %d", code, c.exit)
			}
		})
	}
}

// runtime.md 4.5 and 4.7: invoke-time error bodies and the Invoke Error log.
func TestInvokeErrors(t *testing.T) {
	t.Parallel()

	t.Run("throw", func(t *testing.T) {
		t.Parallel()
		f := node.Start(t, "errors", "index.async")
		for i := 0; i < 2; i++ { // the environment stays alive after /error (1.4)
			id, p := f.Invoke(`{}`, nil)
			if p.Kind != "error" {
				t.Fatalf("kind %s", p.Kind)
			}
			// runtime.md 4.5: {"errorType": name, "errorMessage": message, "trace": stack lines}.
			if !bytes.HasPrefix(p.Body, []byte(`{"errorType":"Error","errorMessage":"x","trace":["Error: x","    at `)) {
				t.Errorf("body %s", p.Body)
			}
			decodeErrBody(t, p.Body)
			// runtime.md 4.5: /invocation/error has no error-type header.
			if h := p.Header.Get("Lambda-Runtime-Function-Error-Type"); h != "" {
				t.Errorf("unexpected Lambda-Runtime-Function-Error-Type %q", h)
			}
			// runtime.md 4.6: "...\tERROR\tInvoke Error \t{errorType, errorMessage, stack: [...]}".
			logged := loggedError(t, p.Output, id, "Invoke Error")
			if logged["errorType"] != "Error" || logged["errorMessage"] != "x" {
				t.Errorf("logged %v", logged)
			}
			if st, ok := logged["stack"].([]any); !ok || len(st) < 2 || st[0] != "Error: x" {
				t.Errorf("logged stack %v", logged["stack"])
			}
		}
	})

	t.Run("enumerable-properties-logged", func(t *testing.T) {
		t.Parallel()
		f := node.Start(t, "errors", "index.custom")
		id, p := f.Invoke(`{}`, nil)
		e := decodeErrBody(t, p.Body)
		if e.ErrorType != "MyError" || e.ErrorMessage != "custom failure" {
			t.Errorf("body %s", p.Body)
		}
		// runtime.md 4.6: the logged JSON adds enumerable props such as code.
		logged := loggedError(t, p.Output, id, "Invoke Error")
		if logged["code"] != "E_CUSTOM" || logged["statusCode"] != float64(418) || logged["errorType"] != "MyError" {
			t.Errorf("logged %v", logged)
		}
	})

	exact := []struct{ name, handler, event, kind, want string }{
		// runtime.md 4.5: non-Error values give typeof / String(v) / [].
		{"throw-string", "index.rejectString", `{}`, "error", `{"errorType":"string","errorMessage":"plain","trace":[]}`},
		// runtime.md 4.5: undefined results are sent as JSON null.
		{"undefined-result", "index.undef", `{}`, "response", `null`},
		{"echo", "index.echo", `{"a":[1,2,{"b":null}],"s":"é\u2028"}`, "response", `{"a":[1,2,{"b":null}],"s":"é` + "\u2028" + `"}`},
	}
	for _, c := range exact {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := node.Start(t, "errors", c.handler)
			_, p := f.Invoke(c.event, nil)
			if p.Kind != c.kind || string(p.Body) != c.want {
				t.Errorf("%s %s, want %s %s", p.Kind, p.Body, c.kind, c.want)
			}
		})
	}

	typed := []struct{ name, handler, event, wantType, wantMsg string }{
		// runtime.md 4.5: a non-serialisable result becomes a function error.
		{"circular-result", "index.circular", `{}`, "Error", "Unable to stringify response body"},
		// runtime.md 1.8: the event is JSON.parse'd inside the invoke.
		{"invalid-event-json", "index.echo", `not json`, "SyntaxError", ""},
		// runtime.md 4.5: \x7F is replaced by %7F.
		{"del-character", "index.del", `{}`, "Error", "a%7Fb"},
	}
	for _, c := range typed {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := node.Start(t, "errors", c.handler)
			id, p := f.Invoke(c.event, nil)
			e := decodeErrBody(t, p.Body)
			if p.Kind != "error" || e.ErrorType != c.wantType || (c.wantMsg != "" && e.ErrorMessage != c.wantMsg) {
				t.Errorf("%s %s, want error %s %q", p.Kind, p.Body, c.wantType, c.wantMsg)
			}
			loggedError(t, p.Output, id, "Invoke Error")
		})
	}
}

// runtime.md 4.3: callback handlers, context.succeed/fail/done, first call wins.
func TestCallbackHandlers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		handler  string
		kind     string
		want     string // exact body for responses and non-Error errors
		wantType string // errorType for Error errors
		wantMsg  string
	}{
		{"index.err", "error", "", "Error", "cb failed"},
		{"index.strerr", "error", `{"errorType":"string","errorMessage":"boom","trace":[]}`, "", ""},
		// A sync handler that never calls back succeeds with null at loop drain.
		{"index.sync", "response", `null`, "", ""},
		// The return value of a non-promise handler is ignored.
		{"index.syncReturn", "response", `null`, "", ""},
		{"index.first", "response", `"first"`, "", ""},
		{"index.succeed", "response", `{"via":"succeed"}`, "", ""},
		// fail(undefined) posts the string error 'handled'.
		{"index.failUndefined", "error", `{"errorType":"string","errorMessage":"handled","trace":[]}`, "", ""},
		{"index.failErr", "error", "", "RangeError", "via fail"},
		{"index.done", "response", `{"via":"done"}`, "", ""},
		{"index.doneErr", "error", `{"errorType":"string","errorMessage":"done error","trace":[]}`, "", ""},
		// A synchronous throw is treated as callback(err).
		{"index.throws", "error", "", "TypeError", "sync throw"},
		{"index.asyncAndCallback", "response", `"from callback"`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.handler, func(t *testing.T) {
			t.Parallel()
			f := node.Start(t, "callback", c.handler)
			// The second invoke proves that later calls posted nothing
			// for the first request and that the process goes on.
			for i := 0; i < 2; i++ {
				id, p := f.Invoke(`{}`, nil)
				if p.Kind != c.kind {
					t.Fatalf("kind %s body %s, want %s", p.Kind, p.Body, c.kind)
				}
				if c.want != "" && string(p.Body) != c.want {
					t.Errorf("body %s, want %s", p.Body, c.want)
				}
				if c.wantType != "" {
					e := decodeErrBody(t, p.Body)
					if e.ErrorType != c.wantType || e.ErrorMessage != c.wantMsg || e.Trace[0] != c.wantType+": "+c.wantMsg {
						t.Errorf("body %s", p.Body)
					}
				}
				switch {
				case c.wantType != "":
					loggedError(t, p.Output, id, "Invoke Error")
				case c.kind == "error":
					// A non-Error value is logged as its JSON.
					var e errBody
					_ = json.Unmarshal([]byte(c.want), &e)
					want, _ := json.Marshal(e.ErrorMessage)
					if got := loggedRaw(t, p.Output, id, "Invoke Error"); got != string(want) {
						t.Errorf("logged %s, want %s", got, want)
					}
				}
			}
		})
	}

	// callbackWaitsForEmptyEventLoop = true (default): posted only after the
	// pending timer ran.
	t.Run("waits-for-empty-loop", func(t *testing.T) {
		t.Parallel()
		f := node.Start(t, "callback", "index.wait")
		id, p := f.Invoke(`{}`, nil)
		if p.Kind != "response" || string(p.Body) != `{"ok":"waited"}` {
			t.Fatalf("%s %s", p.Kind, p.Body)
		}
		ll := linesFor(p.Output, id)
		if len(ll) != 1 || ll[0].Message != "timer fired" || ll[0].Level != "INFO" {
			t.Errorf("lines before the response: %v", ll)
		}
	})

	// false: posted at once; the timer runs afterwards, still logging with
	// the old request id.
	t.Run("no-wait", func(t *testing.T) {
		t.Parallel()
		f := node.Start(t, "callback", "index.nowait")
		id, p := f.Invoke(`{}`, nil)
		if p.Kind != "response" || string(p.Body) != `"nowait"` {
			t.Fatalf("%s %s", p.Kind, p.Body)
		}
		// The 1 s timer had not run when the response arrived.
		if ll := linesFor(p.Output, id); len(ll) != 0 {
			t.Errorf("lines before the response: %v", ll)
		}
		f.WaitLine(func(s string) bool {
			l, ok := parseLogLine(s)
			return ok && l.RequestID == id && l.Message == "late timer"
		})
	})
}

// runtime.md 4.4: the context object, trace id env, remaining time.
func TestContextObject(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "context", "index.handler")
	type result struct {
		JSON      string   `json:"json"`
		Keys      []string `json:"keys"`
		MemType   string   `json:"memoryType"`
		Remaining float64  `json:"remaining"`
		Trace     string   `json:"trace"`
		Waits     bool     `json:"waits"`
		Fns       []string `json:"fns"`
		Awslambda string   `json:"awslambda"`
	}
	decode := func(p runtimetest.Post) (result, map[string]any) {
		t.Helper()
		var r result
		if err := json.Unmarshal(p.Body, &r); err != nil {
			t.Fatalf("%s: %v", p.Body, err)
		}
		var ctx map[string]any
		if err := json.Unmarshal([]byte(r.JSON), &ctx); err != nil {
			t.Fatalf("%s: %v", r.JSON, err)
		}
		return r, ctx
	}

	const traceID = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
	// The fake API sets Lambda-Runtime-Deadline-Ms to now + 30 s.
	id, p := f.Invoke(`{}`, map[string]string{
		"Lambda-Runtime-Trace-Id":         traceID,
		"Lambda-Runtime-Client-Context":   `{"client":{"installation_id":"inst-1","app_title":"app"},"env":{"platform":"Android"},"custom":{"foo":"bar"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"us-east-1:pool"}`,
		"Lambda-Runtime-Aws-Tenant-Id":    "tenant-7",
	})
	r, ctx := decode(p)
	// runtime.md 4.4 field table.
	want := map[string]any{
		"callbackWaitsForEmptyEventLoop": true,
		"functionVersion":                "$LATEST",             // AWS_LAMBDA_FUNCTION_VERSION
		"functionName":                   "fn-test",             // AWS_LAMBDA_FUNCTION_NAME
		"memoryLimitInMB":                "128",                 // a string
		"logGroupName":                   "/aws/lambda/fn-test", // AWS_LAMBDA_LOG_GROUP_NAME
		"logStreamName":                  runtimetest.LogStream, // AWS_LAMBDA_LOG_STREAM_NAME
		"invokedFunctionArn":             runtimetest.ARN,       // Lambda-Runtime-Invoked-Function-Arn
		"awsRequestId":                   id,                    // Lambda-Runtime-Aws-Request-Id
		"tenantId":                       "tenant-7",            // Lambda-Runtime-Aws-Tenant-Id
		"clientContext": map[string]any{ // JSON-parsed Lambda-Runtime-Client-Context
			"client": map[string]any{"installation_id": "inst-1", "app_title": "app"},
			"env":    map[string]any{"platform": "Android"},
			"custom": map[string]any{"foo": "bar"},
		},
		"identity": map[string]any{ // JSON-parsed Lambda-Runtime-Cognito-Identity
			"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool",
		},
	}
	if !reflect.DeepEqual(ctx, want) {
		t.Errorf("context\n got %v\nwant %v", ctx, want)
	}
	wantKeys := []string{"callbackWaitsForEmptyEventLoop", "succeed", "fail", "done", "functionVersion", "functionName",
		"memoryLimitInMB", "logGroupName", "logStreamName", "clientContext", "identity", "invokedFunctionArn",
		"awsRequestId", "tenantId", "getRemainingTimeInMillis"}
	if !reflect.DeepEqual(r.Keys, wantKeys) {
		t.Errorf("keys %q", r.Keys)
	}
	if r.MemType != "string" || !r.Waits || r.Awslambda != "function" {
		t.Errorf("result %+v", r)
	}
	if !reflect.DeepEqual(r.Fns, []string{"function", "function", "function", "function"}) {
		t.Errorf("methods %q", r.Fns)
	}
	// getRemainingTimeInMillis() = deadlineMs - Date.now().
	if r.Remaining <= 20000 || r.Remaining > 30000 {
		t.Errorf("remaining %v ms, want just under 30000", r.Remaining)
	}
	// _X_AMZN_TRACE_ID comes from Lambda-Runtime-Trace-Id.
	if r.Trace != traceID {
		t.Errorf("_X_AMZN_TRACE_ID %q", r.Trace)
	}

	// Second invoke without the optional headers, deadline in the past.
	id, p = f.Invoke(`{}`, map[string]string{
		"Lambda-Runtime-Deadline-Ms": strconv.FormatInt(time.Now().Add(-time.Second).UnixMilli(), 10),
	})
	r, ctx = decode(p)
	for _, k := range []string{"clientContext", "identity", "tenantId"} {
		if _, ok := ctx[k]; ok {
			t.Errorf("%s = %v, want undefined", k, ctx[k])
		}
	}
	if ctx["awsRequestId"] != id {
		t.Errorf("awsRequestId %v", ctx["awsRequestId"])
	}
	// The env var is deleted when the header is absent.
	if r.Trace != "<unset>" {
		t.Errorf("_X_AMZN_TRACE_ID %q, want unset", r.Trace)
	}
	// It can go negative.
	if r.Remaining >= 0 {
		t.Errorf("remaining %v, want negative", r.Remaining)
	}
}

// runtime.md 4.3 and 4.7: uncaught exception during an invoke.
func TestUncaughtException(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "crash", "index.uncaught")
	id, p := f.Invoke(`{}`, nil)
	e := decodeErrBody(t, p.Body)
	if p.Kind != "error" || e.ErrorType != "Error" || e.ErrorMessage != "kaboom" || e.Trace[0] != "Error: kaboom" {
		t.Errorf("%s %s", p.Kind, p.Body)
	}
	logged := loggedError(t, p.Output, id, "Uncaught Exception")
	if logged["errorMessage"] != "kaboom" {
		t.Errorf("logged %v", logged)
	}
	if code := f.WaitExit(); code != 129 {
		t.Errorf("exit code %d, want 129", code)
	}
}

// runtime.md 4.3 and 4.7: unhandled rejection during an invoke.
func TestUnhandledRejection(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "crash", "index.rejection")
	id, p := f.Invoke(`{}`, nil)
	e := decodeErrBody(t, p.Body)
	// errorMessage is String(reason); the trace starts with the runtime error.
	if p.Kind != "error" || e.ErrorType != "Runtime.UnhandledPromiseRejection" || e.ErrorMessage != "Error: yikes" ||
		e.Trace[0] != "Runtime.UnhandledPromiseRejection: Error: yikes" {
		t.Errorf("%s %s", p.Kind, p.Body)
	}
	logged := loggedError(t, p.Output, id, "Unhandled Promise Rejection")
	if logged["errorType"] != "Runtime.UnhandledPromiseRejection" {
		t.Errorf("logged %v", logged)
	}
	if code := f.WaitExit(); code != 128 {
		t.Errorf("exit code %d, want 128", code)
	}
}

// runtime.md 4.3: a promise that never settles while the loop drains.
func TestNeverSettledPromise(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "crash", "index.never")
	for i := 1; i <= 2; i++ { // the process survives and is reused
		id, p := f.Invoke(`{}`, nil)
		e := decodeErrBody(t, p.Body)
		if p.Kind != "error" || e.ErrorType != "Runtime.NodeJsExit" ||
			!strings.HasPrefix(e.ErrorMessage, "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled") {
			t.Errorf("%s %s", p.Kind, p.Body)
		}
		ll := linesFor(p.Output, id)
		if len(ll) != 1 || ll[0].Message != "never call "+strconv.Itoa(i) {
			t.Errorf("lines %v", ll)
		}
	}
}

// runtime.md 4.6, text format.
func TestConsoleText(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "logging", "index.levels")
	before := time.Now().Add(-time.Second)
	id, p := f.Invoke(`{}`, nil)
	if string(p.Body) != `"ok"` {
		t.Fatalf("body %s", p.Body)
	}
	// Before the first invoke the request id is the literal "undefined".
	init := linesFor(p.Output, "undefined")
	if len(init) != 2 || init[0].Level != "INFO" || init[0].Message != "init log" ||
		init[1].Level != "WARN" || init[1].Message != "init warn" {
		t.Errorf("init lines %v", init)
	}
	want := []struct{ level, msg string }{
		{"TRACE", "t"},
		{"DEBUG", "d"},
		{"INFO", "i"},
		{"INFO", "l fmt 7"}, // util.format
		{"WARN", "w"},
		{"ERROR", "e"},
		{"FATAL", "f"},
		{"INFO", "line1\rline2\rline3"}, // "\n" becomes "\r"
		{"WARN", "{ a: 1, b: 'two' }"},
		{"ERROR", "Error: bad\r    at "},      // prefix
		{"ERROR", "ctx Error: bad2\r    at "}, // prefix
	}
	got := linesFor(p.Output, id)
	if len(got) != len(want) {
		t.Fatalf("got %d lines for %s, want %d:\n%s", len(got), id, len(want), strings.Join(p.Output, "\n"))
	}
	for i, w := range want {
		g := got[i]
		ok := g.Level == w.level && (g.Message == w.msg || (strings.HasSuffix(w.msg, "at ") && strings.HasPrefix(g.Message, w.msg)))
		if !ok {
			t.Errorf("line %d: %s %q, want %s %q", i, g.Level, g.Message, w.level, w.msg)
		}
		if g.Time.Before(before) || g.Time.After(time.Now().Add(time.Second)) {
			t.Errorf("line %d: timestamp %v", i, g.Time)
		}
	}
	// Direct process.stdout.write gets no prefix.
	if last := p.Output[len(p.Output)-1]; last != "raw write" {
		t.Errorf("last line %q, want the raw write", last)
	}
	// Every line of the invoke is a single line: no stray continuation lines.
	for _, s := range p.Output {
		if _, ok := parseLogLine(s); !ok && s != "raw write" {
			t.Errorf("unprefixed line %q", s)
		}
	}
}

// runtime.md 4.6, JSON format and level filter.
func TestConsoleJSON(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "logging", "index.levels", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=warn")
	id, p := f.Invoke(`{}`, map[string]string{"Lambda-Runtime-Aws-Tenant-Id": "t-1"})
	var recs []map[string]any
	for _, s := range p.Output {
		if s == "raw write" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", s, err)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", m["timestamp"].(string)); err != nil {
			t.Errorf("timestamp %v", m["timestamp"])
		}
		recs = append(recs, m)
	}
	// INFO and below are filtered: "init log", TRACE, DEBUG, INFO lines vanish.
	if len(recs) != 7 {
		t.Fatalf("got %d JSON lines, want 7:\n%s", len(recs), strings.Join(p.Output, "\n"))
	}
	if recs[0]["level"] != "WARN" || recs[0]["message"] != "init warn" {
		t.Errorf("init record %v", recs[0])
	}
	if _, ok := recs[0]["requestId"]; ok {
		t.Errorf("init record has a requestId: %v", recs[0])
	}
	levels := []string{"WARN", "ERROR", "FATAL", "WARN", "ERROR", "ERROR"}
	for i, r := range recs[1:7] {
		if r["level"] != levels[i] || r["requestId"] != id || r["tenantId"] != "t-1" {
			t.Errorf("record %d: %v", i+1, r)
		}
	}
	if recs[1]["message"] != "w" || recs[2]["message"] != "e" || recs[3]["message"] != "f" {
		t.Errorf("records %v", recs[1:4])
	}
	// A single object argument keeps its JSON type.
	if !reflect.DeepEqual(recs[4]["message"], map[string]any{"a": float64(1), "b": "two"}) {
		t.Errorf("object message %v", recs[4]["message"])
	}
	// A single Error becomes {errorType, errorMessage, stackTrace}.
	if m, ok := recs[5]["message"].(map[string]any); !ok || m["errorType"] != "Error" || m["errorMessage"] != "bad" {
		t.Errorf("error message %v", recs[5]["message"])
	} else if st, ok := m["stackTrace"].([]any); !ok || st[0] != "Error: bad" {
		t.Errorf("stackTrace %v", m["stackTrace"])
	}
	// Several arguments: util.format message plus the first Error's fields.
	if msg, _ := recs[6]["message"].(string); !strings.HasPrefix(msg, "ctx Error: bad2\n    at ") ||
		recs[6]["errorType"] != "Error" || recs[6]["errorMessage"] != "bad2" {
		t.Errorf("multi-argument record %v", recs[6])
	}
	if p.Output[len(p.Output)-1] != "raw write" {
		t.Errorf("last line %q", p.Output[len(p.Output)-1])
	}
}

// Every console line of an invoke is on stdout before the result POST
// arrives, also beyond a pipe buffer's worth and with a non-blocking fd 1.
func TestLogsWrittenBeforeResponse(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"index.big", "index.nonblocking"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			f := node.Start(t, "logging", h)
			for i := 0; i < 2; i++ {
				id, p := f.Invoke(`{}`, nil)
				if p.Kind != "response" {
					t.Fatalf("%s %s", p.Kind, p.Body)
				}
				ll := linesFor(p.Output, id)
				if len(ll) != 2000 {
					t.Fatalf("%d lines of %s on stdout when the response arrived, want 2000", len(ll), id)
				}
				if !strings.HasSuffix(ll[1999].Message, " 1999") {
					t.Errorf("last line %q", ll[1999].Message)
				}
			}
		})
	}
}

// runtime.md 4.1/4.8: awslambda.streamifyResponse (served buffered).
func TestStreamifyResponseBuffered(t *testing.T) {
	t.Parallel()
	f := node.Start(t, "streaming", "index.handler")
	id, p := f.Invoke(`{}`, nil)
	if p.Kind != "response" || string(p.Body) != "hello "+id {
		t.Errorf("%s %q", p.Kind, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Content-Type %q", ct)
	}
}

// runtime.md 1.3: a 5xx from the Runtime API means "exit promptly".
func TestRuntimeAPIFailure(t *testing.T) {
	t.Parallel()
	f := node.StartOpts(t, "seed", "index.handler", runtimetest.Options{NextStatus: 500})
	if code := f.WaitExit(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(f.Stderr(), "HTTP 500") {
		t.Errorf("stderr %q", f.Stderr())
	}
}
