package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// cliJSON decodes a successful kindling command's JSON output.
func cliJSON(t *testing.T, r result) map[string]any {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	return v
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// The Kindling-only CLI commands drive the async endpoints end to end: a
// failing event's status, its listing and redrive, the record kept for an
// SQS OnFailure destination, queue depth, and the AWS CLI's error rendering.
func TestAsyncCLI(t *testing.T) {
	s := asyncServer(t)
	defer s.stop()
	k := kindlingCLI(s)
	dir := t.TempDir()
	kl := func(args ...string) result { t.Helper(); return k.run(t, dir, args...) }

	name := "cli-flaky"
	dest := "arn:aws:sqs:us-east-1:000000000000:cli-failures"
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": failingJS}))
	putEventConfig(t, s, name, map[string]any{"MaximumRetryAttempts": 0,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": dest}}})
	id := invokeEvent(t, s, name, `{"k":"v"}`)

	// get-event-status: 404 (exit 254) until a worker records it, then failed.
	var st map[string]any
	var out string
	eventually(t, 20*time.Second, "get-event-status to show the failure", func() bool {
		r := kl("get-event-status", "--request-id", id)
		if r.code != 0 {
			return false
		}
		out, st = r.stdout, cliJSON(t, r)
		return st["state"] == "failed"
	})
	if !strings.HasPrefix(out, "{\n    \"") || !strings.HasSuffix(out, "\n}\n") {
		t.Fatalf("not 4-space-indented JSON:\n%s", out)
	}
	if st["requestId"] != id || st["function"] != name || st["attempts"] != float64(1) ||
		st["condition"] != "RetriesExhausted" || st["destination"] != dest || st["lastError"] != "Error" {
		t.Fatalf("status %v", st)
	}
	if r := kl("get-event-status", "--request-id", id, "--query", "[state, condition]", "--output", "text"); r.code != 0 || r.stdout != "failed\tRetriesExhausted\n" {
		t.Fatalf("--query/--output text: %+v", r)
	}

	// list-failed-events, by name and by ARN (percent-encoded ':'), in every output format.
	for _, fn := range []string{name, fnARN(name)} {
		r := kl("list-failed-events", "--function-name", fn, "--query", "FailedEvents[].requestId", "--output", "text")
		if r.code != 0 || r.stdout != id+"\n" {
			t.Fatalf("list-failed-events --function-name %s: %+v", fn, r)
		}
	}
	if fe, _ := cliJSON(t, kl("list-failed-events", "--function-name", name))["FailedEvents"].([]any); len(fe) != 1 ||
		fe[0].(map[string]any)["requestId"] != id || fe[0].(map[string]any)["state"] != "failed" {
		t.Fatalf("FailedEvents %v", fe)
	}
	if r := kl("list-failed-events", "--function-name", name, "--output", "table"); r.code != 0 ||
		!strings.Contains(r.stdout, "ListFailedEvents") || !strings.Contains(r.stdout, id) {
		t.Fatalf("--output table: %+v", r)
	}

	// receive-destination-messages: the OnFailure record kept for the SQS ARN.
	var msgs []any
	eventually(t, 20*time.Second, "the OnFailure record", func() bool {
		msgs, _ = cliJSON(t, kl("receive-destination-messages", "--destination", dest, "--max-items", "5"))["Messages"].([]any)
		return len(msgs) > 0
	})
	body, _ := msgs[0].(map[string]any)["body"].(map[string]any)
	rc, _ := body["requestContext"].(map[string]any)
	if len(msgs) != 1 || rc["requestId"] != id || rc["condition"] != "RetriesExhausted" || rc["functionArn"] != qARN(name, "$LATEST") {
		t.Fatalf("messages %v", msgs)
	}
	if p, _ := json.Marshal(body["requestPayload"]); string(p) != `{"k":"v"}` {
		t.Fatalf("requestPayload %s", p)
	}

	// redrive-failed-events: by id, then all; the event runs and fails again each time.
	starts := func() int { return strings.Count(s.log.String(), "["+name+" "+id+"] START RequestId: "+id) }
	redriven := func(args ...string) {
		t.Helper()
		ids, _ := cliJSON(t, kl(append([]string{"redrive-failed-events", "--function-name", name}, args...)...))["Redriven"].([]any)
		if len(ids) != 1 || ids[0] != id {
			t.Fatalf("redrive %v: %v", args, ids)
		}
	}
	for n, args := range [][]string{{"--request-ids", id}, nil} {
		redriven(args...)
		eventually(t, 20*time.Second, "the redriven event to fail again", func() bool {
			st = cliJSON(t, kl("get-event-status", "--request-id", id))
			return starts() == n+2 && st["state"] == "failed" && st["redrives"] == float64(n+1)
		})
	}
	if r := kl("redrive-failed-events", "--function-name", name, "--request-ids", "00000000-0000-0000-0000-000000000000"); r.code != 0 ||
		r.stdout != "{\n    \"Redriven\": []\n}\n" {
		t.Fatalf("redrive of an unknown id: %+v", r)
	}

	// get-async-queue: depth and age while a slow function drains.
	slow := "cli-slow-drain"
	createFn(t, s, slow, zipOf(t, map[string]string{"index.js": `exports.handler = async () => { await new Promise(r => setTimeout(r, 1500)); };`}))
	signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", slow), map[string]int{"ReservedConcurrentExecutions": 1})
	for i := 0; i < 4; i++ {
		invokeEvent(t, s, slow, `{}`)
	}
	q := cliJSON(t, kl("get-async-queue", "--function-name", slow))
	if q["function"] != slow || q["depth"].(float64) < 2 || q["oldestAgeSeconds"].(float64) < 0 {
		t.Fatalf("queue %v", q)
	}
	eventually(t, 30*time.Second, "the queue to drain", func() bool {
		r := kl("get-async-queue", "--function-name", slow, "--query", "depth", "--output", "text")
		return r.code == 0 && r.stdout == "0\n"
	})

	// Errors: the AWS CLI's rendering and exit codes.
	unknown := "00000000-0000-0000-0000-000000000000"
	r := kl("get-event-status", "--request-id", unknown)
	if r.code != 254 || r.stdout != "" || r.stderr != "\n"+lastLine(r.stderr)+"\n" ||
		!strings.HasPrefix(r.stderr, "\nAn error occurred (ResourceNotFoundException) when calling the GetEventStatus operation: ") ||
		!strings.Contains(r.stderr, unknown) {
		t.Fatalf("unknown id: %+v", r)
	}
	r = kl("get-async-queue", "--function-name", "no-such-fn")
	if r.code != 254 || !strings.HasPrefix(lastLine(r.stderr), "An error occurred (ResourceNotFoundException) when calling the GetAsyncQueue operation: ") {
		t.Fatalf("unknown function: %+v", r)
	}
	r = kl("receive-destination-messages", "--destination", dest, "--max-items", "5000")
	if r.code != 254 || !strings.HasPrefix(lastLine(r.stderr), "An error occurred (ValidationException) when calling the ReceiveDestinationMessages operation: ") {
		t.Fatalf("--max-items 5000: %+v", r)
	}
	if r = kl("get-event-status"); r.code != 252 || lastLine(r.stderr) != "kindling: error: the following arguments are required: --request-id" {
		t.Fatalf("missing --request-id: %+v", r)
	}
	if r = kl("--endpoint-url", "http://127.0.0.1:1", "get-async-queue", "--function-name", name); r.code != 255 ||
		lastLine(r.stderr) != `Could not connect to the endpoint URL: "http://127.0.0.1:1/_kindling/v1/functions/cli-flaky/async/queue"` {
		t.Fatalf("unreachable endpoint: %+v", r)
	}

	// Help lists them in their own section.
	r = kl("help")
	if r.code != 0 || !strings.Contains(r.stdout, "Kindling commands") {
		t.Fatalf("help: %+v", r)
	}
	for _, c := range []string{"get-event-status", "list-failed-events", "redrive-failed-events", "get-async-queue", "receive-destination-messages"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Fatalf("help lacks %s", c)
		}
		if h := kl(c, "help"); h.code != 0 || !strings.HasPrefix(h.stdout, "kindling "+c+"\n") {
			t.Fatalf("%s help: %+v", c, h)
		}
	}
}
