package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// recorderJS logs every event it receives on one line, so destination
// records can be read back from the server's log.
const recorderJS = `exports.handler = async (event) => { console.log("RECORD " + JSON.stringify(event)); return null; };`

// failingJS always throws; succeedingJS answers its input.
const (
	failingJS    = `exports.handler = async (event) => { throw new Error("always fails " + JSON.stringify(event)); };`
	succeedingJS = `exports.handler = async (event) => ({ echoed: event });`
)

// asyncServer runs with every async delay and age scaled down 100-fold:
// Lambda's 1 and 2 minute retry delays become 0.6 and 1.2 s.
func asyncServer(t *testing.T) *server {
	t.Helper()
	return startServer(t, t.TempDir(), "--async-time-scale", "0.01")
}

// records returns the destination records the recorder function logged.
func records(s *server, recorder string) []map[string]any {
	var out []map[string]any
	re := regexp.MustCompile(`\[` + regexp.QuoteMeta(recorder) + ` [^\]]*\] \S+\t\S+\tINFO\tRECORD (.*)`)
	for _, m := range re.FindAllStringSubmatch(s.log.String(), -1) {
		var rec map[string]any
		if json.Unmarshal([]byte(m[1]), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

func recordFor(s *server, recorder, requestID string) map[string]any {
	for _, r := range records(s, recorder) {
		if rc, ok := r["requestContext"].(map[string]any); ok && rc["requestId"] == requestID {
			return r
		}
	}
	return nil
}

func putEventConfig(t *testing.T, s *server, name string, cfg map[string]any) {
	t.Helper()
	r := signedJSON(t, s, "PUT", "/2019-09-25/functions/"+name+"/event-invoke-config", cfg)
	if r.status != 200 {
		t.Fatalf("put event invoke config: %d %s", r.status, r.body)
	}
}

func invokeEvent(t *testing.T, s *server, name, payload string) string {
	t.Helper()
	r := invokeRaw(t, s, name, "", []byte(payload), map[string]string{"X-Amz-Invocation-Type": "Event"})
	if r.status != 202 {
		t.Fatalf("Event invoke: %d %s", r.status, r.body)
	}
	return r.header.Get("x-amzn-RequestId")
}

// Retries on function errors follow MaximumRetryAttempts (0, 1, 2; default
// 2), every attempt carries the same request id, and the failure record
// reaches the OnFailure destination in Lambda's format
// (reference/lambda-api.md §6.1, §6.3).
func TestAsyncRetriesAndFailureDestination(t *testing.T) {
	s := asyncServer(t)
	defer s.stop()
	createFn(t, s, "recorder", zipOf(t, map[string]string{"index.js": recorderJS}))
	for _, retries := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("retries=%d", retries), func(t *testing.T) {
			name := fmt.Sprintf("failing-%d", retries)
			createFn(t, s, name, zipOf(t, map[string]string{"index.js": failingJS}))
			putEventConfig(t, s, name, map[string]any{"MaximumRetryAttempts": retries,
				"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": fnARN("recorder")}}})
			id := invokeEvent(t, s, name, `{"n":1}`)
			var rec map[string]any
			eventually(t, 30*time.Second, "the failure record", func() bool { rec = recordFor(s, "recorder", id); return rec != nil })
			// §6.1: every attempt is one START line with the same request id.
			if got := strings.Count(s.log.String(), "["+name+" "+id+"] START RequestId: "+id); got != retries+1 {
				t.Fatalf("%d runs, want %d", got, retries+1)
			}
			rc := rec["requestContext"].(map[string]any)
			// §6.3 record format.
			if rec["version"] != "1.0" || rc["functionArn"] != qARN(name, "$LATEST") || rc["condition"] != "RetriesExhausted" ||
				rc["approximateInvokeCount"] != float64(retries+1) {
				t.Fatalf("record %v", rec)
			}
			if p, _ := json.Marshal(rec["requestPayload"]); string(p) != `{"n":1}` {
				t.Fatalf("requestPayload %s", p)
			}
			resp := rec["responseContext"].(map[string]any)
			if resp["statusCode"] != float64(200) || resp["executedVersion"] != "$LATEST" || resp["functionError"] != "Unhandled" {
				t.Fatalf("responseContext %v", resp)
			}
			if rp, _ := rec["responsePayload"].(map[string]any); rp["errorType"] != "Error" {
				t.Fatalf("responsePayload %v", rec["responsePayload"])
			}
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", rec["timestamp"].(string)); err != nil {
				t.Fatalf("timestamp %v", rec["timestamp"])
			}
		})
	}
}

// A success record reaches OnSuccess (reference/lambda-api.md §6.3).
func TestAsyncSuccessDestination(t *testing.T) {
	s := asyncServer(t)
	defer s.stop()
	createFn(t, s, "recorder", zipOf(t, map[string]string{"index.js": recorderJS}))
	createFn(t, s, "ok-fn", zipOf(t, map[string]string{"index.js": succeedingJS}))
	putEventConfig(t, s, "ok-fn", map[string]any{"DestinationConfig": map[string]any{"OnSuccess": map[string]string{"Destination": fnARN("recorder")}}})
	id := invokeEvent(t, s, "ok-fn", `{"fruit":"tomato"}`)
	var rec map[string]any
	eventually(t, 20*time.Second, "the success record", func() bool { rec = recordFor(s, "recorder", id); return rec != nil })
	rc := rec["requestContext"].(map[string]any)
	resp := rec["responseContext"].(map[string]any)
	if rc["condition"] != "Success" || rc["approximateInvokeCount"] != float64(1) || resp["functionError"] != nil || resp["executedVersion"] != "$LATEST" {
		t.Fatalf("record %v", rec)
	}
	if p, _ := json.Marshal(rec["responsePayload"]); string(p) != `{"echoed":{"fruit":"tomato"}}` {
		t.Fatalf("responsePayload %s", p)
	}
}

// Reserved concurrency 0: the Event is accepted and fails at once with
// condition ZeroReservedConcurrency and approximateInvokeCount 0
// (reference/lambda-api.md §6.1, §6.3). An event older than
// MaximumEventAgeInSeconds is not run again (EventAgeExceeded).
func TestAsyncZeroReservedAndEventAge(t *testing.T) {
	s := asyncServer(t)
	defer s.stop()
	createFn(t, s, "recorder", zipOf(t, map[string]string{"index.js": recorderJS}))
	createFn(t, s, "blocked", zipOf(t, map[string]string{"index.js": succeedingJS}))
	putEventConfig(t, s, "blocked", map[string]any{"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": fnARN("recorder")}}})
	signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", "blocked"), map[string]int{"ReservedConcurrentExecutions": 0})
	id := invokeEvent(t, s, "blocked", `{}`)
	var rec map[string]any
	eventually(t, 20*time.Second, "the ZeroReservedConcurrency record", func() bool { rec = recordFor(s, "recorder", id); return rec != nil })
	if rc := rec["requestContext"].(map[string]any); rc["condition"] != "ZeroReservedConcurrency" || rc["approximateInvokeCount"] != float64(0) {
		t.Fatalf("record %v", rec)
	}

	// 60 s of age (0.6 s scaled) is less than the 2nd retry's delay: the
	// age check cuts the retries short (§6.3, approximateInvokeCount 1 or 2).
	createFn(t, s, "aging", zipOf(t, map[string]string{"index.js": failingJS}))
	putEventConfig(t, s, "aging", map[string]any{"MaximumEventAgeInSeconds": 60,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": fnARN("recorder")}}})
	id = invokeEvent(t, s, "aging", `{}`)
	eventually(t, 20*time.Second, "the EventAgeExceeded record", func() bool { rec = recordFor(s, "recorder", id); return rec != nil })
	if rc := rec["requestContext"].(map[string]any); rc["condition"] != "EventAgeExceeded" || rc["approximateInvokeCount"].(float64) < 1 || rc["approximateInvokeCount"].(float64) > 2 {
		t.Fatalf("record %v", rec)
	}
}

// Every failed event can be inspected and redriven; per-event status and
// queue depth are visible; records for SQS-like destinations and the DLQ
// are kept in a queue a user can read (the async issue, "What none of the
// peers has").
func TestAsyncInspectRedriveAndQueues(t *testing.T) {
	s := asyncServer(t)
	defer s.stop()
	name := "flaky"
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": failingJS}), func(in *lambda.CreateFunctionInput) {
		in.DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String("arn:aws:sqs:us-east-1:000000000000:flaky-dlq")}
	})
	putEventConfig(t, s, name, map[string]any{"MaximumRetryAttempts": 0})
	id := invokeEvent(t, s, name, `{"k":"v"}`)

	var st map[string]any
	eventually(t, 20*time.Second, "the event to fail", func() bool {
		r := signedCall(t, s, "GET", "/_kindling/v1/async/events/"+id, nil, nil)
		if r.status != 200 {
			return false
		}
		st = r.obj(t)
		return st["state"] == "failed"
	})
	if st["attempts"] != float64(1) || st["condition"] != "RetriesExhausted" || st["destination"] != "arn:aws:sqs:us-east-1:000000000000:flaky-dlq" {
		t.Fatalf("status %v", st)
	}
	// reference/lambda-api.md §6.4: the DLQ message body is the original
	// event, with RequestID, ErrorCode and ErrorMessage attributes.
	r := signedCall(t, s, "GET", "/_kindling/v1/destinations/arn:aws:sqs:us-east-1:000000000000:flaky-dlq/messages", nil, nil)
	msgs, _ := r.obj(t)["Messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("DLQ: %s", r.body)
	}
	m := msgs[0].(map[string]any)
	attrs := m["attributes"].(map[string]any)
	if b, _ := json.Marshal(m["body"]); string(b) != `{"k":"v"}` || attrs["RequestID"] != id || attrs["ErrorCode"] != "200" ||
		!strings.Contains(attrs["ErrorMessage"].(string), "always fails") {
		t.Fatalf("DLQ message %v", m)
	}

	r = signedCall(t, s, "GET", "/_kindling/v1/functions/"+name+"/async/failed", nil, nil)
	failed, _ := r.obj(t)["FailedEvents"].([]any)
	if len(failed) != 1 || failed[0].(map[string]any)["requestId"] != id {
		t.Fatalf("failed events: %s", r.body)
	}
	// Redrive: the same request id runs again, and fails again.
	r = signedJSON(t, s, "POST", "/_kindling/v1/functions/"+name+"/async/redrive", map[string]any{"RequestIds": []string{id}})
	if ids, _ := r.obj(t)["Redriven"].([]any); len(ids) != 1 || ids[0] != id {
		t.Fatalf("redrive: %s", r.body)
	}
	eventually(t, 20*time.Second, "the redriven event to run and fail again", func() bool {
		return strings.Count(s.log.String(), "["+name+" "+id+"] START RequestId: "+id) == 2 &&
			signedCall(t, s, "GET", "/_kindling/v1/async/events/"+id, nil, nil).obj(t)["state"] == "failed"
	})
	st = signedCall(t, s, "GET", "/_kindling/v1/async/events/"+id, nil, nil).obj(t)
	if st["redrives"] != float64(1) {
		t.Fatalf("status after redrive %v", st)
	}

	// Queue depth and the age of the oldest waiting event.
	slow := "slow-drain"
	createFn(t, s, slow, zipOf(t, map[string]string{"index.js": `exports.handler = async () => { await new Promise(r => setTimeout(r, 1500)); };`}))
	signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", slow), map[string]int{"ReservedConcurrentExecutions": 1})
	for i := 0; i < 4; i++ {
		invokeEvent(t, s, slow, `{}`)
	}
	q := signedCall(t, s, "GET", "/_kindling/v1/functions/"+slow+"/async/queue", nil, nil).obj(t)
	if q["depth"].(float64) < 2 || q["oldestAgeSeconds"].(float64) < 0 {
		t.Fatalf("queue %v", q)
	}
	eventually(t, 30*time.Second, "the queue to drain", func() bool {
		return signedCall(t, s, "GET", "/_kindling/v1/functions/"+slow+"/async/queue", nil, nil).obj(t)["depth"] == float64(0)
	})
	if r := signedCall(t, s, "GET", "/_kindling/v1/async/events/00000000-0000-0000-0000-000000000000", nil, nil); r.status != 404 {
		t.Fatalf("unknown request id: %d", r.status)
	}
}

// An accepted event no worker has taken yet reports "queued".
func TestAsyncQueuedStatus(t *testing.T) {
	s := startServer(t, t.TempDir(), "--async-workers", "1")
	defer s.stop()
	name := "one-at-a-time"
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": `exports.handler = async () => { await new Promise(r => setTimeout(r, 2000)); };`}))
	first := invokeEvent(t, s, name, `{}`)
	eventually(t, 10*time.Second, "the first event to run", func() bool {
		return signedCall(t, s, "GET", "/_kindling/v1/async/events/"+first, nil, nil).obj(t)["state"] == "running"
	})
	second := invokeEvent(t, s, name, `{}`)
	st := signedCall(t, s, "GET", "/_kindling/v1/async/events/"+second, nil, nil).obj(t)
	if st["state"] != "queued" || st["function"] != name {
		t.Fatalf("second event: %v", st)
	}
	eventually(t, 20*time.Second, "both to succeed", func() bool {
		return signedCall(t, s, "GET", "/_kindling/v1/async/events/"+second, nil, nil).obj(t)["state"] == "succeeded"
	})
}
