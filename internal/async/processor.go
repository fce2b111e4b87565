package async

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/invoke"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/sandbox"
)

// maxBackoff caps the wait between retries of throttled events
// (reference/lambda-api.md §6.1).
const maxBackoff = 5 * time.Minute

// retryDelays are the waits after the first and second failed runs
// (reference/lambda-api.md §6.1: one minute, then two).
var retryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// Failure conditions of a destination record (reference/lambda-api.md §6.3).
const (
	CondSuccess          = "Success"
	CondRetriesExhausted = "RetriesExhausted"
	CondEventAgeExceeded = "EventAgeExceeded"
	CondZeroReserved     = "ZeroReservedConcurrency"
)

// Functions reads function records from the snapshot.
type Functions interface {
	Get(name string) (*lambda.Function, bool)
}

// Runner runs an accepted event synchronously.
type Runner interface {
	RunEvent(ctx context.Context, ev invoke.QueuedEvent) (sandbox.Outcome, string, error)
}

// Processor decides what happens to each delivery of an event: run it,
// retry it by Lambda's rules, or finish it with a destination record.
type Processor struct {
	Functions Functions
	Runner    Runner
	Queue     *Queue
	Records   *Records
	Region    string
	Account   string
	// Scale multiplies every delay, backoff and age limit (1 = Lambda's).
	Scale float64
	Log   *slog.Logger
}

func (p *Processor) scaled(d time.Duration) time.Duration {
	if p.Scale <= 0 || p.Scale == 1 {
		return d
	}
	return time.Duration(float64(d) * p.Scale)
}

// Process handles one delivery; it returns 0 when the event is finished
// (acknowledge it) or how long to wait before the next delivery.
func (p *Processor) Process(ctx context.Context, ev invoke.QueuedEvent, delivery int) time.Duration {
	st, _, err := p.Records.Get(ctx, ev.RequestID)
	if err != nil {
		p.Log.Warn("async status", "request_id", ev.RequestID, "err", err)
	}
	st.RequestID, st.Function, st.Qualifier, st.Accepted, st.Redrives = ev.RequestID, ev.Function, ev.Qualifier, ev.Accepted, ev.Redrive
	fn, ok := p.Functions.Get(ev.Function)
	if !ok {
		p.finish(ctx, &st, ev, "FunctionNotFound", nil, "")
		return 0
	}
	cfg, _ := fn.EventInvokeConfigFor(ev.Qualifier)
	maxRetries, maxAge := cfg.RetryAttempts(), cfg.MaxEventAge()
	if time.Since(ev.Accepted) > p.scaled(maxAge) {
		p.finish(ctx, &st, ev, CondEventAgeExceeded, nil, "")
		return 0
	}
	if r := fn.ReservedConcurrency; r != nil && *r == 0 {
		p.finish(ctx, &st, ev, CondZeroReserved, nil, "")
		return 0
	}

	st.State = StateRunning
	p.put(ctx, st)
	out, executed, err := p.Runner.RunEvent(ctx, ev)
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == awserr.ResourceNotFound {
			p.finish(ctx, &st, ev, "FunctionNotFound", nil, "")
			return 0
		}
		// Throttles and platform errors: back to the queue with an
		// exponential backoff until the event is too old.
		st.State, st.LastError = StateRetrying, errorCode(err)
		p.put(ctx, st)
		return p.scaled(min(time.Second<<min(delivery-1, 20), maxBackoff))
	}
	st.Attempts++
	if !out.FunctionError {
		st.State = StateSucceeded
		st.LastError = ""
		p.deliver(ctx, fn, &st, ev, CondSuccess, &out, executed)
		p.put(ctx, st)
		return 0
	}
	st.LastError = errorType(out.Body)
	if st.Attempts <= maxRetries {
		st.State = StateRetrying
		p.put(ctx, st)
		return p.scaled(retryDelays[min(st.Attempts-1, len(retryDelays)-1)])
	}
	p.finish(ctx, &st, ev, CondRetriesExhausted, &out, executed)
	return 0
}

// finish records a failed event and sends its record to the failure
// destination or the dead-letter queue.
func (p *Processor) finish(ctx context.Context, st *Status, ev invoke.QueuedEvent, cond string, out *sandbox.Outcome, executed string) {
	st.State, st.Condition, st.Payload = StateFailed, cond, ev.Payload
	if fn, ok := p.Functions.Get(ev.Function); ok {
		p.deliver(ctx, fn, st, ev, cond, out, executed)
	}
	p.put(ctx, *st)
	if err := p.Records.putFailed(ctx, *st); err != nil {
		p.Log.Error("keep failed event", "request_id", ev.RequestID, "err", err)
	}
	p.Log.Warn("async event failed", "function", ev.Function, "request_id", ev.RequestID, "condition", cond,
		"attempts", st.Attempts, "destination", st.Destination)
}

// deliver sends the destination record for cond, if a destination (or, on
// failure, a dead-letter queue) is configured.
func (p *Processor) deliver(ctx context.Context, fn *lambda.Function, st *Status, ev invoke.QueuedEvent, cond string, out *sandbox.Outcome, executed string) {
	cfg, _ := fn.EventInvokeConfigFor(ev.Qualifier)
	target := cfg.DestinationConfig.OnFailure.Destination
	if cond == CondSuccess {
		target = cfg.DestinationConfig.OnSuccess.Destination
	}
	if target == "" && cond != CondSuccess {
		if v := versionFor(fn, ev.Qualifier); v != nil && v.Config.DeadLetterConfig != nil && v.Config.DeadLetterConfig.TargetArn != "" {
			p.deadLetter(ctx, st, ev, v.Config.DeadLetterConfig.TargetArn, out)
			return
		}
	}
	if target == "" {
		return
	}
	rec := p.record(ev, cond, st.Attempts, out, executed)
	b, err := json.Marshal(rec)
	if err != nil {
		p.Log.Error("encode destination record", "err", err)
		return
	}
	if name, qualifier, ok := lambdaTarget(target); ok {
		err = p.Queue.Enqueue(ctx, invoke.QueuedEvent{RequestID: uuid.NewString(), Function: name, Qualifier: qualifier,
			Payload: b, Accepted: time.Now().UTC()})
	} else {
		err = p.Records.Deliver(ctx, target, b, nil)
	}
	if err != nil {
		p.Log.Error("deliver destination record", "destination", target, "err", err)
		return
	}
	st.Destination = target
}

// deadLetter sends the original event to the function's DLQ with the
// attributes Lambda sets (reference/lambda-api.md §6.4).
func (p *Processor) deadLetter(ctx context.Context, st *Status, ev invoke.QueuedEvent, arn string, out *sandbox.Outcome) {
	msg := ""
	if out != nil {
		msg = errorMessage(out.Body)
	}
	attrs := map[string]string{"RequestID": ev.RequestID, "ErrorCode": "200", "ErrorMessage": msg}
	if err := p.Records.Deliver(ctx, arn, ev.Payload, attrs); err != nil {
		p.Log.Error("deliver to dead-letter queue", "destination", arn, "err", err)
		return
	}
	st.Destination = arn
}

// Record is a destination record (reference/lambda-api.md §6.3).
type Record struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  RequestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *ResponseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

// RequestContext identifies the invocation a record reports.
type RequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext is how the last run ended.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

func (p *Processor) record(ev invoke.QueuedEvent, cond string, attempts int, out *sandbox.Outcome, executed string) Record {
	q := ev.Qualifier
	if q == "" {
		q = lambda.LatestVersion
	}
	r := Record{
		Version:   "1.0",
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: RequestContext{RequestID: ev.RequestID, Condition: cond, ApproximateInvokeCount: attempts,
			FunctionArn: lambda.QualifiedARN(p.Region, p.Account, ev.Function, q)},
		RequestPayload: jsonOrString(ev.Payload),
	}
	if out != nil {
		r.ResponseContext = &ResponseContext{StatusCode: 200, ExecutedVersion: executed}
		if out.FunctionError {
			r.ResponseContext.FunctionError = "Unhandled"
		}
		r.ResponsePayload = jsonOrString(out.Body)
	}
	return r
}

// jsonOrString embeds b as JSON, or as a JSON string when it is not JSON.
func jsonOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

func (p *Processor) put(ctx context.Context, st Status) {
	if err := p.Records.Put(ctx, st); err != nil {
		p.Log.Warn("async status", "request_id", st.RequestID, "err", err)
	}
}

// versionFor is the configuration an invocation with qualifier ran.
func versionFor(fn *lambda.Function, qualifier string) *lambda.Version {
	switch {
	case qualifier == "" || qualifier == lambda.LatestVersion:
		return &fn.Latest
	case lambda.IsVersionNumber(qualifier):
		return fn.FindVersion(qualifier)
	}
	if a := fn.FindAlias(qualifier); a != nil {
		return fn.FindVersion(a.Config.FunctionVersion)
	}
	return nil
}

// lambdaTarget splits a function ARN destination into name and qualifier.
func lambdaTarget(arn string) (name, qualifier string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" {
		return "", "", false
	}
	if len(parts) > 7 {
		qualifier = parts[7]
	}
	return parts[6], qualifier, true
}

func errorType(body []byte) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(body, &e)
	if e.ErrorType == "" {
		return "Unhandled"
	}
	return e.ErrorType
}

func errorMessage(body []byte) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	_ = json.Unmarshal(body, &e)
	return e.ErrorMessage
}

func errorCode(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return string(ae.Code)
	}
	return "ServiceException"
}
