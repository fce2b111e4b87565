package async

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	statusBucket      = "kindling_async_status"
	failedBucket      = "kindling_async_failed"
	destinationStream = "KINDLING_DESTINATIONS"
	destinationBase   = "kindling.dest."
)

// Event states reported per request id.
const (
	StateRunning   = "running"
	StateRetrying  = "retrying"
	StateSucceeded = "succeeded"
	StateFailed    = "failed"
)

// Status is what Kindling knows about one accepted event; it is kept for
// the retention period.
type Status struct {
	Schema    int       `json:"schema"`
	RequestID string    `json:"requestId"`
	Function  string    `json:"function"`
	Qualifier string    `json:"qualifier,omitempty"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	Accepted  time.Time `json:"accepted"`
	Updated   time.Time `json:"updated"`
	// LastError is the errorType of the last failed run.
	LastError string `json:"lastError,omitempty"`
	// Condition and Destination say why an event failed and where its
	// record went (function, queue, or only this store).
	Condition   string `json:"condition,omitempty"`
	Destination string `json:"destination,omitempty"`
	// Payload is kept for failed events, so they can be redriven.
	Payload []byte `json:"payload,omitempty"`
	// Redrives counts how often the event was sent back after failing.
	Redrives int `json:"redrives,omitempty"`
}

// Records keeps per-event status (a KV bucket with a TTL) and the records
// sent to destinations that are not functions (a stream, one subject per
// destination ARN).
type Records struct {
	kv     jetstream.KeyValue
	failed jetstream.KeyValue // "<function>.<request id>" -> Status, for listing and redrive
	js     jetstream.JetStream
	dest   jetstream.Stream
}

// OpenRecords creates the status bucket and the destinations stream.
func OpenRecords(ctx context.Context, js jetstream.JetStream, retention time.Duration) (*Records, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      statusBucket,
		Description: "Kindling async event status by request id",
		TTL:         retention,
		Storage:     jetstream.FileStorage,
		History:     1,
	})
	if err != nil {
		return nil, fmt.Errorf("open async status: %w", err)
	}
	failed, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:       failedBucket,
		Description:  "Kindling failed async events by function, for inspection and redrive",
		TTL:          retention,
		Storage:      jetstream.FileStorage,
		History:      1,
		MaxValueSize: 4 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("open failed events: %w", err)
	}
	dest, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        destinationStream,
		Description: "Records for SQS/SNS/EventBridge/S3 destinations and dead-letter queues",
		Subjects:    []string{destinationBase + ">"},
		MaxAge:      retention,
		Storage:     jetstream.FileStorage,
		MaxMsgSize:  8 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("open destinations stream: %w", err)
	}
	return &Records{kv: kv, failed: failed, js: js, dest: dest}, nil
}

// Get returns the status of requestID; ok is false when none is recorded.
func (r *Records) Get(ctx context.Context, requestID string) (Status, bool, error) {
	e, err := r.kv.Get(ctx, requestID)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return Status{}, false, nil
	}
	if err != nil {
		return Status{}, false, fmt.Errorf("read status %s: %w", requestID, err)
	}
	var s Status
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return Status{}, false, fmt.Errorf("decode status %s: %w", requestID, err)
	}
	return s, true, nil
}

// Put stores s.
func (r *Records) Put(ctx context.Context, s Status) error {
	s.Schema, s.Updated = schema, time.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	if _, err := r.kv.Put(ctx, s.RequestID, b); err != nil {
		return fmt.Errorf("store status %s: %w", s.RequestID, err)
	}
	return nil
}

// DestinationSubject is the stream subject holding the records of one
// destination ARN (its characters made subject-safe).
func DestinationSubject(arn string) string {
	b := []byte(arn)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			b[i] = '_'
		}
	}
	return destinationBase + string(b)
}

// Deliver appends a record to the queue of a destination that is not a
// function, with headers in the manner of SQS message attributes.
func (r *Records) Deliver(ctx context.Context, arn string, body []byte, attrs map[string]string) error {
	msg := nats.NewMsg(DestinationSubject(arn))
	msg.Data = body
	for k, v := range attrs {
		msg.Header.Set(k, v)
	}
	if _, err := r.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("deliver to %s: %w", arn, err)
	}
	return nil
}
