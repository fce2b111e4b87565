package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// tickerJS counts timer ticks in the background, reports them with its pid,
// and checks it can reach Kindling at AWS_ENDPOINT_URL_LAMBDA.
const tickerJS = `
let ticks = 0;
setInterval(() => ticks++, 5);
exports.handler = async (event) => {
  if (event.sleepMs) { console.log("sleeping " + event.sleepMs); await new Promise(r => setTimeout(r, event.sleepMs)); }
  let health = null;
  if (event.health) {
    const res = await fetch(process.env.AWS_ENDPOINT_URL_LAMBDA + "/_kindling/health");
    health = res.status;
  }
  return { pid: process.pid, ticks, health, hasKey: !!process.env.AWS_ACCESS_KEY_ID && !!process.env.AWS_SECRET_ACCESS_KEY };
};
`

func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// Idle environments are frozen between invocations and burn no CPU; a
// function can call Kindling itself (the environments issue).
func TestIdleEnvironmentsAreFrozen(t *testing.T) {
	s := sharedServer(t)
	name := uniqueName("ticker")
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": tickerJS}))
	var first struct {
		Pid    int  `json:"pid"`
		Ticks  int  `json:"ticks"`
		Health int  `json:"health"`
		HasKey bool `json:"hasKey"`
	}
	r := invokeRaw(t, s, name, "", []byte(`{"health":true}`), nil)
	if err := json.Unmarshal(r.body, &first); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	if first.Health != 200 || !first.HasKey {
		t.Fatalf("calling Kindling from a function: %+v", first)
	}
	// Stopped by SIGSTOP ("T") or by a cgroup freezer ("D").
	eventually(t, 5*time.Second, "the idle runtime to be frozen", func() bool {
		st := procState(first.Pid)
		return st == "T" || st == "D"
	})
	time.Sleep(500 * time.Millisecond)
	second := first
	r = invokeRaw(t, s, name, "", []byte(`{}`), nil)
	_ = json.Unmarshal(r.body, &second)
	if second.Pid != first.Pid {
		t.Fatalf("not the warm environment: %d then %d", first.Pid, second.Pid)
	}
	// Unfrozen, a 5 ms timer ticks about 100 times in 500 ms.
	if d := second.Ticks - first.Ticks; d > 40 {
		t.Fatalf("the idle environment kept running: %d ticks while idle", d)
	}
}

// The node's memory budget: idle environments are evicted to make room;
// when busy ones fill it, a start waits briefly and then answers 429
// ConcurrentInvocationLimitExceeded (reference/lambda-api.md §4.5).
func TestMemoryBudget(t *testing.T) {
	s := startServer(t, t.TempDir(), "--memory-budget", "256")
	defer s.stop()
	a, b := "budget-a", "budget-b"
	createFn(t, s, a, zipOf(t, map[string]string{"index.js": tickerJS}))
	createFn(t, s, b, zipOf(t, map[string]string{"index.js": tickerJS}))
	// Two idle environments of a fill the budget; b evicts one of them.
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = signedDo(s, "POST", fnPath(a)+"/invocations", []byte(`{"sleepMs":300}`), nil)
		}()
	}
	wg.Wait()
	if r := invokeRaw(t, s, b, "", []byte(`{}`), nil); r.status != 200 {
		t.Fatalf("b with idle a's in the budget: %d %s", r.status, r.body)
	}
	// Two busy environments hold the whole budget: a third start is refused.
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = signedDo(s, "POST", fnPath(a)+"/invocations", []byte(`{"sleepMs":4000}`), nil)
		}()
	}
	eventually(t, 20*time.Second, "both long invocations to run", func() bool {
		return strings.Count(s.log.String(), "sleeping 4000") == 2
	})
	c := sdk(s)
	_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(b), Payload: []byte(`{}`)},
		func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	msg := sdkErr(t, err, 429, "TooManyRequestsException")
	var tmr *types.TooManyRequestsException
	if msg != "Rate Exceeded." || !errors.As(err, &tmr) || tmr.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded {
		t.Fatalf("throttle: %v", err)
	}
	wg.Wait()
}
