package e2e

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A failing Init is retried inside the invocation ("suppressed init") and,
// failing again, its error is the invocation's payload; the log shows both
// attempts as INIT_REPORT lines (reference/runtime.md §1.5, §2.5, §2.6).
func TestInitErrorIsRetriedThenReported(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("initerr")
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": "console.log('loading');\nexports.handler = async () => { return 1 +; };\n"}))
	r := invokeRaw(t, s, name, "", []byte(`{}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("status %d, function error %q", r.status, r.header.Get("X-Amz-Function-Error"))
	}
	// reference/runtime.md §4.7: a syntax error is Runtime.UserCodeSyntaxError.
	if m := r.obj(t); m["errorType"] != "Runtime.UserCodeSyntaxError" {
		t.Fatalf("body %s", r.body)
	}
	b, _ := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Log-Result"))
	log := string(b)
	report := regexp.MustCompile(`INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: (init|invoke)\tStatus: error\tError Type: Runtime.UserCodeSyntaxError`)
	phases := report.FindAllStringSubmatch(log, -1)
	if len(phases) != 2 || phases[0][1] != "init" || phases[1][1] != "invoke" {
		t.Fatalf("INIT_REPORT lines %v in log:\n%s", phases, log)
	}
	if strings.Count(log, "INIT_START Runtime Version: nodejs20.x") != 2 || !strings.Contains(log, "REPORT RequestId: ") {
		t.Fatalf("log:\n%s", log)
	}
}

// Init is limited to 10 s; a timed-out Init is retried inside the
// invocation, bounded by the function's timeout (reference/runtime.md §2.3,
// §2.5: INIT_REPORT ... Status: timeout).
func TestInitTimeout(t *testing.T) {
	requireHeavy(t)
	s := sharedServer(t)
	name := uniqueName("slowinit")
	bootstrap := "#!/bin/sh\nsleep 30\n"
	createFn(t, s, name, zipOf(t, map[string]string{"bootstrap*": bootstrap}), func(in *lambda.CreateFunctionInput) {
		in.Runtime = types.RuntimeProvidedal2023
		in.Handler = aws.String("x")
		in.Timeout = aws.Int32(2)
	})
	r := invokeRaw(t, s, name, "", []byte(`{}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.obj(t)
	if m["errorType"] != "Sandbox.Timedout" || m["errorMessage"] != "RequestId: "+r.header.Get("x-amzn-RequestId")+" Error: Task timed out after 2.00 seconds" {
		t.Fatalf("body %s", r.body)
	}
	b, _ := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Log-Result"))
	re := regexp.MustCompile(`INIT_REPORT Init Duration: (\d+)\.\d\d ms\tPhase: (init|invoke)\tStatus: timeout`)
	got := re.FindAllStringSubmatch(string(b), -1)
	if len(got) != 2 || got[0][2] != "init" || got[1][2] != "invoke" || len(got[0][1]) < 5 { // the first attempt ran ~10000 ms
		t.Fatalf("INIT_REPORT lines %v in\n%s", got, b)
	}
}
