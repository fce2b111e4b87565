// Package invoke runs invocations: it resolves a function name and
// qualifier against the in-memory snapshot, picks an alias's weighted
// version, and hands the event to a warm environment (RequestResponse),
// the durable async queue (Event), or only checks it (DryRun).
package invoke

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/codepkg"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/logs"
	"github.com/kindling-dev/kindling/internal/runtimeapi"
	"github.com/kindling-dev/kindling/internal/runtimes"
	"github.com/kindling-dev/kindling/internal/sandbox"
	"github.com/kindling-dev/kindling/internal/store"
)

// Invocation types (X-Amz-Invocation-Type).
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// Enqueuer durably accepts Event invocations.
type Enqueuer interface {
	Enqueue(ctx context.Context, ev QueuedEvent) error
}

// QueuedEvent is an accepted asynchronous invocation.
type QueuedEvent struct {
	RequestID string    `json:"requestId"`
	Function  string    `json:"function"`
	Qualifier string    `json:"qualifier,omitempty"`
	Payload   []byte    `json:"payload"`
	Accepted  time.Time `json:"accepted"`
	// Redrive counts how often a failed event was sent back to the queue.
	Redrive int `json:"redrive,omitempty"`
}

// Settler waits for a function's pending transition to end.
type Settler interface {
	WaitActive(ctx context.Context, name string) (*lambda.Function, error)
}

// Invoker is the data plane of one node.
type Invoker struct {
	reg      *store.Registry
	settler  Settler
	mgr      *sandbox.Manager
	cache    *codepkg.Cache
	runtimes *runtimes.Table
	queue    Enqueuer
	region   string
	account  string
	limits   *limiter
}

// Config wires an Invoker.
type Config struct {
	Registry *store.Registry
	Settler  Settler
	Manager  *sandbox.Manager
	Cache    *codepkg.Cache
	Runtimes *runtimes.Table
	Queue    Enqueuer
	Region   string
	Account  string
	// AccountConcurrency is the account's concurrent executions limit.
	AccountConcurrency int
}

// New returns an Invoker; it follows reservation changes through the registry.
func New(c Config) *Invoker {
	iv := &Invoker{reg: c.Registry, settler: c.Settler, mgr: c.Manager, cache: c.Cache,
		runtimes: c.Runtimes, queue: c.Queue, region: c.Region, account: c.Account,
		limits: newLimiter(c.AccountConcurrency)}
	follow := func() {
		iv.limits.setReserved(iv.reservedSum())
		iv.mgr.SetProvisioned(iv.provisionTargets())
	}
	iv.reg.OnChange(func(string, *lambda.Function) { follow() })
	follow()
	return iv
}

func (iv *Invoker) reservedSum() int {
	sum := 0
	for _, fn := range iv.reg.All() {
		if fn.ReservedConcurrency != nil {
			sum += *fn.ReservedConcurrency
		}
	}
	return sum
}

// Request is one Invoke call.
type Request struct {
	RequestID     string
	Ref           lambda.FunctionRef
	Type          string
	Payload       []byte
	LogTail       bool
	ClientContext string // base64, as sent in X-Amz-Client-Context
}

// Response is what Invoke answers.
type Response struct {
	Status          int
	Body            []byte
	ExecutedVersion string
	FunctionError   string
	LogResult       string
}

// target is a resolved invocation target.
type target struct {
	fn         *lambda.Function
	version    *lambda.Version
	executed   string
	invokedARN string
}

// resolve maps the name and qualifier to an immutable version, entirely
// from the snapshot (reference/lambda-api.md §4.2, §5.5).
func (iv *Invoker) resolve(ctx context.Context, ref lambda.FunctionRef) (target, error) {
	fn, ok := iv.reg.Get(ref.Name)
	notFound := func(q string) error {
		return awserr.Newf(awserr.ResourceNotFound, "Function not found: %s", lambda.QualifiedARN(iv.region, iv.account, ref.Name, q))
	}
	q := ref.Qualifier
	if !ok {
		if q == "" {
			q = lambda.LatestVersion
		}
		return target{}, notFound(q)
	}
	if fn.Settling != "" && (q == "" || q == lambda.LatestVersion || fn.Latest.Config.State == lambda.StatePending) {
		var err error
		if fn, err = iv.settler.WaitActive(ctx, ref.Name); err != nil {
			return target{}, err
		}
	}
	t := target{fn: fn, invokedARN: lambda.FunctionARN(iv.region, iv.account, ref.Name)}
	switch {
	case q == "" || q == lambda.LatestVersion:
		t.version = &fn.Latest
	case lambda.IsVersionNumber(q):
		t.version = fn.FindVersion(q)
	default:
		if a := fn.FindAlias(q); a != nil {
			t.version = fn.FindVersion(pickVersion(a.Config))
		}
	}
	if t.version == nil {
		return target{}, notFound(q)
	}
	if q != "" {
		t.invokedARN = lambda.QualifiedARN(iv.region, iv.account, ref.Name, q)
	}
	t.executed = t.version.Config.Version
	if t.version.Config.State == lambda.StateFailed {
		return target{}, awserr.Newf(awserr.ResourceConflict,
			"The operation cannot be performed at this time. The function is currently in the following state: %s", lambda.StateFailed)
	}
	return t, nil
}

// pickVersion applies an alias's weighted routing.
func pickVersion(a lambda.AliasConfiguration) string {
	if a.RoutingConfig == nil {
		return a.FunctionVersion
	}
	r := rand.Float64()
	keys := make([]string, 0, len(a.RoutingConfig.AdditionalVersionWeights))
	for k := range a.RoutingConfig.AdditionalVersionWeights {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := a.RoutingConfig.AdditionalVersionWeights[k]
		if r < w {
			return k
		}
		r -= w
	}
	return a.FunctionVersion
}

// Invoke runs a request of any invocation type.
func (iv *Invoker) Invoke(ctx context.Context, req *Request) (*Response, error) {
	t, err := iv.resolve(ctx, req.Ref)
	if err != nil {
		return nil, err
	}
	switch req.Type {
	case DryRun:
		return &Response{Status: 204}, nil
	case Event:
		ev := QueuedEvent{RequestID: req.RequestID, Function: req.Ref.Name, Qualifier: req.Ref.Qualifier,
			Payload: req.Payload, Accepted: time.Now().UTC()}
		if err := iv.queue.Enqueue(ctx, ev); err != nil {
			return nil, awserr.Internal(fmt.Errorf("enqueue event: %w", err))
		}
		return &Response{Status: 202}, nil
	}
	release, err := iv.limits.admit(t.fn)
	if err != nil {
		return nil, err
	}
	out, err := iv.run(t, req.RequestID, req.Payload, req.ClientContext)
	release()
	if err != nil {
		return nil, err
	}
	resp := &Response{Status: 200, Body: out.Body, ExecutedVersion: t.executed}
	if out.FunctionError {
		resp.FunctionError = "Unhandled"
	}
	if req.LogTail {
		resp.LogResult = base64.StdEncoding.EncodeToString(logs.Tail(out.Log))
	}
	return resp, nil
}

// RunEvent runs an accepted async event now; it is the async workers' entry.
func (iv *Invoker) RunEvent(ctx context.Context, ev QueuedEvent) (sandbox.Outcome, string, error) {
	t, err := iv.resolve(ctx, lambda.FunctionRef{Name: ev.Function, Qualifier: ev.Qualifier})
	if err != nil {
		return sandbox.Outcome{}, "", err
	}
	release, err := iv.limits.admit(t.fn)
	if err != nil {
		return sandbox.Outcome{}, "", err
	}
	defer release()
	out, err := iv.run(t, ev.RequestID, ev.Payload, "")
	return out, t.executed, err
}

func (iv *Invoker) run(t target, requestID string, payload []byte, clientContext string) (sandbox.Outcome, error) {
	ev := &runtimeapi.Event{
		RequestID:  requestID,
		Payload:    payload,
		InvokedARN: t.invokedARN,
		TraceID:    traceID(),
	}
	if clientContext != "" {
		if b, err := base64.StdEncoding.DecodeString(clientContext); err == nil {
			ev.ClientContext = string(b)
		}
	}
	key := PoolKey(t.fn.Name, t.version)
	version := t.version
	spec := func() (*sandbox.Spec, error) { return iv.spec(t.fn.Name, version) }
	out, err := iv.mgr.Invoke(t.fn.Name, key, spec, ev, t.executed)
	if errors.Is(err, sandbox.ErrCapacity) {
		return sandbox.Outcome{}, throttled(ReasonAccount)
	}
	if err != nil {
		return sandbox.Outcome{}, awserr.Internal(err)
	}
	return out, nil
}

// PoolKey identifies the environments that can serve a version: the same
// version with the same code and configuration.
func PoolKey(function string, v *lambda.Version) string {
	return function + ":" + v.Config.Version + ":" + v.Fingerprint
}

func (iv *Invoker) spec(function string, v *lambda.Version) (*sandbox.Spec, error) {
	c := v.Config
	rt, ok := iv.runtimes.Lookup(c.Runtime)
	if !ok {
		rt = runtimes.Runtime{ID: c.Runtime}
	}
	dir, err := iv.cache.Path(context.Background(), v.CodeKey, nil)
	if err != nil {
		return nil, fmt.Errorf("code for %s: %w", function, err)
	}
	s := &sandbox.Spec{
		Function: function,
		Version:  c.Version,
		Runtime:  rt,
		Handler:  c.Handler,
		MemoryMB: c.MemorySize,
		Timeout:  time.Duration(c.Timeout) * time.Second,
		CodeDir:  dir,
		Region:   iv.region,
	}
	if c.Environment != nil {
		s.Env = c.Environment.Variables
	}
	if c.RuntimeVersionConfig != nil {
		s.RuntimeVersionARN = c.RuntimeVersionConfig.RuntimeVersionArn
	}
	s.TmpMB = 512
	if c.EphemeralStorage != nil {
		s.TmpMB = c.EphemeralStorage.Size
	}
	if c.LoggingConfig != nil {
		s.LogFormat, s.LogLevel = c.LoggingConfig.LogFormat, c.LoggingConfig.ApplicationLogLevel
	}
	return s, nil
}

// traceID returns an X-Ray style trace header for the runtime.
func traceID() string {
	return fmt.Sprintf("Root=1-%08x-%024x;Sampled=0", time.Now().Unix(), rand.Uint64()&0xffffffffffff)
}
