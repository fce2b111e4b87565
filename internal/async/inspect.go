package async

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kindling-dev/kindling/internal/invoke"
)

// StateQueued is the state of an event no worker has finished with.
const StateQueued = "queued"

func failedKey(function, requestID string) string { return function + "." + requestID }

// putFailed keeps a failed event for inspection and redrive.
func (r *Records) putFailed(ctx context.Context, st Status) error {
	st.Schema, st.Updated = schema, time.Now().UTC()
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode failed event: %w", err)
	}
	if _, err := r.failed.Put(ctx, failedKey(st.Function, st.RequestID), b); err != nil {
		return fmt.Errorf("store failed event %s: %w", st.RequestID, err)
	}
	return nil
}

// Failed lists the failed events of function, oldest accept first.
func (r *Records) Failed(ctx context.Context, function string) ([]Status, error) {
	keys, err := r.failed.ListKeysFiltered(ctx, function+".*")
	if err != nil {
		return nil, fmt.Errorf("list failed events: %w", err)
	}
	var out []Status
	for k := range keys.Keys() {
		e, err := r.failed.Get(ctx, k)
		if err != nil {
			continue // expired or redriven meanwhile
		}
		var st Status
		if json.Unmarshal(e.Value(), &st) == nil {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Accepted.Before(out[j].Accepted) })
	return out, nil
}

// Redrive sends failed events of function back to the queue (all of them
// when ids is empty) with their request id, fresh retries and a fresh age.
// It returns the request ids sent.
func (r *Records) Redrive(ctx context.Context, q *Queue, function string, ids []string) ([]string, error) {
	failed, err := r.Failed(ctx, function)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	sent := []string{}
	for _, st := range failed {
		if len(want) > 0 && !want[st.RequestID] {
			continue
		}
		ev := invoke.QueuedEvent{RequestID: st.RequestID, Function: st.Function, Qualifier: st.Qualifier,
			Payload: st.Payload, Accepted: time.Now().UTC(), Redrive: st.Redrives + 1}
		if err := q.Enqueue(ctx, ev); err != nil {
			return sent, err
		}
		st.State, st.Attempts, st.Condition, st.Destination, st.Redrives = StateQueued, 0, "", "", ev.Redrive
		st.Accepted = ev.Accepted
		if err := r.Put(ctx, st); err != nil {
			return sent, err
		}
		if err := r.failed.Delete(ctx, failedKey(st.Function, st.RequestID)); err != nil {
			return sent, fmt.Errorf("forget redriven event %s: %w", st.RequestID, err)
		}
		sent = append(sent, st.RequestID)
	}
	return sent, nil
}

// QueueInfo is what waits in the queue for one function.
type QueueInfo struct {
	Function string `json:"function"`
	// Depth counts events accepted and not finished (queued, running or
	// waiting for a retry).
	Depth uint64 `json:"depth"`
	// OldestAgeSeconds is the age of the oldest of them (0 when empty).
	OldestAgeSeconds float64 `json:"oldestAgeSeconds"`
}

// Info reports queue depth and oldest event age for function.
func (q *Queue) Info(ctx context.Context, function string) (QueueInfo, error) {
	subject := subjectBase + function
	out := QueueInfo{Function: function}
	info, err := q.stream.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		return out, fmt.Errorf("queue info: %w", err)
	}
	out.Depth = info.State.Subjects[subject]
	if out.Depth == 0 {
		return out, nil
	}
	msg, err := q.stream.GetMsg(ctx, info.State.FirstSeq, jetstream.WithGetMsgSubject(subject))
	if err != nil {
		return out, fmt.Errorf("oldest event: %w", err)
	}
	var m message
	if err := json.Unmarshal(msg.Data, &m); err == nil {
		out.OldestAgeSeconds = time.Since(m.Accepted).Seconds()
	}
	return out, nil
}

// DestinationMessage is one record kept for a destination ARN.
type DestinationMessage struct {
	Body       json.RawMessage   `json:"body"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Sent       time.Time         `json:"sent"`
}

// Messages reads (without removing) up to max records kept for arn.
func (r *Records) Messages(ctx context.Context, arn string, max int) ([]DestinationMessage, error) {
	c, err := r.dest.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{DestinationSubject(arn)}})
	if err != nil {
		return nil, fmt.Errorf("read destination: %w", err)
	}
	out := []DestinationMessage{}
	batch, err := c.FetchNoWait(max)
	if err != nil {
		return nil, fmt.Errorf("read destination: %w", err)
	}
	for msg := range batch.Messages() {
		dm := DestinationMessage{Body: jsonOrString(msg.Data())}
		if md, err := msg.Metadata(); err == nil {
			dm.Sent = md.Timestamp
		}
		if len(msg.Headers()) > 0 {
			dm.Attributes = map[string]string{}
			for k := range msg.Headers() {
				dm.Attributes[k] = msg.Headers().Get(k)
			}
		}
		out = append(out, dm)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		return out, fmt.Errorf("read destination: %w", err)
	}
	return out, nil
}

// findLimit bounds how many waiting events a status lookup reads.
const findLimit = 20000

// Find looks for an accepted event still waiting in the queue (no worker
// has recorded a status for it yet). It reads the stream message by
// message (a work-queue stream allows no second consumer), so it is for
// status lookups, not hot paths.
func (q *Queue) Find(ctx context.Context, requestID string) (invoke.QueuedEvent, bool, error) {
	info, err := q.stream.Info(ctx)
	if err != nil {
		return invoke.QueuedEvent{}, false, fmt.Errorf("queue info: %w", err)
	}
	seq := info.State.FirstSeq
	for n := 0; n < findLimit && info.State.Msgs > 0 && seq <= info.State.LastSeq; n++ {
		msg, err := q.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subjectBase+">"))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return invoke.QueuedEvent{}, false, fmt.Errorf("scan queue: %w", err)
		}
		var m message
		if json.Unmarshal(msg.Data, &m) == nil && m.RequestID == requestID {
			return m.QueuedEvent, true, nil
		}
		seq = msg.Sequence + 1
	}
	return invoke.QueuedEvent{}, false, nil
}
