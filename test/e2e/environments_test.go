package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// stateJS reports its process, a per-process counter and a /tmp file that
// survives warm invokes; it sleeps when asked to.
const stateJS = `
const fs = require("fs");
let count = 0;
exports.handler = async (event) => {
  count++;
  const f = "/tmp/kindling-e2e-" + process.pid;
  const seen = fs.existsSync(f);
  fs.writeFileSync(f, "x");
  if (event.sleepMs) await new Promise(r => setTimeout(r, event.sleepMs));
  return { pid: process.pid, count, seen };
};
`

type stateReply struct {
	Pid   int  `json:"pid"`
	Count int  `json:"count"`
	Seen  bool `json:"seen"`
}

func deploy(t *testing.T, c *lambda.Client, name string, files map[string]string, runtime types.Runtime, handler string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: runtime, Handler: aws.String(handler),
		Role: aws.String("arn:aws:iam::000000000000:role/e2e"),
		Code: &types.FunctionCode{ZipFile: zipOf(t, files)},
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	})
	w := lambda.NewFunctionActiveV2Waiter(c)
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, time.Minute); err != nil {
		t.Fatalf("wait active %s: %v", name, err)
	}
}

func invokeState(t *testing.T, c *lambda.Client, name string, sleepMs int) stateReply {
	t.Helper()
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name),
		Payload: []byte(`{"sleepMs":` + itoa(sleepMs) + `}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error: %s", out.Payload)
	}
	var r stateReply
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	return r
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Warm environments are reused: globals and /tmp survive
// (reference/runtime.md §2.3 Freeze/thaw).
func TestWarmReuse(t *testing.T) {
	s := sharedServer(t)
	c := sdk(s)
	deploy(t, c, "env-warm", map[string]string{"index.js": stateJS}, types.RuntimeNodejs20x, "index.handler")
	first := invokeState(t, c, "env-warm", 0)
	second := invokeState(t, c, "env-warm", 0)
	if first.Pid != second.Pid || second.Count != first.Count+1 || !second.Seen {
		t.Fatalf("not reused: %+v then %+v", first, second)
	}
	_ = os.Remove("/tmp/kindling-e2e-" + itoa(first.Pid))
}

// Concurrent invocations of one function get their own environments: an
// environment serves one invocation at a time (reference/runtime.md §2.3).
func TestConcurrentInvokesGetOwnEnvironments(t *testing.T) {
	s := sharedServer(t)
	c := sdk(s)
	deploy(t, c, "env-concurrent", map[string]string{"index.js": stateJS}, types.RuntimeNodejs20x, "index.handler")
	const n = 4
	var mu sync.Mutex
	pids := map[int]bool{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := invokeState(t, c, "env-concurrent", 700)
			mu.Lock()
			pids[r.Pid] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(pids) != n {
		t.Fatalf("%d concurrent invokes ran in %d environments", n, len(pids))
	}
	for pid := range pids {
		_ = os.Remove("/tmp/kindling-e2e-" + itoa(pid))
	}
}

// Idle environments are reaped after --idle-timeout.
func TestIdleEnvironmentsAreReaped(t *testing.T) {
	s := startServer(t, t.TempDir(), "--idle-timeout", "500ms")
	defer s.stop()
	c := sdk(s)
	deploy(t, c, "env-idle", map[string]string{"index.js": stateJS}, types.RuntimeNodejs20x, "index.handler")
	r := invokeState(t, c, "env-idle", 0)
	eventually(t, 15*time.Second, "the idle runtime to be stopped", func() bool {
		_, err := os.Stat(filepath.Join("/proc", itoa(r.Pid)))
		return os.IsNotExist(err)
	})
	if again := invokeState(t, c, "env-idle", 0); again.Pid == r.Pid || again.Count != 1 {
		t.Fatalf("after reaping: %+v", again)
	}
	_ = os.Remove("/tmp/kindling-e2e-" + itoa(r.Pid))
}

// A custom runtime: a shell-script bootstrap speaking the Runtime API with
// curl (reference/runtime.md §1).
func TestShellBootstrap(t *testing.T) {
	requireTool(t, "/usr/bin/curl")
	s := sharedServer(t)
	c := sdk(s)
	bootstrap := `#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS=$(mktemp)
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)
  echo "handling $ID"
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\"echo\":$EVENT,\"handler\":\"$_HANDLER\"}"
  rm -f "$HEADERS"
done
`
	deploy(t, c, "env-shell", map[string]string{"bootstrap*": bootstrap}, types.RuntimeProvidedal2023, "my.handler")
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("env-shell"), Payload: []byte(`{"a":1}`),
		LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Payload) != `{"echo":{"a":1},"handler":"my.handler"}` || out.FunctionError != nil {
		t.Fatalf("payload %s", out.Payload)
	}
	if !strings.Contains(decodeLog(t, out.LogResult), "handling ") {
		t.Fatalf("log lacks the bootstrap's output: %q", decodeLog(t, out.LogResult))
	}
}

// A provided runtime without an executable bootstrap fails with
// Runtime.InvalidEntrypoint (reference/runtime.md §2.2).
func TestMissingBootstrap(t *testing.T) {
	s := sharedServer(t)
	c := sdk(s)
	deploy(t, c, "env-nobootstrap", map[string]string{"bootstrap": "#!/bin/sh\n"}, types.RuntimeProvidedal2023, "x")
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("env-nobootstrap")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"Runtime.InvalidEntrypoint"`) {
		t.Fatalf("got %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func decodeLog(t *testing.T, b64 *string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(b64))
	if err != nil {
		t.Fatalf("LogResult: %v", err)
	}
	return string(b)
}
