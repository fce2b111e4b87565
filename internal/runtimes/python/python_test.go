package python

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/runtimes/runtimetest"
)

func TestEmbeddedBootstrap(t *testing.T) {
	if BootstrapName != "bootstrap.py" {
		t.Fatalf("BootstrapName = %q", BootstrapName)
	}
	disk, err := os.ReadFile(BootstrapName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, Bootstrap) {
		t.Fatal("embedded Bootstrap differs from bootstrap.py")
	}
}

func TestArgs(t *testing.T) {
	got := Args("/rt/bootstrap.py")
	want := []string{"-u", "-s", "-B", "/rt/bootstrap.py"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Args = %q, want %q", got, want)
	}
}

// runtime.md 7 and 5.2: the seed example's result is posted to /response
// with json.dumps' default separators, Content-Type application/json (1.3).
func TestSeedExample(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/some/prefix"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			t.Parallel()
			f := python3.StartOpts(t, "seed", "lambda_function.lambda_handler", runtimetest.Options{Prefix: prefix})
			_, p := f.Invoke(`{"any":"thing"}`, nil)
			if p.Kind != "response" {
				t.Fatalf("kind %s, body %s", p.Kind, p.Body)
			}
			// runtime.md 7: `{"statusCode": 200, "body": "..."}`, with spaces.
			if want := `{"statusCode": 200, "body": "{\"message\": \"hi\"}"}`; string(p.Body) != want {
				t.Errorf("body %s, want %s", p.Body, want)
			}
			// runtime.md 1.3: PRIC sends application/json.
			if ct := p.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// Consecutive invokes run in the same process: module globals survive
// (runtime.md 2.3, warm reuse) and the keep-alive connection keeps working.
func TestProcessReuse(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "counter", "app.handler")
	for i := 1; i <= 3; i++ {
		_, p := f.Invoke(`{}`, nil)
		want := `{"count": ` + strconv.Itoa(i) + `, "pid": ` + strconv.Itoa(f.Cmd.Process.Pid) + `}`
		if p.Kind != "response" || string(p.Body) != want {
			t.Errorf("invoke %d: %s %s, want %s", i, p.Kind, p.Body, want)
		}
	}
}

// runtime.md 5.1: split at the last dot; "/" becomes "."; the code root is
// LAMBDA_TASK_ROOT, or the working directory when it is unset.
func TestHandlerResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, fixture, handler, want string
		opts                         runtimetest.Options
	}{
		{"nested-path", "nested", "src/app.handler", `"nested path"`, runtimetest.Options{}},
		{"dotted-module", "nested", "pkg.mod.fn", `{"module": "pkg.mod"}`, runtimetest.Options{}},
		{"cwd-fallback", "seed", "lambda_function.lambda_handler",
			`{"statusCode": 200, "body": "{\"message\": \"hi\"}"}`, runtimetest.Options{NoTaskRoot: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := python3.StartOpts(t, c.fixture, c.handler, c.opts)
			_, p := f.Invoke(`{}`, nil)
			if p.Kind != "response" || string(p.Body) != c.want {
				t.Fatalf("%s %s, want response %s", p.Kind, p.Body, c.want)
			}
		})
	}
}

// The interpreter flags of Args and the bootstrap's sys.path handling.
func TestInterpreterSetup(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "syspath", "app.handler")
	_, p := f.Invoke(`{}`, nil)
	var got struct {
		Path0          string   `json:"path0"`
		Cwd            string   `json:"cwd"`
		Path           []string `json:"path"`
		DontWrite      bool     `json:"dont_write_bytecode"`
		NoUserSite     int      `json:"no_user_site"`
		Unbuffered     bool     `json:"unbuffered"`
		Main           string   `json:"main"`
		StdoutEncoding string   `json:"stdout_encoding"`
	}
	if err := json.Unmarshal(p.Body, &got); err != nil {
		t.Fatalf("%s: %v", p.Body, err)
	}
	// runtime.md 5: the code directory comes first on sys.path.
	if got.Path0 != f.Dir || got.Cwd != f.Dir {
		t.Errorf("sys.path[0] %q, cwd %q, want %q", got.Path0, got.Cwd, f.Dir)
	}
	for _, d := range got.Path {
		if d == filepath.Dir(f.Bootstrap) {
			t.Errorf("the bootstrap's directory %s is on sys.path %q", d, got.Path)
		}
	}
	if !got.DontWrite || got.NoUserSite != 1 || !got.Unbuffered || got.Main != f.Bootstrap || got.StdoutEncoding != "utf-8" {
		t.Errorf("interpreter setup %+v", got)
	}
}

// lambdaWarning is logged at WARNING before an init error (runtime.md 5.1).
const lambdaWarning = "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. " +
	"However, in rare cases, a Lambda runtime update can cause unexpected function behavior. " +
	"For functions using managed runtimes, runtime updates can be triggered by a function change, or can be applied automatically. " +
	"To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. " +
	"If this error correlates with a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous runtime version. " +
	"For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"

// runtime.md 5.1 (error types and messages, init/error with
// Lambda-Runtime-Function-Error-Type, exit), 5.2 (body with requestId ""),
// 5.4 (the [ERROR] log line).
func TestInitErrors(t *testing.T) {
	t.Parallel()
	syntaxFile, _ := filepath.Abs("testdata/syntaxerr/app.py")
	cases := []struct {
		name, fixture, handler string
		want                   errBody
	}{
		// 5.1: "Bad handler '<h>': <ValueError text>".
		{"no-dot", "seed", "lambda_function", errBody{ErrorType: "Runtime.MalformedHandlerName",
			ErrorMessage: "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)"}},
		{"empty", "seed", "", errBody{ErrorType: "Runtime.MalformedHandlerName",
			ErrorMessage: "Bad handler '': not enough values to unpack (expected 2, got 1)"}},
		// 5.1: "Cannot use built-in module <m> as a handler module".
		{"built-in", "seed", "sys.handler", errBody{ErrorType: "Runtime.BuiltInModuleConflict",
			ErrorMessage: "Cannot use built-in module sys as a handler module"}},
		// 5.1: "Unable to import module '<m>': <err>".
		{"missing-module", "seed", "missing.handler", errBody{ErrorType: "Runtime.ImportModuleError",
			ErrorMessage: "Unable to import module 'missing': No module named 'missing'"}},
		{"missing-dependency", "importerr", "app.handler", errBody{ErrorType: "Runtime.ImportModuleError",
			ErrorMessage: "Unable to import module 'app': No module named 'this_dependency_does_not_exist'"}},
		// 5.1: "Handler '<f>' missing on module '<m>'".
		{"missing-handler", "seed", "lambda_function.nope", errBody{ErrorType: "Runtime.HandlerNotFound",
			ErrorMessage: "Handler 'nope' missing on module 'lambda_function'"}},
		{"missing-handler-nested", "nested", "src/app.nope", errBody{ErrorType: "Runtime.HandlerNotFound",
			ErrorMessage: "Handler 'nope' missing on module 'src/app'"}},
		// 5.1: "Syntax error in module '<m>': <err>", stackTrace
		// ['  File "<file>" Line <n>\n    <text>'].
		{"syntax-error", "syntaxerr", "app.handler", errBody{ErrorType: "Runtime.UserCodeSyntaxError",
			ErrorMessage: "Syntax error in module 'app': invalid syntax (app.py, line 4)",
			StackTrace:   []string{"  File \"" + syntaxFile + "\" Line 4\n    x = = 1\n"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, c.fixture, c.handler)
			p := f.NextPost()
			if p.Kind != "init/error" {
				t.Fatalf("POST %s %s, want init/error", p.Kind, p.Body)
			}
			checkInitError(t, f, p, c.want)
		})
	}
}

func checkInitError(t *testing.T, f *runtimetest.Function, p runtimetest.Post, want errBody) {
	t.Helper()
	// runtime.md 5.1: header Lambda-Runtime-Function-Error-Type: <errorType>.
	if h := p.Header.Get("Lambda-Runtime-Function-Error-Type"); h != want.ErrorType {
		t.Errorf("Lambda-Runtime-Function-Error-Type %q, want %q", h, want.ErrorType)
	}
	if ct := p.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	// runtime.md 5.2: requestId is "" for init errors; stackTrace [] when
	// the runtime gives none.
	want.RequestID = ""
	if want.StackTrace == nil {
		want.StackTrace = []string{}
	}
	if w := encodeErrBody(want); string(p.Body) != w {
		t.Errorf("body\n got %s\nwant %s", p.Body, w)
	}
	// runtime.md 5.1: the LAMBDA_WARNING line, then the error line (5.4).
	var warned bool
	for _, s := range p.Output {
		if l, ok := parseLogLine(s); ok && l.Level == "WARNING" && l.RequestID == "" && l.Message == lambdaWarning {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no [WARNING] LAMBDA_WARNING line with an empty request id in %q", p.Output)
	}
	if w := errorLogLine(want); !contains(p.Output, w) {
		t.Errorf("no error log line %q in %q", w, p.Output)
	}
	// runtime.md 5.1: sys.exit(1) after posting.
	if code := f.WaitExit(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

// runtime.md 5.1: any other exception while importing gives its class name,
// message and traceback, without the bootstrap's own frames at the head.
func TestInitException(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "initfail", "app.handler")
	p := f.NextPost()
	if p.Kind != "init/error" {
		t.Fatalf("POST %s %s, want init/error", p.Kind, p.Body)
	}
	e := decodeErrBody(t, p.Body)
	file := filepath.Join(f.Dir, "app.py")
	tail := []string{
		frame(file, lineOf(t, file, "\n_setup()")+1, "<module>", "_setup()"),
		frame(file, lineOf(t, file, "raise RuntimeError"), "_setup", `raise RuntimeError("init failed")`),
	}
	n := len(e.StackTrace)
	if n < 2 || !reflect.DeepEqual(e.StackTrace[n-2:], tail) {
		t.Errorf("stackTrace %q, want it to end with %q", e.StackTrace, tail)
	}
	if n > 0 && strings.Contains(e.StackTrace[0], "/bootstrap.py") {
		t.Errorf("stackTrace starts in the bootstrap: %q", e.StackTrace)
	}
	want := errBody{ErrorMessage: "init failed", ErrorType: "RuntimeError", StackTrace: e.StackTrace}
	checkInitError(t, f, p, want)
	if !contains(p.Output, "init started") {
		t.Errorf("print output of the init missing: %q", p.Output)
	}
}

// A module calling sys.exit during init: nothing is posted, the exit code
// is the module's (PRIC catches Exception only).
func TestInitSysExit(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "initexit", "app.handler")
	if code := f.WaitExit(); code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
	if out := f.Output(); !reflect.DeepEqual(out, []string{"exiting during init"}) {
		t.Errorf("output %q", out)
	}
	select {
	case p := <-f.Posts():
		t.Errorf("unexpected POST %s %s", p.Kind, p.Body)
	default:
	}
}

// runtime.md 5.2: handler exceptions give {"errorMessage", "errorType",
// "requestId", "stackTrace"} with traceback.format_list lines, posted to
// /invocation/<id>/error, logged as in 5.4; the process goes on (1.4).
func TestInvokeErrors(t *testing.T) {
	t.Parallel()
	file, _ := filepath.Abs("testdata/errors/app.py")
	cases := []struct {
		handler string
		want    errBody
		logged  []string // the [ERROR] line as split into output lines, when not errorLogLine(want)
	}{
		{"app.value_error", errBody{ErrorMessage: "boom 1", ErrorType: "ValueError", StackTrace: []string{
			frame(file, lineOf(t, file, "_helper(1)"), "value_error", "_helper(1)"),
			frame(file, lineOf(t, file, "raise ValueError"), "_helper", `raise ValueError("boom %d" % n)`),
		}}, nil},
		// errorType is the class __name__.
		{"app.custom", errBody{ErrorMessage: "custom failure", ErrorType: "MyError", StackTrace: []string{
			frame(file, lineOf(t, file, "raise MyError"), "custom", `raise MyError("custom failure")`),
		}}, nil},
		// str(KeyError()) is "": "[ERROR] KeyError" alone.
		{"app.empty", errBody{ErrorMessage: "", ErrorType: "KeyError", StackTrace: []string{
			frame(file, lineOf(t, file, "raise KeyError()"), "empty", `raise KeyError()`),
		}}, nil},
		// The message's own newline splits the log line.
		{"app.multiline", errBody{ErrorMessage: "first line\nsecond line", ErrorType: "RuntimeError", StackTrace: []string{
			frame(file, lineOf(t, file, "raise RuntimeError"), "multiline", `raise RuntimeError("first line\nsecond line")`),
		}}, nil},
	}
	for _, c := range cases {
		t.Run(c.handler, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, "errors", c.handler)
			for i := 0; i < 2; i++ {
				id, p := f.Invoke(`{}`, nil)
				if p.Kind != "error" {
					t.Fatalf("kind %s body %s", p.Kind, p.Body)
				}
				want := c.want
				want.RequestID = id
				if w := encodeErrBody(want); string(p.Body) != w {
					t.Errorf("body\n got %s\nwant %s", p.Body, w)
				}
				if ct := p.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				// runtime.md 1.8: the invocation error goes out with no error-type header.
				if h := p.Header.Get("Lambda-Runtime-Function-Error-Type"); h != "" {
					t.Errorf("unexpected Lambda-Runtime-Function-Error-Type %q", h)
				}
				logged := strings.Split(errorLogLine(want), "\n")
				if !containsRun(p.Output, logged) {
					t.Errorf("no error log lines %q in %q", logged, p.Output)
				}
			}
		})
	}
}

// containsRun reports whether want appears as consecutive lines of lines.
func containsRun(lines, want []string) bool {
	for i := 0; i+len(want) <= len(lines); i++ {
		if reflect.DeepEqual(lines[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// runtime.md 5.2: runtime faults during an invoke have an empty stackTrace.
func TestInvokeFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler, event string
		headers              map[string]string
		wantType, wantMsg    string
	}{
		// 5.2: "Unable to marshal response: Object of type X is not JSON serializable".
		{"set", "app.a_set", `{}`, nil, "Runtime.MarshalError",
			"Unable to marshal response: Object of type set is not JSON serializable"},
		{"object", "app.not_callable", `{}`, nil, "Runtime.MarshalError",
			"Unable to marshal response: Object of type object is not JSON serializable"},
		{"circular", "app.circular", `{}`, nil, "Runtime.MarshalError",
			"Unable to marshal response: Circular reference detected"},
		// 5.2: "Unable to unmarshal input: ...".
		{"bad-event", "app.echo", `not json`, nil, "Runtime.UnmarshalError",
			"Unable to unmarshal input: Expecting value: line 1 column 1 (char 0)"},
		// The client context header is JSON-decoded (1.2).
		{"bad-client-context", "app.echo", `{}`, map[string]string{"Lambda-Runtime-Client-Context": "{nope"},
			"Runtime.LambdaContextUnmarshalError",
			"Unable to parse Client Context JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, "results", c.handler)
			id, p := f.Invoke(c.event, c.headers)
			want := errBody{ErrorMessage: c.wantMsg, ErrorType: c.wantType, RequestID: id, StackTrace: []string{}}
			if p.Kind != "error" || string(p.Body) != encodeErrBody(want) {
				t.Errorf("%s %s\nwant error %s", p.Kind, p.Body, encodeErrBody(want))
			}
			if w := errorLogLine(want); !contains(p.Output, w) {
				t.Errorf("no error log line %q in %q", w, p.Output)
			}
			// Still alive.
			_, p = f.Invoke(`{"ok": 1}`, nil)
			if c.handler == "app.echo" && string(p.Body) != `{"ok": 1}` {
				t.Errorf("second invoke: %s %s", p.Kind, p.Body)
			}
		})
	}

	// A handler that is not callable fails inside the bootstrap: the only
	// frame is the bootstrap's, and it is kept (nothing else to show).
	t.Run("not-callable", func(t *testing.T) {
		t.Parallel()
		f := python3.Start(t, "results", "app.handler_value")
		_, p := f.Invoke(`{}`, nil)
		e := decodeErrBody(t, p.Body)
		if e.ErrorType != "TypeError" || e.ErrorMessage != "'int' object is not callable" ||
			len(e.StackTrace) != 1 || !strings.Contains(e.StackTrace[0], "/bootstrap.py\", line ") {
			t.Errorf("body %s", p.Body)
		}
	})
}

// runtime.md 5.2: result encoding.
func TestResults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, handler, event string
		headers              map[string]string
		env                  []string
		want, contentType    string
	}{
		// None becomes null.
		{"none", "app.none", `{}`, nil, nil, `null`, "application/json"},
		{"no-return", "app.noreturn", `{}`, nil, nil, `null`, "application/json"},
		// Default separators, key order kept.
		{"echo", "app.echo", `{"a":[1,2,{"b":null,"c":true}],"s":"x","f":1.5}`, nil, nil,
			`{"a": [1, 2, {"b": null, "c": true}], "s": "x", "f": 1.5}`, "application/json"},
		// A /next body big enough for a chunked answer.
		{"big-event", "app.echo", `{"s":"` + strings.Repeat("x", 300000) + `"}`, nil, nil,
			`{"s": "` + strings.Repeat("x", 300000) + `"}`, "application/json"},
		// bytes are sent raw as application/unknown.
		{"bytes", "app.raw_bytes", `{}`, nil, nil, "\x00raw\xffbytes", "application/unknown"},
		// Decimal allowed (its own digits), NaN allowed.
		{"decimal", "app.decimals", `{}`, nil, nil,
			`{"price": 1.50, "big": 12345678901234567890.123456789, "nan": NaN, "list": [-0, 1E+2], "text": "\u0000kindling"}`,
			"application/json"},
		{"floats", "app.floats", `{}`, nil, nil, `[NaN, Infinity, 0.1, 1e+100]`, "application/json"},
		// ensure_ascii=False for python3.12+ ...
		{"unicode-3.12", "app.unicode", `{}`, nil, nil, "{\"s\": \"h\u00e9llo \u2603 \U0001F600\"}", "application/json"},
		// ... and escapes before.
		{"unicode-3.11", "app.unicode", `{}`, nil, []string{"AWS_EXECUTION_ENV=AWS_Lambda_python3.11"},
			`{"s": "h\u00e9llo \u2603 \ud83d\ude00"}`, "application/json"},
		// The event is JSON-decoded only for Content-Type application/json.
		{"json-event", "app.event_type", `"hello"`, nil, nil, `{"type": "str", "repr": "'hello'"}`, "application/json"},
		{"raw-event", "app.event_type", `hello`, map[string]string{"Content-Type": "text/plain"}, nil,
			`{"type": "bytes", "repr": "b'hello'"}`, "application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, "results", c.handler, c.env...)
			_, p := f.Invoke(c.event, c.headers)
			if p.Kind != "response" || string(p.Body) != c.want {
				t.Errorf("%s %.300q, want response %.300q", p.Kind, p.Body, c.want)
			}
			if ct := p.Header.Get("Content-Type"); ct != c.contentType {
				t.Errorf("Content-Type %q, want %q", ct, c.contentType)
			}
		})
	}
}

// runtime.md 5.3: the context object; 1.2: the /next headers it comes from.
func TestContext(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "context", "app.handler")
	const traceID = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
	// The fake API sets Lambda-Runtime-Deadline-Ms to now + 30 s.
	id, p := f.Invoke(`{}`, map[string]string{
		"Lambda-Runtime-Trace-Id": traceID,
		"Lambda-Runtime-Client-Context": `{"client":{"installation_id":"inst-1","app_title":"app","app_version_name":"1.0",` +
			`"app_version_code":"100","app_package_name":"com.example"},"env":{"platform":"Android"},"custom":{"foo":"bar"}}`,
		"Lambda-Runtime-Cognito-Identity": `{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"us-east-1:pool"}`,
		"Lambda-Runtime-Aws-Tenant-Id":    "tenant-7",
	})
	var got map[string]any
	if err := json.Unmarshal(p.Body, &got); err != nil {
		t.Fatalf("%s: %v", p.Body, err)
	}
	remaining, _ := got["remaining"].(float64)
	delete(got, "remaining")
	want := map[string]any{
		"aws_request_id":       id,                    // Lambda-Runtime-Aws-Request-Id
		"invoked_function_arn": runtimetest.ARN,       // Lambda-Runtime-Invoked-Function-Arn
		"function_name":        "fn-test",             // AWS_LAMBDA_FUNCTION_NAME
		"function_version":     "$LATEST",             // AWS_LAMBDA_FUNCTION_VERSION
		"memory_limit_in_mb":   "128",                 // a string (5.3)
		"log_group_name":       "/aws/lambda/fn-test", // AWS_LAMBDA_LOG_GROUP_NAME
		"log_stream_name":      runtimetest.LogStream, // AWS_LAMBDA_LOG_STREAM_NAME
		"tenant_id":            "tenant-7",            // Lambda-Runtime-Aws-Tenant-Id
		"identity": map[string]any{ // Lambda-Runtime-Cognito-Identity (5.3)
			"cognito_identity_id": "us-east-1:abc", "cognito_identity_pool_id": "us-east-1:pool",
		},
		"identity_type": "CognitoIdentity",
		"client_context": map[string]any{ // Lambda-Runtime-Client-Context (5.3)
			"type":   "ClientContext",
			"custom": map[string]any{"foo": "bar"},
			"env":    map[string]any{"platform": "Android"},
			"client": map[string]any{"installation_id": "inst-1", "app_title": "app", "app_version_name": "1.0",
				"app_version_code": "100", "app_package_name": "com.example"},
			"client_type": "Client",
		},
		"trace_env":    traceID, // _X_AMZN_TRACE_ID from Lambda-Runtime-Trace-Id (5.3)
		"context_type": "LambdaContext",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("context\n got %v\nwant %v", got, want)
	}
	// get_remaining_time_in_millis() = max(deadline - now, 0).
	if remaining <= 20000 || remaining > 30000 {
		t.Errorf("remaining %v ms, want just under 30000", remaining)
	}

	// Without the optional headers, with a deadline in the past and a client
	// context that has no "client".
	id, p = f.Invoke(`{}`, map[string]string{
		"Lambda-Runtime-Deadline-Ms":    strconv.FormatInt(time.Now().Add(-time.Second).UnixMilli(), 10),
		"Lambda-Runtime-Client-Context": `{"custom":{"a":1}}`,
	})
	got = nil
	if err := json.Unmarshal(p.Body, &got); err != nil {
		t.Fatalf("%s: %v", p.Body, err)
	}
	if got["aws_request_id"] != id || got["tenant_id"] != nil || got["remaining"] != float64(0) ||
		got["trace_env"] != "<unset>" || got["identity_type"] != "CognitoIdentity" ||
		!reflect.DeepEqual(got["identity"], map[string]any{"cognito_identity_id": nil, "cognito_identity_pool_id": nil}) ||
		!reflect.DeepEqual(got["client_context"], map[string]any{"type": "ClientContext", "custom": map[string]any{"a": float64(1)},
			"env": nil, "client": nil, "client_type": "NoneType"}) {
		t.Errorf("second context %s", p.Body)
	}

	// No client context at all: None.
	_, p = f.Invoke(`{}`, nil)
	got = nil
	_ = json.Unmarshal(p.Body, &got)
	if v, ok := got["client_context"]; !ok || v != nil {
		t.Errorf("client_context %v, want None", v)
	}
}

// runtime.md 5.4, text format: "[LEVEL]\t<time>.mmmZ\t<request id>\t<message>",
// print() unchanged, the request id "" during init.
func TestLoggingText(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "logging", "app.levels")
	before := time.Now().Add(-time.Second)
	id, p := f.Invoke(`{}`, nil)
	after := time.Now().Add(time.Second)
	if string(p.Body) != `"ok"` {
		t.Fatalf("body %s", p.Body)
	}
	file := filepath.Join(f.Dir, "app.py")
	L := func(level, msg string) string { return "[" + level + "]\t<ts>\t" + id + "\t" + msg }
	want := []string{
		"[INFO]\t<ts>\t\tinit log", // request id "" before the first invoke
		"init print",
		L("DEBUG", "d"),
		L("INFO", "i fmt 7"),
		L("WARNING", "w"),
		L("ERROR", "e"),
		L("CRITICAL", "c"),
		L("INFO", "from child"),
		"plain print",
		"to stderr",
		L("INFO", "line1"), // the message's newline is kept
		"line2",
		L("ERROR", "with traceback"),
		"Traceback (most recent call last):",
		"  File \"" + file + "\", line " + strconv.Itoa(lineOf(t, file, `raise ValueError("caught")`)) + ", in levels",
		`    raise ValueError("caught")`,
		"ValueError: caught",
		"after exception",
		"context log line",
		L("INFO", "extra"),
	}
	tsRE := regexp.MustCompile(`\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t`)
	var got []string
	for _, s := range p.Output {
		if l, ok := parseLogLine(s); ok {
			if l.Time.Before(before) || l.Time.After(after) {
				t.Errorf("timestamp of %q is not the current UTC time", s)
			}
			s = tsRE.ReplaceAllString(s, "\t<ts>\t")
		}
		got = append(got, s)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

// runtime.md 5.4: without AWS_LAMBDA_LOG_LEVEL the root level stays
// WARNING; with it, the level applies (also in text format).
func TestLogLevel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  []string
		want []string // messages of the invocation's records, in order
	}{
		{"default", nil, []string{"w arg", "named", "with exception"}},
		{"debug", []string{"AWS_LAMBDA_LOG_LEVEL=DEBUG"}, []string{"d", "i", "w arg", "named", "with exception"}},
		{"trace-is-debug", []string{"AWS_LAMBDA_LOG_LEVEL=TRACE"}, []string{"d", "i", "w arg", "named", "with exception"}},
		{"error", []string{"AWS_LAMBDA_LOG_LEVEL=ERROR"}, []string{"named", "with exception"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, "jsonlog", "app.handler", c.env...)
			id, p := f.Invoke(`{}`, nil)
			var got []string
			for _, s := range p.Output {
				if l, ok := parseLogLine(s); ok && l.RequestID == id {
					got = append(got, l.Message)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("records %q, want %q", got, c.want)
			}
		})
	}
}

// runtime.md 5.4, JSON format: one object per line with timestamp, level,
// message, logger, requestId (and tenantId), exception fields and extra=
// fields; null fields dropped; the unhandled error as one JSON line.
func TestLoggingJSON(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "jsonlog", "app.handler", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO")
	before := time.Now().Add(-time.Second)
	id, p := f.Invoke(`{}`, map[string]string{"Lambda-Runtime-Aws-Tenant-Id": "t-1"})
	if string(p.Body) != `"ok"` {
		t.Fatalf("body %s", p.Body)
	}
	var recs []map[string]any
	var plain []string
	for _, s := range p.Output {
		if !strings.HasPrefix(s, "{") {
			plain = append(plain, s)
			continue
		}
		// Default separators (json.JSONEncoder), timestamp first.
		if !strings.HasPrefix(s, `{"timestamp": "`) {
			t.Errorf("record %q", s)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("line %q: %v", s, err)
		}
		ts, err := time.Parse("2006-01-02T15:04:05.000Z", m["timestamp"].(string))
		if err != nil || ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("timestamp %v", m["timestamp"])
		}
		delete(m, "timestamp")
		recs = append(recs, m)
	}
	if !reflect.DeepEqual(plain, []string{"plain print"}) {
		t.Errorf("non-JSON lines %q", plain)
	}
	file := filepath.Join(f.Dir, "app.py")
	excLine := lineOf(t, file, `raise KeyError("caught")`)
	want := []map[string]any{
		// The INFO level applies from the start; init records have requestId "".
		{"level": "INFO", "message": "init info", "logger": "root", "requestId": ""},
		{"level": "WARNING", "message": "init warning", "logger": "root", "requestId": ""},
		{"level": "INFO", "message": "i", "logger": "root", "requestId": id, "tenantId": "t-1"},
		{"level": "WARNING", "message": "w arg", "logger": "root", "requestId": id, "tenantId": "t-1", "k": "v", "n": float64(3)},
		{"level": "ERROR", "message": "named", "logger": "mylogger", "requestId": id, "tenantId": "t-1"},
		{"level": "ERROR", "message": "with exception", "logger": "root", "requestId": id, "tenantId": "t-1",
			"errorType": "KeyError", "errorMessage": "'caught'",
			"stackTrace": []any{"  File \"" + file + "\", line " + strconv.Itoa(excLine) + ", in handler\n    raise KeyError(\"caught\")\n"},
			"location":   file + ":handler:" + strconv.Itoa(lineOf(t, file, `logging.exception("with exception")`))},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records\n got %v\nwant %v", recs, want)
	}

	// The unhandled error: {"timestamp": "YYYY-MM-DDTHH:MM:SSZ", "level": "ERROR", <error body>}.
	g := python3.Start(t, "jsonlog", "app.fail", "AWS_LAMBDA_LOG_FORMAT=JSON")
	id, p = g.Invoke(`{}`, nil)
	e := decodeErrBody(t, p.Body)
	body := encodeErrBody(e)
	re := regexp.MustCompile(`^\{"timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "level": "ERROR", ` + regexp.QuoteMeta(body[1:]) + `$`)
	if e.RequestID != id || !containsMatch(p.Output, re) {
		t.Errorf("no JSON error line %s in %q", re, p.Output)
	}
}

func containsMatch(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// Everything an invocation printed or logged, to stdout or stderr, is on
// the pipe before its /response or /error request arrives.
func TestOutputBeforeResponse(t *testing.T) {
	t.Parallel()
	t.Run("big", func(t *testing.T) {
		t.Parallel()
		f := python3.Start(t, "logging", "app.big")
		for i := 0; i < 2; i++ {
			id, p := f.Invoke(`{}`, nil)
			var prints, logs int
			for _, s := range p.Output {
				if strings.HasPrefix(s, "print line ") {
					prints++
				} else if l, ok := parseLogLine(s); ok && l.RequestID == id {
					logs++
				}
			}
			if prints != 1000*(i+1) || logs != 1000 || p.Output[len(p.Output)-1] != "stderr tail" {
				t.Errorf("invoke %d: %d print lines, %d log lines of %s, last %q", i, prints, logs, id, p.Output[len(p.Output)-1])
			}
		}
	})
	t.Run("buffered-stdout", func(t *testing.T) {
		t.Parallel()
		f := python3.Start(t, "logging", "app.buffered")
		_, p := f.Invoke(`{}`, nil)
		if p.Kind != "response" || !contains(p.Output, "held in a buffer") {
			t.Errorf("%s %s, output %q", p.Kind, p.Body, p.Output)
		}
	})
	t.Run("error", func(t *testing.T) {
		t.Parallel()
		f := python3.Start(t, "logging", "app.fail")
		id, p := f.Invoke(`{}`, nil)
		n := len(p.Output)
		if p.Kind != "error" || n < 2 || !strings.HasSuffix(p.Output[n-2], "\t"+id+"\tbefore failure") ||
			!strings.HasPrefix(p.Output[n-1], "[ERROR] ValueError: logged failure\rTraceback (most recent call last):\r") {
			t.Errorf("%s %s, output %q", p.Kind, p.Body, p.Output)
		}
	})
}

// sys.exit in a handler ends the process with that code and posts nothing
// (SystemExit is not an Exception; the platform reports Runtime.ExitError,
// runtime.md 2.5).
func TestHandlerSysExit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		handler string
		code    int
	}{{"app.exit3", 3}, {"app.exit0", 0}} {
		t.Run(c.handler, func(t *testing.T) {
			t.Parallel()
			f := python3.Start(t, "errors", c.handler)
			f.Send(runtimetest.Event{ID: runtimetest.NewID(), Body: `{}`})
			if code := f.WaitExit(); code != c.code {
				t.Errorf("exit code %d, want %d", code, c.code)
			}
			select {
			case p := <-f.Posts():
				t.Errorf("unexpected POST %s %s", p.Kind, p.Body)
			default:
			}
			if c.code == 3 && !contains(f.Output(), "about to exit") {
				t.Errorf("output %q", f.Output())
			}
		})
	}
}

// runtime.md 1.3: a 5xx from the Runtime API means "exit promptly".
func TestRuntimeAPIFailure(t *testing.T) {
	t.Parallel()
	f := python3.StartOpts(t, "seed", "lambda_function.lambda_handler", runtimetest.Options{NextStatus: 500})
	if code := f.WaitExit(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	out := f.Output()
	if len(out) != 1 || !strings.HasPrefix(out[0], "kindling-python-bootstrap: GET /2018-06-01/runtime/invocation/next: HTTP 500") {
		t.Errorf("output %q", out)
	}
}

// A Runtime API that closes the connection after every answer: the client
// opens a new one each time (runtime.md 1.1: keep-alive is the client's
// choice, not a requirement).
func TestConnectionClose(t *testing.T) {
	t.Parallel()
	f := python3.StartOpts(t, "counter", "app.handler", runtimetest.Options{CloseConns: true})
	for i := 1; i <= 3; i++ {
		_, p := f.Invoke(`{}`, nil)
		if !strings.HasPrefix(string(p.Body), `{"count": `+strconv.Itoa(i)+`,`) {
			t.Errorf("invoke %d: %s %s", i, p.Kind, p.Body)
		}
	}
}

// Without AWS_LAMBDA_RUNTIME_API there is nothing to talk to.
func TestNoRuntimeAPI(t *testing.T) {
	t.Parallel()
	f := python3.Start(t, "seed", "lambda_function.lambda_handler", "AWS_LAMBDA_RUNTIME_API=")
	if code := f.WaitExit(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if out := f.Output(); !reflect.DeepEqual(out, []string{"kindling-python-bootstrap: AWS_LAMBDA_RUNTIME_API is not set"}) {
		t.Errorf("output %q", out)
	}
}
