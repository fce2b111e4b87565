package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
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
