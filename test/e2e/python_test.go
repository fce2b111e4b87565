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

const pythonApp = `import json, logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)
count = 0

def handler(event, context):
    global count
    count += 1
    if event.get("fail"):
        raise ValueError(event["fail"])
    seen = os.path.exists("/tmp/mark")
    open("/tmp/mark", "w").write("x")
    logger.info("handled %s", event.get("name"))
    print("plain print")
    cc = context.client_context.custom if context.client_context else None
    return {"statusCode": 200, "body": "Hello " + str(event.get("name")), "count": count, "seen": seen,
            "requestId": context.aws_request_id, "arn": context.invoked_function_arn,
            "version": context.function_version, "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis() > 0, "custom": cc,
            "env": os.environ.get("GREETING"), "runtime": os.environ.get("AWS_EXECUTION_ENV")}
`

// Python functions run on Kindling's own bootstrap with the official
// runtime client's behaviour (reference/runtime.md §5).
func TestPythonFunction(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("py")
	createFn(t, s, name, zipOf(t, map[string]string{"src/app.py": pythonApp}), func(in *lambda.CreateFunctionInput) {
		in.Runtime = types.RuntimePython312
		in.Handler = aws.String("src/app.handler")
		in.Environment = &types.Environment{Variables: map[string]string{"GREETING": "hi"}}
	})
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	r := invokeRaw(t, s, name, "", []byte(`{"name":"Py"}`), map[string]string{"X-Amz-Log-Type": "Tail", "X-Amz-Client-Context": cc})
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("invoke: %d %s", r.status, r.body)
	}
	// reference/runtime.md §5.2, §7: json.dumps with the default separators.
	if !strings.HasPrefix(string(r.body), `{"statusCode": 200, "body": "Hello Py", "count": 1, "seen": false, `) {
		t.Fatalf("body %s", r.body)
	}
	m := r.obj(t)
	if m["requestId"] != r.header.Get("x-amzn-RequestId") || m["arn"] != fnARN(name) || m["version"] != "$LATEST" ||
		m["memory"] != "128" || m["remaining"] != true || m["env"] != "hi" || m["runtime"] != "AWS_Lambda_python3.12" ||
		m["custom"].(map[string]any)["k"] != "v" {
		t.Fatalf("context: %s", r.body)
	}
	log, _ := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Log-Result"))
	// reference/runtime.md §5.4: [LEVEL]\t<time>\t<request id>\t<message>.
	line := regexp.MustCompile(`\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + regexp.QuoteMeta(r.header.Get("x-amzn-RequestId")) + `\thandled Py\n`)
	if !line.Match(log) || !strings.Contains(string(log), "plain print\n") {
		t.Fatalf("log:\n%s", log)
	}
	// Warm: same interpreter, /tmp kept.
	r = invokeRaw(t, s, name, "", []byte(`{"name":"again"}`), nil)
	if m := r.obj(t); m["count"] != float64(2) || m["seen"] != true {
		t.Fatalf("warm: %s", r.body)
	}
	// reference/runtime.md §5.2: {errorMessage, errorType, requestId, stackTrace}.
	r = invokeRaw(t, s, name, "", []byte(`{"fail":"bad input"}`), nil)
	m = r.obj(t)
	if r.header.Get("X-Amz-Function-Error") != "Unhandled" || m["errorType"] != "ValueError" || m["errorMessage"] != "bad input" ||
		m["requestId"] != r.header.Get("x-amzn-RequestId") || len(m["stackTrace"].([]any)) == 0 {
		t.Fatalf("error: %s", r.body)
	}

	// An import error answers Runtime.ImportModuleError (reference/runtime.md §5.1).
	broken := uniqueName("pybroken")
	createFn(t, s, broken, zipOf(t, map[string]string{"app.py": "import not_a_module\ndef handler(e, c):\n    return 1\n"}), func(in *lambda.CreateFunctionInput) {
		in.Runtime = types.RuntimePython311
		in.Handler = aws.String("app.handler")
	})
	r = invokeRaw(t, s, broken, "", []byte(`{}`), nil)
	m = r.obj(t)
	if m["errorType"] != "Runtime.ImportModuleError" || !strings.HasPrefix(m["errorMessage"].(string), "Unable to import module 'app': No module named 'not_a_module'") {
		t.Fatalf("import error: %s", r.body)
	}
}
