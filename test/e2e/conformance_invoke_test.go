package e2e

// Conformance of Invoke and InvokeAsync with reference/lambda-api.md §4.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// padded returns a JSON object of exactly n bytes: {"pad":"xxx..."} plus extra members.
func paddedJSON(n int, extra string) []byte {
	head := `{` + extra + `"pad":"`
	tail := `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestConformanceInvokeBasics(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("invoke")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Publish = true })

	// lambda-api.md §4.2: 200, the function's result, X-Amz-Executed-Version,
	// Content-Type application/json; no FunctionError/LogResult.
	// §1.3: the CLI sends no Content-Type and, without --payload, an empty body: it reaches the handler as {}.
	res, r := invokeEcho(t, s, name, "", "")
	if r.header.Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("X-Amz-Executed-Version = %q, want $LATEST", r.header.Get("X-Amz-Executed-Version"))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	for _, h := range []string{"X-Amz-Function-Error", "X-Amz-Log-Result"} {
		if v, ok := r.header[h]; ok {
			t.Errorf("%s present on a plain success: %v", h, v)
		}
	}
	if res.Event == nil || len(res.Event) != 0 {
		t.Errorf("empty body reached the handler as %v, want {}", res.Event)
	}
	// §1.5: x-amzn-RequestId is the function's aws_request_id.
	if res.RequestID != r.header.Get("x-amzn-RequestId") {
		t.Errorf("context request id %q != x-amzn-RequestId %q", res.RequestID, r.header.Get("x-amzn-RequestId"))
	}
	// §4.2: an unqualified invoke sees the unqualified ARN and $LATEST.
	if res.Arn != fnARN(name) || res.Version != "$LATEST" {
		t.Errorf("unqualified invoke: arn %q version %q", res.Arn, res.Version)
	}
	// §4.2: the context carries the function name and log group /aws/lambda/<name>;
	// without X-Amz-Client-Context the client context is null.
	if res.Function != name || res.LogGroup != "/aws/lambda/"+name || res.ClientCtx != nil {
		t.Errorf("context: function %q log group %q client context %v", res.Function, res.LogGroup, res.ClientCtx)
	}
	// §4.1: X-Amz-Client-Context (base64) is passed to synchronous invocations.
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"a":1}}`))
	r = invokeRaw(t, s, name, "", []byte(`{}`), map[string]string{"X-Amz-Client-Context": cc})
	var withCC echoResult
	if err := json.Unmarshal(r.body, &withCC); err != nil || withCC.ClientCtx == nil || !strings.Contains(*withCC.ClientCtx, `"a":1`) {
		t.Errorf("client context reached the handler as %v (%s)", withCC.ClientCtx, r.body)
	}
	// The payload reaches the handler unchanged.
	res, _ = invokeEcho(t, s, name, "", `{"name": "John Smith", "n": [1, 2]}`)
	if !reflect.DeepEqual(res.Event, map[string]any{"name": "John Smith", "n": []any{1.0, 2.0}}) {
		t.Errorf("event %v", res.Event)
	}
	// §4.2: Qualifier=1 -> ExecutedVersion 1, invoked ARN ...:1, function_version 1.
	res, r = invokeEcho(t, s, name, "1", `{}`)
	if r.header.Get("X-Amz-Executed-Version") != "1" || res.Arn != qARN(name, "1") || res.Version != "1" {
		t.Errorf("Qualifier=1: executed %q arn %q version %q", r.header.Get("X-Amz-Executed-Version"), res.Arn, res.Version)
	}
	// The qualifier may also come in the name, and as a full ARN.
	r = signedCall(t, s, "POST", "/2015-03-31/functions/"+strings.ReplaceAll(qARN(name, "1"), ":", "%3A")+"/invocations", []byte(`{}`), nil)
	if r.status != 200 || r.header.Get("X-Amz-Executed-Version") != "1" {
		t.Errorf("invoke by version ARN: %d executed %q", r.status, r.header.Get("X-Amz-Executed-Version"))
	}
	r = signedCall(t, s, "POST", "/2015-03-31/functions/"+name+"%3A%24LATEST/invocations?Qualifier=%24LATEST", []byte(`{}`), nil)
	if r.status != 200 || r.header.Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("invoke name:$LATEST?Qualifier=$LATEST (§1.2): %d executed %q", r.status, r.header.Get("X-Amz-Executed-Version"))
	}

	// §4.2: a handler returning undefined -> the 4 bytes null.
	r = invokeRaw(t, s, name, "", []byte(`{"undef": true}`), nil)
	if r.status != 200 || string(r.body) != "null" || r.header.Get("X-Amz-Function-Error") != "" {
		t.Errorf("undefined result: %d %q %q", r.status, r.body, r.header.Get("X-Amz-Function-Error"))
	}

	// §4.3: a throwing handler -> 200, Unhandled, {errorType, errorMessage, trace}.
	r = invokeRaw(t, s, name, "", []byte(`{"throw": "some_error_msg"}`), nil)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("throwing handler: %d FunctionError %q", r.status, r.header.Get("X-Amz-Function-Error"))
	}
	if r.header.Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("throwing handler: X-Amz-Executed-Version %q", r.header.Get("X-Amz-Executed-Version"))
	}
	e := r.obj(t)
	if got := jsonKeys(e); !sameStrings(got, []string{"errorMessage", "errorType", "trace"}) {
		t.Errorf("Node.js error keys %v: %s", got, r.body)
	}
	if msg, _ := e["errorMessage"].(string); e["errorType"] != "Error" || !strings.Contains(msg, "some_error_msg") {
		t.Errorf("Node.js error %s", r.body)
	}
	if tr, ok := e["trace"].([]any); !ok || len(tr) == 0 {
		t.Errorf("trace %v", e["trace"])
	}
	// The SDK reads FunctionError from the header.
	out, err := sdk(s).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"throw": "x"}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || out.StatusCode != 200 || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("SDK invoke of a throwing handler: %+v %v", out, err)
	}

	// §4.2: Event -> 202, empty body, none of the sync headers (not even with LogType Tail).
	r = invokeRaw(t, s, name, "", []byte(`{"marker": "event-`+name+`"}`), map[string]string{"X-Amz-Invocation-Type": "Event", "X-Amz-Log-Type": "Tail"})
	if r.status != 202 || len(r.body) != 0 {
		t.Errorf("Event: %d %q", r.status, r.body)
	}
	for _, h := range []string{"X-Amz-Executed-Version", "X-Amz-Function-Error", "X-Amz-Log-Result"} {
		if v, ok := r.header[h]; ok {
			t.Errorf("Event response has %s: %v", h, v)
		}
	}
	// §6.1: the event runs after the 202.
	eventually(t, 20*time.Second, "the Event to run", func() bool {
		return strings.Contains(s.log.String(), "echo-log event-"+name)
	})
	// §4.2: DryRun -> 204, empty body, nothing else.
	r = invokeRaw(t, s, name, "", []byte(`{"marker": "dryrun-`+name+`"}`), map[string]string{"X-Amz-Invocation-Type": "DryRun"})
	if r.status != 204 || len(r.body) != 0 {
		t.Errorf("DryRun: %d %q", r.status, r.body)
	}
	for _, h := range []string{"X-Amz-Executed-Version", "X-Amz-Function-Error", "X-Amz-Log-Result"} {
		if v, ok := r.header[h]; ok {
			t.Errorf("DryRun response has %s: %v", h, v)
		}
	}
	// The SDK sees the status codes.
	for typ, want := range map[types.InvocationType]int32{types.InvocationTypeEvent: 202, types.InvocationTypeDryRun: 204} {
		out, err := sdk(s).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: typ})
		if err != nil || out.StatusCode != want || len(out.Payload) != 0 {
			t.Errorf("SDK %s: %+v %v", typ, out, err)
		}
	}
	// DryRun does not run the function (§4.2).
	if strings.Contains(s.log.String(), "echo-log dryrun-"+name) {
		t.Errorf("DryRun ran the function")
	}
}

func TestConformanceInvokeLogTail(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("tail")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Publish = true })
	// lambda-api.md §4.4: REPORT line with tabs; Init Duration only on a cold start.
	reportRe := func(id string, cold bool) *regexp.Regexp {
		init := ""
		if cold {
			init = `Init Duration: \d+(\.\d+)? ms\t`
		}
		return regexp.MustCompile(`^REPORT RequestId: ` + regexp.QuoteMeta(id) + `\tDuration: \d+(\.\d+)? ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t` + init + `$`)
	}
	check := func(qualifier, version string, cold bool) {
		t.Helper()
		marker := uniqueName("marker")
		raw := invokeRaw(t, s, name, qualifier, []byte(`{"marker": "`+marker+`"}`), map[string]string{"X-Amz-Log-Type": "Tail"})
		if raw.status != 200 {
			t.Fatalf("invoke: %d %s", raw.status, raw.body)
		}
		id := raw.header.Get("x-amzn-RequestId")
		b, err := base64.StdEncoding.DecodeString(raw.header.Get("X-Amz-Log-Result"))
		if err != nil || len(b) == 0 {
			t.Fatalf("X-Amz-Log-Result %q: %v", raw.header.Get("X-Amz-Log-Result"), err)
		}
		if len(b) > 4096 { // §4.4: the last 4 KB
			t.Errorf("log tail of %d bytes", len(b))
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		// §4.4: START, the function's output, END, REPORT - in this order, REPORT last.
		idx := func(pred func(string) bool) int {
			for i, l := range lines {
				if pred(l) {
					return i
				}
			}
			return -1
		}
		start := idx(func(l string) bool { return l == "START RequestId: "+id+" Version: "+version })
		out := idx(func(l string) bool { return strings.Contains(l, "echo-log "+marker) })
		end := idx(func(l string) bool { return l == "END RequestId: "+id })
		if start < 0 || out <= start || end <= out || end != len(lines)-2 {
			t.Errorf("log tail (START %d, output %d, END %d of %d lines):\n%s", start, out, end, len(lines), b)
		}
		if last := lines[len(lines)-1]; !reportRe(id, cold).MatchString(last) {
			t.Errorf("REPORT line %q does not match %s", last, reportRe(id, cold))
		}
	}
	// $LATEST and version 1 each get their own environments: the first
	// invoke of each is a cold start, the second a warm one.
	check("", "$LATEST", true)
	check("", "$LATEST", false)
	check("1", "1", true) // §4.4: Version: shows the executed version
	check("1", "1", false)

	// §4.4: no LogResult without LogType or with None.
	for _, h := range []map[string]string{nil, {"X-Amz-Log-Type": "None"}} {
		r := invokeRaw(t, s, name, "", []byte(`{}`), h)
		if v, ok := r.header["X-Amz-Log-Result"]; ok || r.status != 200 {
			t.Errorf("LogType %v: %d, X-Amz-Log-Result %v", h, r.status, v)
		}
	}
	// The SDK decodes nothing itself: LogResult is the base64 header.
	out, err := sdk(s).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); err != nil || !strings.Contains(string(b), "REPORT RequestId: ") {
		t.Errorf("SDK LogResult %q", aws.ToString(out.LogResult))
	}
}

func TestConformanceInvokeErrors(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("invokeerr")
	createFn(t, s, name, echoZip(t, "v1"))
	missing := uniqueName("missing")

	// lambda-api.md §4.5: unknown function (unqualified) names ...:$LATEST.
	wantErrMsg(t, invokeRaw(t, s, missing, "", []byte(`{}`), nil), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(missing, "$LATEST"))
	// §6.1: Event and DryRun check the function's existence too.
	for _, typ := range []string{"Event", "DryRun"} {
		wantErrMsg(t, invokeRaw(t, s, missing, "", []byte(`{}`), map[string]string{"X-Amz-Invocation-Type": typ}), 404,
			"ResourceNotFoundException", "Function not found: "+qARN(missing, "$LATEST"))
	}
	// §5.2: a 65-character name is a 404 with :$LATEST on Invoke.
	long := strings.Repeat("i", 65)
	wantErrMsg(t, invokeRaw(t, s, long, "", []byte(`{}`), nil), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(long, "$LATEST"))
	// §4.5: unknown version/alias qualifier.
	wantErrMsg(t, invokeRaw(t, s, name, "non-existent-alias", []byte(`{}`), nil), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(name, "non-existent-alias"))
	wantErrMsg(t, invokeRaw(t, s, name, "7", []byte(`{}`), nil), 404, "ResourceNotFoundException",
		"Function not found: "+qARN(name, "7"))
	// §5.2: qualifier mismatch is a 400 before the existence check.
	for _, fn := range []string{name, missing} {
		wantErrMsg(t, invokeRaw(t, s, qARN(fn, "1"), "$LATEST", []byte(`{}`), nil), 400, "InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier.")
	}
	// §4.5: another region.
	wantErrMsg(t, invokeRaw(t, s, "arn:aws:lambda:eu-west-1:"+account+":function:"+name, "", []byte(`{}`), nil), 404,
		"ResourceNotFoundException", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")
	// §4.5: a name failing the NamespacedFunctionName pattern (2025 text, §8.2).
	wantErrMsg(t, invokeRaw(t, s, name+":1:2", "", []byte(`{}`), nil), 400, "ValidationException",
		"1 validation error detected: Value '"+name+":1:2' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "+
			`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`)
	// §4.5: another account.
	wantErr(t, invokeRaw(t, s, "arn:aws:lambda:us-east-1:111111111111:function:"+name, "", []byte(`{}`), nil), 403, "AccessDeniedException")

	// §4.5: a body that is not JSON, or not UTF-8.
	const parsePrefix = "Could not parse request body into json: Could not parse payload into json: "
	if msg := wantErr(t, invokeRaw(t, s, name, "", []byte(`{"a": `), nil), 400, "InvalidRequestContentException"); !strings.HasPrefix(msg, parsePrefix) {
		t.Errorf("not JSON: %q", msg)
	}
	if msg := wantErr(t, invokeRaw(t, s, name, "", []byte("hello"), nil), 400, "InvalidRequestContentException"); !strings.HasPrefix(msg, parsePrefix) {
		t.Errorf("not JSON: %q", msg)
	}
	if msg := wantErr(t, invokeRaw(t, s, name, "", []byte{'"', 'a', 0x87, '"'}, nil), 400, "InvalidRequestContentException"); !strings.HasPrefix(msg, parsePrefix+"Invalid UTF-8 start byte 0x87") {
		t.Errorf("not UTF-8: %q", msg)
	}
	// The SDK maps it to its modeled type.
	_, err := sdk(s).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte("nope")})
	sdkErr(t, err, 400, "InvalidRequestContentException")

	// §4.5, §8.1: a sync payload over 6291456 bytes -> 413 with the exact message.
	wantErrMsg(t, invokeRaw(t, s, name, "", paddedJSON(6291457, ""), nil), 413, "RequestEntityTooLargeException",
		"Request must be smaller than 6291456 bytes for the InvokeFunction operation")
	// §10.2 test_large_payloads: a ~5 MB request succeeds.
	r := invokeRaw(t, s, name, "", paddedJSON(5*1000*1000, `"lenOnly":true,`), nil)
	if r.status != 200 || string(r.body) != `{"len":5000000}` {
		t.Errorf("5 MB payload: %d %s", r.status, clip(r.body))
	}
	// §4.5 (expected limit 1048576 after the 1 MB increase), §8.1: Event payload over 1 MB.
	wantErrMsg(t, invokeRaw(t, s, name, "", paddedJSON(1048577, ""), map[string]string{"X-Amz-Invocation-Type": "Event"}), 413,
		"RequestEntityTooLargeException", "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)")
	if r := invokeRaw(t, s, name, "", paddedJSON(1048576, ""), map[string]string{"X-Amz-Invocation-Type": "Event"}); r.status != 202 {
		t.Errorf("1 MB Event: %d %s", r.status, r.body)
	}
}

func TestConformanceInvokeTimeout(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("timeout")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	if res, _ := invokeEcho(t, s, name, "", `{}`); res.Count != 1 {
		t.Fatalf("first invoke count %d", res.Count)
	}
	if res, _ := invokeEcho(t, s, name, "", `{}`); res.Count != 2 {
		t.Fatalf("warm invoke count %d (the environment should be reused)", res.Count)
	}
	// lambda-api.md §4.3: Sandbox.Timedout with the two-decimal seconds.
	r := invokeRaw(t, s, name, "", []byte(`{"sleepMs": 3000}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	id := r.header.Get("x-amzn-RequestId")
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("timeout: %d FunctionError %q %s", r.status, r.header.Get("X-Amz-Function-Error"), r.body)
	}
	want := map[string]any{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: " + id + " Error: Task timed out after 1.00 seconds"}
	if got := r.obj(t); !reflect.DeepEqual(got, want) {
		t.Errorf("timeout body %v, want %v", got, want)
	}
	// §4.3: after a timeout the environment is reset: in-memory state is gone.
	res, _ := invokeEcho(t, s, name, "", `{}`)
	if res.Count != 1 {
		t.Errorf("count after a timeout = %d, want 1 (fresh environment)", res.Count)
	}
}

func TestConformanceInvokeRuntimeExit(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("exit")
	createFn(t, s, name, echoZip(t, "v1"))
	invokeEcho(t, s, name, "", `{}`)
	r := invokeRaw(t, s, name, "", []byte(`{"exit": 1}`), nil)
	id := r.header.Get("x-amzn-RequestId")
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("process.exit(1): %d FunctionError %q %s", r.status, r.header.Get("X-Amz-Function-Error"), r.body)
	}
	// lambda-api.md §4.3: Runtime.ExitError "Runtime exited with error: exit status N".
	want := map[string]any{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: " + id + " Error: Runtime exited with error: exit status 1"}
	if got := r.obj(t); !reflect.DeepEqual(got, want) {
		t.Errorf("exit body %v, want %v", got, want)
	}
	if res, _ := invokeEcho(t, s, name, "", `{}`); res.Count != 1 {
		t.Errorf("after the exit: count %d, want 1 (a new environment)", res.Count)
	}
}

func TestConformanceInvokeResponseSize(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("bigresp")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(512) })
	// lambda-api.md §4.3: a 6 MiB response succeeds (the limit is 6 MiB + 100 bytes).
	r := invokeRaw(t, s, name, "", []byte(`{"big": 6291456}`), nil)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" || len(r.body) != 6291456+2 {
		t.Errorf("6 MiB response: %d FunctionError %q, %d bytes", r.status, r.header.Get("X-Amz-Function-Error"), len(r.body))
	}
	// §4.3: a 7 MiB response -> 200 + Function.ResponseSizeTooLarge.
	r = invokeRaw(t, s, name, "", []byte(`{"big": 7340032}`), nil)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("7 MiB response: %d FunctionError %q", r.status, r.header.Get("X-Amz-Function-Error"))
	}
	want := map[string]any{"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).", "errorType": "Function.ResponseSizeTooLarge"}
	if got := r.obj(t); !reflect.DeepEqual(got, want) {
		t.Errorf("too-large body %v, want %v", got, want)
	}
	// §4.3: the next invoke still works.
	if res, _ := invokeEcho(t, s, name, "", `{"marker": "after"}`); res.Tag != "v1" {
		t.Errorf("after the too-large response: %+v", res)
	}
}

func TestConformanceInvokeAsync(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("invokeasync")
	createFn(t, s, name, echoZip(t, "v1"))
	// lambda-api.md §4.6: InvokeAsync -> 202, Status taken from the HTTP status.
	r := signedCall(t, s, "POST", "/2014-11-13/functions/"+name+"/invoke-async", []byte(`{"marker": "async-`+name+`"}`), nil)
	if r.status != 202 {
		t.Fatalf("InvokeAsync: %d %s", r.status, r.body)
	}
	if len(r.body) > 0 {
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil || (m["Status"] != nil && m["Status"] != 202.0) {
			t.Errorf("InvokeAsync body %q", r.body)
		}
	}
	out, err := sdk(s).InvokeAsync(context.Background(), &lambda.InvokeAsyncInput{FunctionName: aws.String(name), InvokeArgs: strings.NewReader(`{"marker": "sdk-async-` + name + `"}`)})
	if err != nil || out.Status != 202 {
		t.Errorf("SDK InvokeAsync: %+v %v", out, err)
	}
	eventually(t, 20*time.Second, "both async events to run", func() bool {
		l := s.log.String()
		return strings.Contains(l, "echo-log async-"+name) && strings.Contains(l, "echo-log sdk-async-"+name)
	})
	// §4.6 modeled errors: unknown function -> 404.
	wantErr(t, signedCall(t, s, "POST", "/2014-11-13/functions/"+uniqueName("missing")+"/invoke-async", []byte(`{}`), nil), 404, "ResourceNotFoundException")
}
