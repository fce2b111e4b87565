package e2e

import (
	"fmt"
	"sync"
	"testing"
)

func concurrencyPath(prefix, name string) string {
	return "/" + prefix + "/functions/" + name + "/concurrency"
}

// Reserved concurrency: Put/Get/Delete, throttling beyond it with AWS's
// body, 0 blocking every sync invoke, and the account arithmetic
// (reference/lambda-api.md §9 Reserved concurrency, §4.5, §10.1 items 3, 6, 12).
func TestReservedConcurrency(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("conc")
	createFn(t, s, name, echoZip(t, "conc"))

	// §9: Get without a reservation is 200 {}.
	r := signedCall(t, s, "GET", concurrencyPath("2019-09-30", name), nil, nil)
	if r.status != 200 || string(r.body) != "{}" {
		t.Fatalf("get unset: %d %s", r.status, r.body)
	}
	r = signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", name), map[string]int{"ReservedConcurrentExecutions": 1})
	if r.status != 200 || string(r.body) != `{"ReservedConcurrentExecutions":1}` {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	r = signedCall(t, s, "GET", concurrencyPath("2019-09-30", name), nil, nil)
	if string(r.body) != `{"ReservedConcurrentExecutions":1}` {
		t.Fatalf("get: %s", r.body)
	}
	// §3.2: GetFunction gains Concurrency while it is set.
	if got := signedCall(t, s, "GET", fnPath(name), nil, nil).obj(t)["Concurrency"]; fmt.Sprint(got) != "map[ReservedConcurrentExecutions:1]" {
		t.Fatalf("GetFunction Concurrency = %v", got)
	}

	// Two concurrent invokes with a reservation of 1: one runs, one is
	// throttled with §4.5's body.
	var wg sync.WaitGroup
	results := make([]apiResp, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = signedDo(s, "POST", fnPath(name)+"/invocations", []byte(`{"sleepMs":1500}`), nil)
		}()
	}
	wg.Wait()
	ok, throttled := 0, 0
	for _, res := range results {
		switch res.status {
		case 200:
			ok++
		case 429:
			throttled++
			m := res.obj(t)
			if m["Reason"] != "ReservedFunctionConcurrentInvocationLimitExceeded" || m["Type"] != "User" || m["message"] != "Rate Exceeded." || len(m) != 3 {
				t.Fatalf("429 body %s", res.body)
			}
			if res.header.Get("x-amzn-ErrorType") != "TooManyRequestsException" {
				t.Fatalf("429 error type %q", res.header.Get("x-amzn-ErrorType"))
			}
		default:
			t.Fatalf("status %d: %s", res.status, res.body)
		}
	}
	if ok != 1 || throttled != 1 {
		t.Fatalf("%d ok, %d throttled; want 1 and 1", ok, throttled)
	}

	// §6.1: reserved concurrency 0 throttles every sync invoke.
	signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", name), map[string]int{"ReservedConcurrentExecutions": 0})
	if r := invokeRaw(t, s, name, "", []byte(`{}`), nil); r.status != 429 {
		t.Fatalf("reserved 0: %d %s", r.status, r.body)
	}
	// ... while an Event is still accepted (§6.1).
	if r := invokeRaw(t, s, name, "", []byte(`{}`), map[string]string{"X-Amz-Invocation-Type": "Event"}); r.status != 202 {
		t.Fatalf("Event with reserved 0: %d %s", r.status, r.body)
	}

	// GetAccountSettings: UnreservedConcurrentExecutions = limit - reserved
	// (reference/lambda-api.md §9): reserving 7 more takes exactly 7 away.
	unreserved := func() float64 {
		acct := signedCall(t, s, "GET", "/2016-08-19/account-settings", nil, nil).obj(t)
		limit := acct["AccountLimit"].(map[string]any)
		if limit["ConcurrentExecutions"] != float64(1000) {
			t.Fatalf("account limits %v", limit)
		}
		return limit["UnreservedConcurrentExecutions"].(float64)
	}
	before := unreserved()
	signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", name), map[string]int{"ReservedConcurrentExecutions": 7})
	if after := unreserved(); before-after != 7 {
		t.Fatalf("unreserved %v -> %v after reserving 7 (from 0)", before, after)
	}

	r = signedCall(t, s, "DELETE", concurrencyPath("2017-10-31", name), nil, nil)
	if r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	// §10.1 item 12: Get after Delete is {}.
	if r := signedCall(t, s, "GET", concurrencyPath("2019-09-30", name), nil, nil); string(r.body) != "{}" {
		t.Fatalf("get after delete: %s", r.body)
	}
	if r := invokeRaw(t, s, name, "", []byte(`{}`), nil); r.status != 200 {
		t.Fatalf("invoke after delete: %d", r.status)
	}

	// Errors (§9).
	wantErrMsg(t, signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", "doesnotexist"), map[string]int{"ReservedConcurrentExecutions": 1}),
		404, "ResourceNotFoundException", "Function not found: "+fnARN("doesnotexist")+":$LATEST")
	wantErrMsg(t, signedCall(t, s, "GET", concurrencyPath("2019-09-30", "doesnotexist"), nil, nil),
		404, "ResourceNotFoundException", "Function not found: "+fnARN("doesnotexist"))
	wantErrMsg(t, signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", qARN(name, "1")), map[string]int{"ReservedConcurrentExecutions": 1}),
		400, "InvalidParameterValueException",
		"This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
	r = signedJSON(t, s, "PUT", concurrencyPath("2017-10-31", name), map[string]int{"ReservedConcurrentExecutions": 950})
	if msg := wantErrShape(t, r, 400, "InvalidParameterValueException", false); msg != "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]." {
		t.Fatalf("over-reservation message %q", msg)
	}
}
