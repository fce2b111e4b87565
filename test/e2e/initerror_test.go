package e2e

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
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
