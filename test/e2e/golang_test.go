package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// buildGoFunction compiles test/e2e/functions/golambda (aws-lambda-go's
// lambda.Start) into a provided.al2023 package.
func buildGoFunction(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-o", out, "./test/e2e/functions/golambda")
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build go function: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, map[string]string{"bootstrap*": string(bin)})
}

// A Go function built with aws-lambda-go runs unchanged on provided.al2023
// through the Runtime API (reference/runtime.md §6, §8 item 29).
func TestGoFunctionWithAWSLambdaGo(t *testing.T) {
	s := sharedServer(t)
	c := sdk(s)
	ctx := context.Background()
	name := uniqueName("golambda")
	createFn(t, s, name, buildGoFunction(t), func(in *lambda.CreateFunctionInput) {
		in.Runtime = types.RuntimeProvidedal2023
		in.Handler = aws.String("bootstrap")
		in.MemorySize = aws.Int32(256)
		in.Timeout = aws.Int32(2)
		in.Environment = &types.Environment{Variables: map[string]string{"GREETING_ENV": "from-config"}}
	})

	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	r := invokeRaw(t, s, name, "", []byte(`{"name":"Gopher"}`), map[string]string{"X-Amz-Client-Context": cc, "X-Amz-Log-Type": "Tail"})
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("invoke: %d %s", r.status, r.body)
	}
	var rep struct {
		Greeting, RequestID, FunctionArn, Function, Version, Env string
		MemoryMB                                                 int
		RemainingMs                                              int64
		ClientCustom                                             map[string]string
		Invocations                                              int
		TmpSeenBefore                                            bool
	}
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatalf("payload %s: %v", r.body, err)
	}
	// reference/lambda-api.md §1.5: the function's request id is the invoke's x-amzn-RequestId.
	if rep.Greeting != "Hello Gopher" || rep.RequestID != r.header.Get("x-amzn-RequestId") || rep.FunctionArn != fnARN(name) ||
		rep.Function != name || rep.Version != "$LATEST" || rep.MemoryMB != 256 || rep.Env != "from-config" ||
		rep.ClientCustom["k"] != "v" || rep.RemainingMs <= 0 || rep.RemainingMs > 2000 {
		t.Fatalf("context seen by the function: %+v", rep)
	}
	log, _ := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Log-Result"))
	if !strings.Contains(string(log), "handling "+rep.RequestID) {
		t.Fatalf("log tail lacks the function's output: %q", log)
	}
	// Warm: the same process, /tmp kept.
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"name":"again"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Payload, &rep); err != nil || rep.Invocations != 2 || !rep.TmpSeenBefore {
		t.Fatalf("warm invoke: %+v %v", rep, err)
	}

	// A returned error: 200 + Unhandled + the runtime's own error body.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"fail":"no gophers"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"no gophers"`) {
		t.Fatalf("error: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	// A timeout resets the environment (reference/lambda-api.md §4.3).
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"sleepMs":3000}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out.Payload), "Task timed out after 2.00 seconds") {
		t.Fatalf("timeout: %s", out.Payload)
	}
	// A panic: aws-lambda-go reports it and exits; the next invoke works.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"panic":true}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("panic: %v %s", err, out.Payload)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"name":"after"}`)})
	if err != nil || out.FunctionError != nil || !strings.Contains(string(out.Payload), "Hello after") {
		t.Fatalf("after panic: %v %s", err, out.Payload)
	}

	// WithEnableSIGTERM registered an extension: when the environment is
	// retired (here by a configuration change) the runtime gets SIGTERM
	// before it is killed (reference/runtime.md §2.3 Shutdown).
	updateDescription(t, s, name, "retire the environment")
	eventually(t, 10*time.Second, "the SIGTERM hook to run", func() bool {
		return strings.Contains(s.log.String(), "SIGTERM received")
	})
}
