package e2e

// The runtime matrix: the same behaviours (success and context, handler
// error, init error, timeout, crash, out of memory, client context,
// environment variables, /tmp, REPORT line) on each runtime family Kindling
// runs: Node.js and Python on Kindling's own bootstraps, Go built with
// aws-lambda-go on provided.al2023, and a shell-script bootstrap on
// provided.al2023. Expected values come from reference/runtime.md and
// reference/lambda-api.md, never from what the server answers.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// matrixJS is the Node.js function of the matrix; the event's op selects
// what it does. instance is drawn once per process.
const matrixJS = `const fs = require("fs");
const instance = require("crypto").randomUUID();
const hog = [];
exports.handler = async (event, context) => {
  const out = { instance };
  switch (event.op) {
  case "ctx":
    return { ...out, requestId: context.awsRequestId, arn: context.invokedFunctionArn, version: context.functionVersion,
      memory: context.memoryLimitInMB, functionName: context.functionName, logGroup: context.logGroupName,
      logStream: context.logStreamName, remainingMs: context.getRemainingTimeInMillis(),
      clientContext: context.clientContext === undefined ? null : context.clientContext };
  case "env":
    return { ...out, names: Object.keys(process.env), greeting: process.env.MATRIX_GREETING ?? null,
      execEnv: process.env.AWS_EXECUTION_ENV ?? null };
  case "tmp": {
    const seen = fs.existsSync("/tmp/matrix-mark");
    fs.writeFileSync("/tmp/matrix-mark", instance);
    if (event.sleepMs) await new Promise(r => setTimeout(r, event.sleepMs));
    return { ...out, seen };
  }
  case "fail": throw new Error("boom matrix");
  case "sleep": await new Promise(r => setTimeout(r, event.ms)); return out;
  case "exit": process.exit(event.code);
  case "oom": for (;;) hog.push(Buffer.alloc(16 << 20, 1)); // outside the V8 heap
  }
  return out;
};
`

// matrixPy is the Python function of the matrix.
const matrixPy = `import os, time, uuid
INSTANCE = uuid.uuid4().hex
hog = []

def handler(event, context):
    op = event.get("op")
    out = {"instance": INSTANCE}
    if op == "ctx":
        cc = context.client_context
        if cc is not None:
            cc = {"custom": cc.custom, "env": cc.env,
                  "client": {"app_title": cc.client.app_title} if cc.client else None}
        out.update(requestId=context.aws_request_id, arn=context.invoked_function_arn,
                   version=context.function_version, memory=context.memory_limit_in_mb,
                   functionName=context.function_name, logGroup=context.log_group_name,
                   logStream=context.log_stream_name, remainingMs=context.get_remaining_time_in_millis(),
                   clientContext=cc)
    elif op == "env":
        out.update(names=sorted(os.environ.keys()), greeting=os.environ.get("MATRIX_GREETING"),
                   execEnv=os.environ.get("AWS_EXECUTION_ENV"))
    elif op == "tmp":
        out["seen"] = os.path.exists("/tmp/matrix-mark")
        with open("/tmp/matrix-mark", "w") as f:
            f.write(INSTANCE)
        time.sleep(event.get("sleepMs", 0) / 1000)
    elif op == "fail":
        raise ValueError("boom matrix")
    elif op == "sleep":
        time.sleep(event["ms"] / 1000)
    elif op == "exit":
        os._exit(event["code"])
    elif op == "oom":
        while True:
            hog.append(b"\x01" * (16 << 20))  # written, so really resident
    return out
`

// matrixShellError is what the shell bootstrap posts to /invocation/error.
const matrixShellError = `{"errorMessage":"boom matrix","errorType":"MatrixError"}`

// matrixSh is the shell-script bootstrap of the matrix: it speaks the
// Runtime API with curl (runtime.md §1.2-§1.4) and exits 1 at start when
// MATRIX_INIT_FAIL is set. Its "oom" op makes the shell itself (the
// runtime process) hold 400 MB read from a pipe.
const matrixSh = `#!/bin/sh
if [ -n "${MATRIX_INIT_FAIL:-}" ]; then
  echo "bootstrap: failing init on purpose" >&2
  exit 1
fi
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
INSTANCE=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
HDRS=$(mktemp)
hdr() { grep -i "^$1:" "$HDRS" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
field() { printf '%s' "$EVENT" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
while true; do
  EVENT=$(curl -sS -D "$HDRS" "$API/invocation/next")
  ID=$(hdr Lambda-Runtime-Aws-Request-Id)
  OP=$(printf '%s' "$EVENT" | sed -n 's/.*"op":"\([a-z]*\)".*/\1/p')
  BODY="{\"instance\":\"$INSTANCE\"}"
  case "$OP" in
  ctx)
    CC=$(hdr Lambda-Runtime-Client-Context)
    [ -n "$CC" ] || CC=null
    DL=$(hdr Lambda-Runtime-Deadline-Ms)
    NOW=$(date +%s%3N)
    BODY="{\"instance\":\"$INSTANCE\",\"requestId\":\"$ID\",\"arn\":\"$(hdr Lambda-Runtime-Invoked-Function-Arn)\",\"version\":\"$AWS_LAMBDA_FUNCTION_VERSION\",\"memory\":\"$AWS_LAMBDA_FUNCTION_MEMORY_SIZE\",\"functionName\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"logGroup\":\"$AWS_LAMBDA_LOG_GROUP_NAME\",\"logStream\":\"$AWS_LAMBDA_LOG_STREAM_NAME\",\"remainingMs\":$((${DL:-0} - NOW)),\"clientContext\":$CC}"
    ;;
  env)
    NAMES=$(tr '\0' '\n' < /proc/$$/environ | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*$/"\1"/p' | paste -sd, -)
    if [ -n "${MATRIX_GREETING+x}" ]; then GR="\"$MATRIX_GREETING\""; else GR=null; fi
    if [ -n "${AWS_EXECUTION_ENV+x}" ]; then EXE="\"$AWS_EXECUTION_ENV\""; else EXE=null; fi
    BODY="{\"instance\":\"$INSTANCE\",\"names\":[$NAMES],\"greeting\":$GR,\"execEnv\":$EXE}"
    ;;
  tmp)
    if [ -e /tmp/matrix-mark ]; then SEEN=true; else SEEN=false; fi
    echo "$INSTANCE" > /tmp/matrix-mark
    MS=$(field sleepMs)
    [ -z "$MS" ] || sleep "$((MS / 1000)).$(printf '%03d' $((MS % 1000)))"
    BODY="{\"instance\":\"$INSTANCE\",\"seen\":$SEEN}"
    ;;
  fail)
    curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Function.MatrixError' \
      --data-binary '` + matrixShellError + `' "$API/invocation/$ID/error"
    continue
    ;;
  sleep) sleep $(($(field ms) / 1000)) ;;
  exit) exit "$(field code)" ;;
  oom) HOG=$(head -c 400M /dev/zero | tr '\0' x) ;;
  esac
  curl -sS -o /dev/null -X POST --data-binary "$BODY" "$API/invocation/$ID/response"
done
`

// matrixReply is what every matrix function answers; each op fills its part.
type matrixReply struct {
	Instance      string          `json:"instance"`
	RequestID     string          `json:"requestId"`
	Arn           string          `json:"arn"`
	Version       string          `json:"version"`
	Memory        any             `json:"memory"`
	FunctionName  string          `json:"functionName"`
	LogGroup      string          `json:"logGroup"`
	LogStream     string          `json:"logStream"`
	RemainingMs   *float64        `json:"remainingMs"`
	ClientContext json.RawMessage `json:"clientContext"`
	Names         []string        `json:"names"`
	Greeting      *string         `json:"greeting"`
	ExecEnv       *string         `json:"execEnv"`
	Seen          bool            `json:"seen"`
}

// matrixFamily is one runtime family and what the reference says it shows.
type matrixFamily struct {
	name    string
	runtime types.Runtime
	handler string
	tools   []string
	// code builds the deployment package of the matrix function.
	code func(t *testing.T) []byte
	// broken is the package and variables of a function whose Init fails.
	broken func(t *testing.T) ([]byte, map[string]string)
	// memory is how the family's context shows MemorySize 128.
	memory any
	// execEnv is AWS_EXECUTION_ENV, nil where Lambda does not set it.
	execEnv *string
	// handlerError checks the body of a handler error.
	handlerError func(t *testing.T, r apiResp)
	// initError checks the body of an invoke whose Init failed; it
	// returns the errorType for the INIT_REPORT line.
	initError func(t *testing.T, r apiResp) string
}

// matrixFn is a family's deployed function and what its cases share.
type matrixFn struct {
	fam      *matrixFamily
	s        *server
	name     string
	cold     apiResp // the first invoke of the function (with the log tail)
	timedOut apiResp // the invoke that timed out
}

func matrixFamilies() []*matrixFamily {
	return []*matrixFamily{
		{
			name: "node", runtime: types.RuntimeNodejs20x, handler: "index.handler",
			code: func(t *testing.T) []byte { return zipOf(t, map[string]string{"index.js": matrixJS}) },
			broken: func(t *testing.T) ([]byte, map[string]string) {
				return zipOf(t, map[string]string{"index.js": "require('not-a-module-matrix');\nexports.handler = async () => 1;\n"}), nil
			},
			memory:  "128",                               // runtime.md §4.4: memoryLimitInMB is a string
			execEnv: aws.String("AWS_Lambda_nodejs20.x"), // runtime.md §2.1
			handlerError: func(t *testing.T, r apiResp) {
				// runtime.md §4.5, §4.7: {errorType: err.name, errorMessage, trace: err.stack lines}.
				m := matrixKeys(t, r, "errorMessage", "errorType", "trace")
				if m["errorType"] != "Error" || m["errorMessage"] != "boom matrix" {
					t.Errorf("errorType %v errorMessage %v, want Error / boom matrix", m["errorType"], m["errorMessage"])
				}
				if tr, _ := m["trace"].([]any); len(tr) == 0 || tr[0] != "Error: boom matrix" {
					t.Errorf("trace %v, want err.stack split into lines, starting with \"Error: boom matrix\"", m["trace"])
				}
			},
			initError: func(t *testing.T, r apiResp) string {
				// runtime.md §4.2 item 4, §4.7: a missing module is
				// Runtime.ImportModuleError with the original error's string.
				m := matrixKeys(t, r, "errorMessage", "errorType", "trace")
				msg, _ := m["errorMessage"].(string)
				if m["errorType"] != "Runtime.ImportModuleError" || !strings.HasPrefix(msg, "Error: Cannot find module 'not-a-module-matrix'") {
					t.Errorf("init error %s", r.body)
				}
				return "Runtime.ImportModuleError"
			},
		},
		{
			name: "python", runtime: types.RuntimePython312, handler: "app.handler",
			tools: []string{"/usr/bin/python3"},
			code:  func(t *testing.T) []byte { return zipOf(t, map[string]string{"app.py": matrixPy}) },
			broken: func(t *testing.T) ([]byte, map[string]string) {
				return zipOf(t, map[string]string{"app.py": "import not_a_module_matrix\n\ndef handler(e, c):\n    return 1\n"}), nil
			},
			memory:  "128",                               // runtime.md §5.3: memory_limit_in_mb is a string
			execEnv: aws.String("AWS_Lambda_python3.12"), // runtime.md §2.1
			handlerError: func(t *testing.T, r apiResp) {
				// runtime.md §5.2: {errorMessage, errorType, requestId, stackTrace}.
				m := matrixKeys(t, r, "errorMessage", "errorType", "requestId", "stackTrace")
				if m["errorType"] != "ValueError" || m["errorMessage"] != "boom matrix" || m["requestId"] != r.header.Get("x-amzn-RequestId") {
					t.Errorf("error body %s, want ValueError / boom matrix / the invoke's request id", r.body)
				}
				st, _ := m["stackTrace"].([]any)
				if len(st) == 0 {
					t.Errorf("stackTrace %v, want traceback.format_list strings", m["stackTrace"])
				}
				for _, f := range st {
					if s, _ := f.(string); !strings.HasPrefix(s, `  File "`) {
						t.Errorf("stackTrace entry %q is not a traceback.format_list string", f)
					}
				}
			},
			initError: func(t *testing.T, r apiResp) string {
				// runtime.md §5.1: Runtime.ImportModuleError "Unable to import
				// module '<m>': <err>"; §5.2: requestId is "" for init errors.
				m := matrixKeys(t, r, "errorMessage", "errorType", "requestId", "stackTrace")
				if m["errorType"] != "Runtime.ImportModuleError" || m["errorMessage"] != "Unable to import module 'app': No module named 'not_a_module_matrix'" || m["requestId"] != "" {
					t.Errorf("init error %s", r.body)
				}
				return "Runtime.ImportModuleError"
			},
		},
		{
			name: "go", runtime: types.RuntimeProvidedal2023, handler: "bootstrap",
			code: buildGoMatrix,
			broken: func(t *testing.T) ([]byte, map[string]string) {
				return buildGoMatrix(t), map[string]string{"MATRIX_INIT_FAIL": "1"}
			},
			memory:  float64(128), // runtime.md §6: lambdacontext.MemoryLimitInMB is an int
			execEnv: nil,          // runtime.md §2.1: not set for provided*
			handlerError: func(t *testing.T, r apiResp) {
				// runtime.md §6 item 7: {"errorMessage": err.Error(), "errorType": "<Go type name>"},
				// errors.New giving errorString; §1.4: the body is forwarded unchanged.
				if want := `{"errorMessage":"boom matrix","errorType":"errorString"}`; string(r.body) != want {
					t.Errorf("error body %s, want %s", r.body, want)
				}
			},
			initError: matrixExitStatus1,
		},
		{
			name: "shell", runtime: types.RuntimeProvidedal2023, handler: "matrix.handler",
			tools: []string{"/usr/bin/curl"},
			code:  func(t *testing.T) []byte { return zipOf(t, map[string]string{"bootstrap*": matrixSh}) },
			broken: func(t *testing.T) ([]byte, map[string]string) {
				return zipOf(t, map[string]string{"bootstrap*": matrixSh}), map[string]string{"MATRIX_INIT_FAIL": "1"}
			},
			memory:  "128", // runtime.md §2.1: AWS_LAMBDA_FUNCTION_MEMORY_SIZE
			execEnv: nil,   // runtime.md §2.1: not set for provided*
			handlerError: func(t *testing.T, r apiResp) {
				// runtime.md §1.4: the body the runtime posted reaches the invoker unchanged.
				if string(r.body) != matrixShellError {
					t.Errorf("error body %s, want exactly what the bootstrap posted: %s", r.body, matrixShellError)
				}
			},
			initError: matrixExitStatus1,
		},
	}
}

// matrixExitStatus1 checks an invoke whose runtime exits 1 during Init:
// runtime.md §1.6, §2.5: {"errorType":"Runtime.ExitError","errorMessage":
// "RequestId: <id> Error: Runtime exited with error: exit status 1"}.
func matrixExitStatus1(t *testing.T, r apiResp) string {
	t.Helper()
	matrixPlatformError(t, r, "Runtime.ExitError", "Runtime exited with error: exit status 1")
	return "Runtime.ExitError"
}

// matrixPlatformError checks an error body the platform builds itself
// (runtime.md §1.6): exactly errorType and errorMessage, the message being
// "RequestId: <id> Error: <what>".
func matrixPlatformError(t *testing.T, r apiResp, errorType, what string) {
	t.Helper()
	m := matrixKeys(t, r, "errorMessage", "errorType")
	want := "RequestId: " + r.header.Get("x-amzn-RequestId") + " Error: " + what
	if m["errorType"] != errorType || m["errorMessage"] != want {
		t.Errorf("body %s\nwant errorType %q errorMessage %q", r.body, errorType, want)
	}
}

// matrixKeys checks a function error (lambda-api.md §4.3: 200 and
// X-Amz-Function-Error: Unhandled) whose body has exactly keys.
func matrixKeys(t *testing.T, r apiResp, keys ...string) map[string]any {
	t.Helper()
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("status %d, X-Amz-Function-Error %q, want 200 Unhandled; body %s", r.status, r.header.Get("X-Amz-Function-Error"), clip(r.body))
	}
	m := r.obj(t)
	if got := jsonKeys(m); !sameStrings(got, sortedCopy(keys)) {
		t.Errorf("error body keys %v, want %v; body %s", got, sortedCopy(keys), clip(r.body))
	}
	return m
}

var goMatrixZip struct {
	once sync.Once
	zip  []byte
	err  error
}

// buildGoMatrix compiles test/e2e/functions/gomatrix (aws-lambda-go) into a
// provided.al2023 package (runtime.md §6: an executable "bootstrap"), once.
func buildGoMatrix(t *testing.T) []byte {
	t.Helper()
	goMatrixZip.once.Do(func() {
		dir, err := os.MkdirTemp("", "gomatrix-")
		if err != nil {
			goMatrixZip.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-o", out, "./test/e2e/functions/gomatrix")
		cmd.Dir = repoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			goMatrixZip.err = fmt.Errorf("build gomatrix: %v\n%s", err, b)
			return
		}
		bin, err := os.ReadFile(out)
		if err != nil {
			goMatrixZip.err = err
			return
		}
		goMatrixZip.zip = zipOf(t, map[string]string{"bootstrap*": string(bin)})
	})
	if goMatrixZip.err != nil {
		t.Fatal(goMatrixZip.err)
	}
	return goMatrixZip.zip
}

// matrixEnvAllowed is every variable name a function may see: runtime.md
// §2.1 (reserved and unreserved), Kindling's AWS_ENDPOINT_URL_LAMBDA, and
// the customer's own.
var matrixEnvAllowed = map[string]bool{
	// runtime.md §2.1, reserved.
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_ACCESS_KEY": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true,
	"LAMBDA_RUNTIME_DIR": true, "TZ": true,
	// runtime.md §2.1, unreserved.
	"LANG": true, "PATH": true, "LD_LIBRARY_PATH": true, "NODE_PATH": true, "PYTHONPATH": true,
	"AWS_XRAY_CONTEXT_MISSING": true, "AWS_XRAY_DAEMON_ADDRESS": true, "_AWS_XRAY_DAEMON_ADDRESS": true,
	"_AWS_XRAY_DAEMON_PORT": true, "AWS_LAMBDA_LOG_FORMAT": true, "AWS_LAMBDA_LOG_LEVEL": true,
	// Kindling: functions reach the service through the SDKs' own variable.
	"AWS_ENDPOINT_URL_LAMBDA": true,
	// The customer's variable.
	"MATRIX_GREETING": true,
}

// matrixLeaks are variables of the test process (and so of the server)
// that must never reach a function (runtime.md §8 item 9: an explicit
// environment, nothing inherited from the service).
var matrixLeaks = []string{"HOME", "USER", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "AWS_CA_BUNDLE", "GOPATH"}

// matrixServer returns the shared server; if this test starts it, the
// server's environment gets the leak sentinels the test process lacks.
func matrixServer(t *testing.T) *server {
	t.Helper()
	if shared == nil {
		ca := "/etc/ssl/certs/ca-certificates.crt"
		sentinel := map[string]string{"HOME": os.TempDir(), "USER": "kindling-e2e", "SSL_CERT_FILE": ca,
			"NODE_EXTRA_CA_CERTS": ca, "AWS_CA_BUNDLE": ca, "GOPATH": filepath.Join(os.TempDir(), "gopath")}
		for k, v := range sentinel {
			if _, ok := os.LookupEnv(k); !ok {
				_ = os.Setenv(k, v)
				defer os.Unsetenv(k) // the server has copied it by then
			}
		}
	}
	return sharedServer(t)
}

// matrixCases are the behaviours checked on every family, in order: the
// ones that reset the environment come last.
var matrixCases = []struct {
	name     string
	needRoot bool // jail, cgroup
	run      func(t *testing.T, f *matrixFn)
}{
	{"success", false, matrixSuccess},
	{"report", false, matrixReport},
	{"qualified", false, matrixQualified},
	{"client_context", false, matrixClientContext},
	{"environment", false, matrixEnvironment},
	{"tmp", true, matrixTmp},
	{"handler_error", false, matrixHandlerError},
	{"timeout", false, matrixTimeout},
	{"timeout_memory", false, matrixTimeoutMemory},
	{"crash", false, matrixCrash},
	{"oom", true, matrixOOM},
	{"init_error", false, matrixInitError},
}

// matrixKnown are the family/case pairs that fail because of a server bug;
// their assertions stay, the subtest is skipped until the fix lands.
var matrixKnown = map[string]string{}

// TestRuntimeMatrix runs matrixCases on each runtime family.
func TestRuntimeMatrix(t *testing.T) {
	s := matrixServer(t)
	defer func() {
		if os.Getenv("MATRIX_DEBUG") != "" && t.Failed() {
			t.Log(s.log.String())
		}
	}()
	for _, fam := range matrixFamilies() {
		t.Run(fam.name, func(t *testing.T) {
			for _, tool := range fam.tools {
				requireTool(t, tool)
			}
			f := &matrixFn{fam: fam, s: s, name: uniqueName("matrix-" + fam.name)}
			createFn(t, s, f.name, fam.code(t), func(in *lambda.CreateFunctionInput) {
				in.Runtime = fam.runtime
				in.Handler = aws.String(fam.handler)
				in.MemorySize = aws.Int32(128)
				in.Timeout = aws.Int32(1)
				in.Environment = &types.Environment{Variables: map[string]string{"MATRIX_GREETING": "hello=matrix"}}
			})
			for _, c := range matrixCases {
				t.Run(c.name, func(t *testing.T) {
					if why, ok := matrixKnown[fam.name+"/"+c.name]; ok {
						t.Skip("KNOWN: " + why)
					}
					if c.needRoot {
						requireRoot(t)
					}
					c.run(t, f)
				})
			}
		})
	}
}

// invoke invokes the matrix function with event (log tail on).
func (f *matrixFn) invoke(t *testing.T, qualifier, event string, hdr map[string]string) apiResp {
	t.Helper()
	h := map[string]string{"X-Amz-Log-Type": "Tail"}
	for k, v := range hdr {
		h[k] = v
	}
	return invokeRaw(t, f.s, f.name, qualifier, []byte(event), h)
}

// ok invokes and expects success (lambda-api.md §4.2: 200, no X-Amz-Function-Error).
func (f *matrixFn) ok(t *testing.T, qualifier, event string, hdr map[string]string) (matrixReply, apiResp) {
	t.Helper()
	r := f.invoke(t, qualifier, event, hdr)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("invoke %s: %d %s %s\nlog:\n%s", event, r.status, r.header.Get("X-Amz-Function-Error"), clip(r.body), matrixLog(r))
	}
	var rep matrixReply
	if err := json.Unmarshal(r.body, &rep); err != nil || rep.Instance == "" {
		t.Fatalf("invoke %s: %v: %s", event, err, clip(r.body))
	}
	return rep, r
}

// instance is the process now serving warm invokes.
func (f *matrixFn) instance(t *testing.T) string {
	t.Helper()
	rep, _ := f.ok(t, "", `{"op":"ping"}`, nil)
	return rep.Instance
}

func matrixLog(r apiResp) string {
	b, _ := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Log-Result"))
	return string(b)
}

// matrixReportLine is a parsed REPORT line.
type matrixReportLine struct {
	durationHundredths int // Duration in 1/100 ms
	billed, memSize    int
	maxUsed            int
	init               bool
	status             string // "", "timeout", "error\tError Type: X"
}

// runtime.md §2.6, §8 item 25: REPORT RequestId: <id>\tDuration: %.2f ms\t
// Billed Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t, then
// Init Duration: %.2f ms\t on an environment's first invoke only, then
// Status: timeout or Status: error\tError Type: X on failures.
var matrixReportRe = regexp.MustCompile(`^REPORT RequestId: (\S+)\tDuration: (\d+)\.(\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(Init Duration: \d+\.\d\d ms\t)?(?:Status: (timeout|error\tError Type: \S+)\t?)?$`)

// matrixReportOf finds and parses the REPORT line of r's request in r's log tail.
func matrixReportOf(t *testing.T, r apiResp) matrixReportLine {
	t.Helper()
	id := r.header.Get("x-amzn-RequestId")
	log := matrixLog(r)
	for _, line := range strings.Split(log, "\n") {
		if !strings.HasPrefix(line, "REPORT RequestId: "+id) {
			continue
		}
		m := matrixReportRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("REPORT line %q does not have the format of runtime.md §2.6", line)
		}
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		rep := matrixReportLine{durationHundredths: n(m[2])*100 + n(m[3]), billed: n(m[4]), memSize: n(m[5]),
			maxUsed: n(m[6]), init: m[7] != "", status: m[8]}
		// runtime.md §2.6: Billed Duration is Duration rounded up to the ms.
		if ceil := (rep.durationHundredths + 99) / 100; rep.billed < ceil {
			t.Errorf("Billed Duration %d ms < Duration %s.%s ms rounded up", rep.billed, m[2], m[3])
		}
		// runtime.md §2.6: Memory Size is the configured MemorySize.
		if rep.memSize != 128 {
			t.Errorf("Memory Size %d MB, want 128", rep.memSize)
		}
		return rep
	}
	t.Fatalf("no REPORT line for %s in the log tail:\n%s", id, log)
	return matrixReportLine{}
}

// matrixMaxUsed checks REPORT's Max Memory Used: runtime.md §8 item 13,
// the cgroup's peak, so at most MemorySize (128) and at least min MB.
func matrixMaxUsed(t *testing.T, r apiResp, min int) {
	t.Helper()
	if rep := matrixReportOf(t, r); rep.maxUsed < min || rep.maxUsed > 128 {
		t.Errorf("Max Memory Used %d MB, want %d..128; log:\n%s", rep.maxUsed, min, matrixLog(r))
	}
}

// matrixLogStreamRe is runtime.md §2.1's log stream name: YYYY/MM/DD/[<version>]<32 hex>.
var matrixLogStreamRe = regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[([^\]]+)\][0-9a-f]{32}$`)

// checkCtx checks the context a ctx op reports for an invoke of qualifier.
func (f *matrixFn) checkCtx(t *testing.T, rep matrixReply, r apiResp, arn, version string) {
	t.Helper()
	// lambda-api.md §1.5: the function's request id is the invoke's x-amzn-RequestId.
	if rep.RequestID != r.header.Get("x-amzn-RequestId") {
		t.Errorf("request id %q, x-amzn-RequestId %q", rep.RequestID, r.header.Get("x-amzn-RequestId"))
	}
	// lambda-api.md §4.2: invoked ARN and version follow the qualifier; X-Amz-Executed-Version.
	if rep.Arn != arn || rep.Version != version || r.header.Get("X-Amz-Executed-Version") != version {
		t.Errorf("arn %q version %q executed %q, want %q %q", rep.Arn, rep.Version, r.header.Get("X-Amz-Executed-Version"), arn, version)
	}
	// runtime.md §4.4, §5.3, §6, §2.1: memory as the family shows it.
	if rep.Memory != f.fam.memory {
		t.Errorf("memory %#v, want %#v", rep.Memory, f.fam.memory)
	}
	// runtime.md §2.1: function name, log group /aws/lambda/<name>, log stream YYYY/MM/DD/[<version>]<32 hex>.
	if rep.FunctionName != f.name || rep.LogGroup != "/aws/lambda/"+f.name {
		t.Errorf("function name %q log group %q", rep.FunctionName, rep.LogGroup)
	}
	if m := matrixLogStreamRe.FindStringSubmatch(rep.LogStream); m == nil || m[1] != version {
		t.Errorf("log stream %q, want YYYY/MM/DD/[%s]<32 hex>", rep.LogStream, version)
	}
	// runtime.md §1.2, §2.4: the deadline is start + Timeout (1 s).
	if rep.RemainingMs == nil || *rep.RemainingMs <= 0 || *rep.RemainingMs > 1000 {
		t.Errorf("remaining time %v ms, want within the 1 s timeout", rep.RemainingMs)
	}
}

func matrixSuccess(t *testing.T, f *matrixFn) {
	rep, r := f.ok(t, "", `{"op":"ctx"}`, nil)
	f.cold = r
	f.checkCtx(t, rep, r, fnARN(f.name), "$LATEST")
	// runtime.md §4.4, §5.3: no X-Amz-Client-Context, no client context.
	if s := string(rep.ClientContext); s != "" && s != "null" {
		t.Errorf("client context %s without X-Amz-Client-Context", s)
	}
}

func matrixReport(t *testing.T, f *matrixFn) {
	if f.cold.header == nil {
		t.Fatal("no cold invoke to look at (success failed)")
	}
	// runtime.md §2.6: Init Duration only on an environment's first invoke.
	if rep := matrixReportOf(t, f.cold); !rep.init || rep.status != "" {
		t.Errorf("cold REPORT: Init Duration %v, status %q; log:\n%s", rep.init, rep.status, matrixLog(f.cold))
	}
	matrixMaxUsed(t, f.cold, 1) // a process ran
	_, r := f.ok(t, "", `{"op":"ping"}`, nil)
	if rep := matrixReportOf(t, r); rep.init || rep.status != "" {
		t.Errorf("warm REPORT: Init Duration %v, status %q; log:\n%s", rep.init, rep.status, matrixLog(r))
	}
	matrixMaxUsed(t, r, 1)
	// runtime.md §2.6: START RequestId: <id> Version: $LATEST and END RequestId: <id>.
	id, log := r.header.Get("x-amzn-RequestId"), matrixLog(r)
	if !strings.Contains(log, "START RequestId: "+id+" Version: $LATEST\n") || !strings.Contains(log, "END RequestId: "+id+"\n") {
		t.Errorf("START/END lines missing:\n%s", log)
	}
}

func matrixQualified(t *testing.T, f *matrixFn) {
	v := publish(t, f.s, f.name)
	rep, r := f.ok(t, v, `{"op":"ctx"}`, nil)
	// lambda-api.md §4.2: Qualifier=1 -> ARN ...:1, version 1, ExecutedVersion 1.
	f.checkCtx(t, rep, r, qARN(f.name, v), v)
	// runtime.md §2.6: START shows the executed version.
	if log := matrixLog(r); !strings.Contains(log, "START RequestId: "+rep.RequestID+" Version: "+v+"\n") {
		t.Errorf("START line for version %s missing:\n%s", v, log)
	}
}

func matrixClientContext(t *testing.T, f *matrixFn) {
	sent := `{"custom":{"k":"v"},"env":{"platform":"e2e"},"client":{"app_title":"matrix"}}`
	// lambda-api.md §4.1: base64 in X-Amz-Client-Context; runtime.md §1.2:
	// decoded into Lambda-Runtime-Client-Context; §4.4, §5.3, §6: parsed by the runtime.
	rep, _ := f.ok(t, "", `{"op":"ctx"}`, map[string]string{"X-Amz-Client-Context": base64.StdEncoding.EncodeToString([]byte(sent))})
	var got struct {
		Custom map[string]string `json:"custom"`
		Env    map[string]string `json:"env"`
		Client struct {
			AppTitle string `json:"app_title"`
		} `json:"client"`
	}
	if err := json.Unmarshal(rep.ClientContext, &got); err != nil || got.Custom["k"] != "v" || got.Env["platform"] != "e2e" || got.Client.AppTitle != "matrix" {
		t.Errorf("client context seen by the function: %s (%v), sent %s", rep.ClientContext, err, sent)
	}
}

func matrixEnvironment(t *testing.T, f *matrixFn) {
	rep, _ := f.ok(t, "", `{"op":"env"}`, nil)
	// Customer variables reach the function, '=' in the value included (runtime.md §8 item 30).
	if rep.Greeting == nil || *rep.Greeting != "hello=matrix" {
		t.Errorf("MATRIX_GREETING = %v, want hello=matrix", rep.Greeting)
	}
	// runtime.md §2.1: AWS_EXECUTION_ENV for managed runtimes only.
	if (rep.ExecEnv == nil) != (f.fam.execEnv == nil) || (rep.ExecEnv != nil && *rep.ExecEnv != *f.fam.execEnv) {
		t.Errorf("AWS_EXECUTION_ENV = %v, want %v", matrixStr(rep.ExecEnv), matrixStr(f.fam.execEnv))
	}
	if len(rep.Names) == 0 {
		t.Fatalf("the function saw no variables at all")
	}
	// runtime.md §2.1, §8 items 9-10: an explicit environment of Lambda's variables.
	var extra []string
	for _, n := range rep.Names {
		if !matrixEnvAllowed[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("variables outside runtime.md §2.1 (+ AWS_ENDPOINT_URL_LAMBDA + the customer's): %v", extra)
	}
	for _, n := range matrixLeaks {
		for _, got := range rep.Names {
			if got == n {
				t.Errorf("the test process's %s leaked into the function", n)
			}
		}
	}
}

func matrixStr(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

func matrixTmp(t *testing.T, f *matrixFn) {
	// runtime.md §2.2, §2.3: /tmp persists across warm invokes.
	first, _ := f.ok(t, "", `{"op":"tmp"}`, nil)
	second, _ := f.ok(t, "", `{"op":"tmp"}`, nil)
	if second.Instance != first.Instance || !second.Seen {
		t.Fatalf("warm invoke: instance %s then %s, /tmp file seen %v", first.Instance, second.Instance, second.Seen)
	}
	warm := first.Instance
	// runtime.md §2.3: one invocation at a time per environment, so two
	// overlapping invokes run in two environments, each with its own /tmp
	// (runtime.md §8 item 12): only the warm one has the file.
	var wg sync.WaitGroup
	reps := make([]matrixReply, 2)
	errs := make([]error, 2)
	for i := range reps {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := signedDo(f.s, "POST", fnPath(f.name)+"/invocations", []byte(`{"op":"tmp","sleepMs":600}`), nil)
			if err == nil && (r.status != 200 || r.header.Get("X-Amz-Function-Error") != "") {
				err = fmt.Errorf("%d %s %s", r.status, r.header.Get("X-Amz-Function-Error"), clip(r.body))
			}
			if err == nil {
				err = json.Unmarshal(r.body, &reps[i])
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent invoke: %v", err)
		}
	}
	if reps[0].Instance == reps[1].Instance {
		t.Fatalf("two overlapping invokes ran in one process %s", reps[0].Instance)
	}
	for _, rep := range reps {
		if rep.Seen != (rep.Instance == warm) {
			t.Errorf("environment %s (warm one: %v) saw the warm environment's /tmp file: %v", rep.Instance, rep.Instance == warm, rep.Seen)
		}
	}
}

func matrixHandlerError(t *testing.T, f *matrixFn) {
	before := f.instance(t)
	r := f.invoke(t, "", `{"op":"fail"}`, nil)
	f.fam.handlerError(t, r)
	// runtime.md §1.4, §8 item 19: /invocation/error does not reset the environment.
	if after := f.instance(t); after != before {
		t.Errorf("a handler error replaced the process (%s -> %s)", before, after)
	}
}

func matrixTimeout(t *testing.T, f *matrixFn) {
	before := f.instance(t)
	r := f.invoke(t, "", `{"op":"sleep","ms":3000}`, nil)
	f.timedOut = r
	// runtime.md §2.4, §8 item 17; lambda-api.md §4.3: Sandbox.Timedout, "Task timed out after 1.00 seconds".
	matrixPlatformError(t, r, "Sandbox.Timedout", "Task timed out after 1.00 seconds")
	// runtime.md §2.4, §2.6: the REPORT line ends with Status: timeout.
	if rep := matrixReportOf(t, r); rep.status != "timeout" {
		t.Errorf("REPORT status %q, want timeout; log:\n%s", rep.status, matrixLog(r))
	}
	// runtime.md §2.4: the environment is reset; the next invoke re-inits.
	if after := f.instance(t); after == before {
		t.Errorf("the next invoke ran in the timed-out process %s", after)
	}

}

// matrixTimeoutMemory checks the timed-out invoke's Max Memory Used: the
// runtime was alive for the whole second, so its peak is not 0.
func matrixTimeoutMemory(t *testing.T, f *matrixFn) {
	if f.timedOut.header == nil {
		t.Fatal("no timed-out invoke to look at (timeout failed)")
	}
	matrixMaxUsed(t, f.timedOut, 1)
}

func matrixCrash(t *testing.T, f *matrixFn) {
	before := f.instance(t)
	r := f.invoke(t, "", `{"op":"exit","code":3}`, nil)
	// runtime.md §1.6, §2.5, §8 item 18.
	matrixPlatformError(t, r, "Runtime.ExitError", "Runtime exited with error: exit status 3")
	// runtime.md §2.5: the environment is reset; the next invoke re-inits.
	if after := f.instance(t); after == before {
		t.Errorf("the next invoke ran in the exited process %s", after)
	}
}

func matrixOOM(t *testing.T, f *matrixFn) {
	before := f.instance(t)
	r := f.invoke(t, "", `{"op":"oom"}`, nil)
	// runtime.md §2.5, §8 item 13: killed at MemorySize by the cgroup, reported as Runtime.OutOfMemory.
	m := matrixKeys(t, r, "errorMessage", "errorType")
	if m["errorType"] != "Runtime.OutOfMemory" {
		t.Errorf("errorType %v, want Runtime.OutOfMemory; body %s", m["errorType"], r.body)
	}
	// runtime.md §2.6: Status: error\tError Type: <type>; §8 item 13: Max
	// Memory Used from the cgroup peak, which reached the 128 MB limit (at
	// least half of it, whatever the accounting).
	if rep := matrixReportOf(t, r); rep.status != "error\tError Type: Runtime.OutOfMemory" {
		t.Errorf("REPORT status %q, want error\\tError Type: Runtime.OutOfMemory; log:\n%s", rep.status, matrixLog(r))
	}
	matrixMaxUsed(t, r, 64)
	if after := f.instance(t); after == before {
		t.Errorf("the next invoke ran in the killed process %s", after)
	}
}

func matrixInitError(t *testing.T, f *matrixFn) {
	zip, env := f.fam.broken(t)
	name := uniqueName("matrix-" + f.fam.name + "-init")
	createFn(t, f.s, name, zip, func(in *lambda.CreateFunctionInput) {
		in.Runtime = f.fam.runtime
		in.Handler = aws.String(f.fam.handler)
		in.Timeout = aws.Int32(3)
		if env != nil {
			in.Environment = &types.Environment{Variables: env}
		}
	})
	r := invokeRaw(t, f.s, name, "", []byte(`{"op":"ping"}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	errType := f.fam.initError(t, r)
	// runtime.md §1.5, §2.5, §2.6: Init is retried inside the invoke and logged as
	// INIT_REPORT Init Duration: <ms> ms\tPhase: invoke\tStatus: error\tError Type: <type>.
	line := regexp.MustCompile(`(?m)^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: error\tError Type: ` + regexp.QuoteMeta(errType) + `\t?$`)
	if log := matrixLog(r); !line.MatchString(log) {
		t.Errorf("no INIT_REPORT ... Phase: invoke ... Error Type: %s line in:\n%s", errType, log)
	}
	// runtime.md §1.5: later invokes fail the same way.
	r = invokeRaw(t, f.s, name, "", []byte(`{"op":"ping"}`), nil)
	if got := f.fam.initError(t, r); got != errType {
		t.Errorf("second invoke: %s", r.body)
	}
}
