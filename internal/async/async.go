// Package async keeps accepted Event invocations in a JetStream work-queue
// stream and runs them with workers on every node. An event is in the
// stream (and so survives a crash) before the 202 is sent; it is removed
// only once a worker has finished with it.
package async

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kindling-dev/kindling/internal/invoke"
)

const (
	streamName   = "KINDLING_ASYNC"
	subjectBase  = "kindling.async."
	consumerName = "kindling-workers"
	schema       = 1
	// ackWait is how long a worker may stay silent before the event is
	// handed to another worker; running events send progress well within it.
	ackWait = 10 * time.Second
)

// message is the stored form of an event.
type message struct {
	Schema int `json:"schema"`
	invoke.QueuedEvent
}

// Queue is the durable store of accepted events.
type Queue struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// OpenQueue creates the work-queue stream if needed.
func OpenQueue(ctx context.Context, js jetstream.JetStream) (*Queue, error) {
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        streamName,
		Description: "Kindling accepted async invocations",
		Subjects:    []string{subjectBase + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxMsgSize:  2 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("open async stream: %w", err)
	}
	return &Queue{js: js, stream: st}, nil
}

// Enqueue stores ev; it returns once JetStream has acknowledged it.
func (q *Queue) Enqueue(ctx context.Context, ev invoke.QueuedEvent) error {
	b, err := json.Marshal(message{Schema: schema, QueuedEvent: ev})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	// The message id deduplicates a retried publish of the same accept.
	id := ev.RequestID
	if ev.Redrive > 0 {
		id = fmt.Sprintf("%s#redrive-%d", ev.RequestID, ev.Redrive)
	}
	if _, err := q.js.Publish(ctx, subjectBase+ev.Function, b, jetstream.WithMsgID(id)); err != nil {
		return fmt.Errorf("publish event: %w", err)
	}
	return nil
}

// Workers pull events from the stream and run them.
type Workers struct {
	q     *Queue
	run   Handler
	log   *slog.Logger
	limit int
	cons  jetstream.ConsumeContext
	wg    sync.WaitGroup
	slots chan struct{}
}

// Handler processes one delivery of an event (delivery counts from 1) and
// returns 0 when it is finished, or how long to wait before redelivering it.
type Handler func(ctx context.Context, ev invoke.QueuedEvent, delivery int) time.Duration

// StartWorkers starts consuming with at most limit events running at once.
func StartWorkers(ctx context.Context, q *Queue, limit int, run Handler, log *slog.Logger) (*Workers, error) {
	c, err := q.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxAckPending: limit,
		MaxDeliver:    -1,
	})
	if err != nil {
		return nil, fmt.Errorf("async consumer: %w", err)
	}
	w := &Workers{q: q, run: run, log: log, limit: limit, slots: make(chan struct{}, limit)}
	cc, err := c.Consume(w.handle, jetstream.PullMaxMessages(limit))
	if err != nil {
		return nil, fmt.Errorf("async consume: %w", err)
	}
	w.cons = cc
	return w, nil
}

func (w *Workers) handle(msg jetstream.Msg) {
	var m message
	if err := json.Unmarshal(msg.Data(), &m); err != nil || m.Schema > schema {
		w.log.Error("dropping unreadable async event", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	w.slots <- struct{}{}
	w.wg.Add(1)
	go func() {
		defer func() { <-w.slots; w.wg.Done() }()
		done := make(chan struct{})
		go func() {
			t := time.NewTicker(ackWait / 3)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					_ = msg.InProgress()
				}
			}
		}()
		delivery := 1
		if md, err := msg.Metadata(); err == nil {
			delivery = int(md.NumDelivered)
		}
		again := w.run(context.Background(), m.QueuedEvent, delivery)
		close(done)
		if again > 0 {
			_ = msg.NakWithDelay(again)
			return
		}
		if err := msg.DoubleAck(context.Background()); err != nil {
			w.log.Error("ack async event", "request_id", m.RequestID, "err", err)
		}
	}()
}

// Stop stops pulling new events and waits for running ones (until ctx ends).
func (w *Workers) Stop(ctx context.Context) {
	w.cons.Stop()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
