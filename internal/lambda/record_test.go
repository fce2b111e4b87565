package lambda

import (
	"testing"
	"time"
)

func newFn() *Function {
	f := &Function{Name: "f"}
	f.Latest = Version{Config: FunctionConfiguration{FunctionName: "f", FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
		Version: LatestVersion, Handler: "index.handler", CodeSha256: "abc", RevisionId: "r0", State: StatePending}}
	f.Latest.Fingerprint = Fingerprint(f.Latest.Config)
	return f
}

// reference/lambda-api.md §5.3: publishing twice without a change returns
// the existing version; numbers are never reused.
func TestPublish(t *testing.T) {
	f := newFn()
	now := time.Now()
	v1, created := f.Publish(nil, now)
	if !created || v1.Config.Version != "1" || v1.Config.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:f:1" {
		t.Fatalf("first publish: %+v %v", v1.Config, created)
	}
	again, created := f.Publish(nil, now)
	if created || again.Config.Version != "1" || again.Config.RevisionId != v1.Config.RevisionId {
		t.Fatalf("idempotent publish created %v (%s)", created, again.Config.Version)
	}
	f.Latest.Config.Handler = "other.handler"
	f.BeginUpdate(now, "s1")
	v2, created := f.Publish(nil, now)
	if !created || v2.Config.Version != "2" {
		t.Fatalf("publish after change: %v %s", created, v2.Config.Version)
	}
	f.Versions = f.Versions[:0] // delete both
	desc := "third"
	v3, _ := f.Publish(&desc, now)
	if v3.Config.Version != "3" || v3.Config.Description != "third" {
		t.Fatalf("after deleting versions: %s %q", v3.Config.Version, v3.Config.Description)
	}
}

// reference/lambda-api.md §3.2: settling makes the function Active and
// Successful with a new RevisionId.
func TestSettle(t *testing.T) {
	f := newFn()
	f.Settling = "s"
	before := f.Latest.Config.RevisionId
	f.Settle()
	c := f.Latest.Config
	if c.State != StateActive || c.LastUpdateStatus != UpdateSuccessful || c.StateReason != "" || c.RevisionId == before || f.Settling != "" {
		t.Fatalf("settled config %+v", c)
	}
	f.BeginUpdate(time.Now(), "u")
	if f.Latest.Config.LastUpdateStatus != UpdateInProgress || f.Latest.Config.LastUpdateStatusReasonCode != "Creating" {
		t.Fatalf("begin update %+v", f.Latest.Config)
	}
	clone := f.Clone()
	clone.Latest.Config.Handler = "changed"
	if f.Latest.Config.Handler == "changed" {
		t.Fatal("Clone shares state")
	}
}
