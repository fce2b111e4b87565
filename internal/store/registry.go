package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kindling-dev/kindling/internal/lambda"
)

// Errors the registry returns; callers map them to AWS errors.
var (
	ErrNotFound = errors.New("function not found")
	ErrExists   = errors.New("function already exists")
)

const functionsBucket = "kindling_functions"

// entry is one function in the snapshot. The Function is never mutated
// after it is published into the snapshot.
type entry struct {
	fn  *lambda.Function
	rev uint64
}

// Registry is the function registry: JetStream KV for durability and
// sharing between nodes, an in-memory snapshot for every read.
type Registry struct {
	kv  jetstream.KeyValue
	log *slog.Logger

	mu      sync.RWMutex
	funcs   map[string]entry
	applied uint64
	changed chan struct{} // closed and replaced on every applied change
	ready   bool

	listenMu  sync.Mutex
	listeners []func(name string, fn *lambda.Function)
}

// OpenRegistry creates the KV bucket if needed, loads the snapshot and
// keeps it current with a watch until ctx ends.
func OpenRegistry(ctx context.Context, js jetstream.JetStream, log *slog.Logger) (*Registry, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:       functionsBucket,
		Description:  "Kindling function records (schema " + fmt.Sprint(lambda.SchemaVersion) + ")",
		History:      1,
		Storage:      jetstream.FileStorage,
		MaxValueSize: MaxPayload,
	})
	if err != nil {
		return nil, fmt.Errorf("open functions bucket: %w", err)
	}
	r := &Registry{kv: kv, log: log, funcs: map[string]entry{}, changed: make(chan struct{})}
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch functions: %w", err)
	}
	initial := make(chan struct{})
	go r.watch(ctx, w, initial)
	select {
	case <-initial:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return r, nil
}

func (r *Registry) watch(ctx context.Context, w jetstream.KeyWatcher, initial chan struct{}) {
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil { // end of the initial values
				r.mu.Lock()
				r.ready = true
				r.mu.Unlock()
				close(initial)
				continue
			}
			r.apply(e)
		}
	}
}

func (r *Registry) apply(e jetstream.KeyValueEntry) {
	name := e.Key()
	var fn *lambda.Function
	if e.Operation() == jetstream.KeyValuePut {
		var f lambda.Function
		if err := json.Unmarshal(e.Value(), &f); err != nil {
			r.log.Error("skipping unreadable function record", "function", name, "err", err)
		} else if f.Schema > lambda.SchemaVersion {
			r.log.Error("skipping function record from a newer Kindling", "function", name, "schema", f.Schema)
		} else {
			fn = &f
		}
	}
	r.mu.Lock()
	if fn != nil {
		r.funcs[name] = entry{fn: fn, rev: e.Revision()}
	} else {
		delete(r.funcs, name)
	}
	if e.Revision() > r.applied {
		r.applied = e.Revision()
	}
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	r.listenMu.Lock()
	ls := r.listeners
	r.listenMu.Unlock()
	for _, l := range ls {
		l(name, fn)
	}
}

// OnChange registers a callback run (on the watch goroutine) after every
// change to a function; fn is nil when the function was deleted.
func (r *Registry) OnChange(l func(name string, fn *lambda.Function)) {
	r.listenMu.Lock()
	r.listeners = append(r.listeners, l)
	r.listenMu.Unlock()
}

// Get returns the function from the snapshot. The result must not be modified.
func (r *Registry) Get(name string) (*lambda.Function, bool) {
	r.mu.RLock()
	e, ok := r.funcs[name]
	r.mu.RUnlock()
	return e.fn, ok
}

// All returns every function in name order.
func (r *Registry) All() []*lambda.Function {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*lambda.Function, 0, len(r.funcs))
	for _, e := range r.funcs {
		out = append(out, e.fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// WaitChange returns a channel closed at the next applied change.
func (r *Registry) WaitChange() <-chan struct{} {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.changed
}

// waitApplied blocks until the snapshot has applied revision rev.
func (r *Registry) waitApplied(ctx context.Context, rev uint64) error {
	for {
		r.mu.RLock()
		done, ch := r.applied >= rev, r.changed
		r.mu.RUnlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for snapshot: %w", ctx.Err())
		}
	}
}

// Create stores a new function; ErrExists if the name is taken.
func (r *Registry) Create(ctx context.Context, fn *lambda.Function) error {
	fn.Schema = lambda.SchemaVersion
	b, err := json.Marshal(fn)
	if err != nil {
		return fmt.Errorf("encode function: %w", err)
	}
	rev, err := r.kv.Create(ctx, fn.Name, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("create function %s: %w", fn.Name, err)
	}
	return r.waitApplied(ctx, rev)
}

// Update applies mutate to a copy of the current record and stores it with
// a compare-and-set on the record's revision, retrying on conflicts with
// other writers (on this node or another). mutate may run more than once.
// It returns the stored record.
func (r *Registry) Update(ctx context.Context, name string, mutate func(fn *lambda.Function) error) (*lambda.Function, error) {
	for attempt := 0; ; attempt++ {
		cur, rev, err := r.current(ctx, name, attempt)
		if err != nil {
			return nil, err
		}
		next := cur.Clone()
		if err := mutate(next); err != nil {
			return nil, err
		}
		next.Schema = lambda.SchemaVersion
		b, err := json.Marshal(next)
		if err != nil {
			return nil, fmt.Errorf("encode function: %w", err)
		}
		newRev, err := r.kv.Update(ctx, name, b, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			if attempt > 50 {
				return nil, fmt.Errorf("update function %s: too many conflicts: %w", name, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update function %s: %w", name, err)
		}
		if err := r.waitApplied(ctx, newRev); err != nil {
			return nil, err
		}
		return next, nil
	}
}

// current reads the record to base a write on: the snapshot first, the KV
// itself after a conflict.
func (r *Registry) current(ctx context.Context, name string, attempt int) (*lambda.Function, uint64, error) {
	if attempt == 0 {
		r.mu.RLock()
		e, ok := r.funcs[name]
		r.mu.RUnlock()
		if !ok {
			return nil, 0, ErrNotFound
		}
		return e.fn, e.rev, nil
	}
	kve, err := r.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read function %s: %w", name, err)
	}
	var f lambda.Function
	if err := json.Unmarshal(kve.Value(), &f); err != nil {
		return nil, 0, fmt.Errorf("decode function %s: %w", name, err)
	}
	return &f, kve.Revision(), nil
}

// Delete removes a function record if it is still at the revision the
// caller saw (0: whatever it is).
func (r *Registry) Delete(ctx context.Context, name string) error {
	r.mu.RLock()
	e, ok := r.funcs[name]
	r.mu.RUnlock()
	if !ok {
		return ErrNotFound
	}
	if err := r.kv.Purge(ctx, name, jetstream.LastRevision(e.rev)); err != nil {
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
			return r.Delete(ctx, name)
		}
		return fmt.Errorf("delete function %s: %w", name, err)
	}
	for {
		r.mu.RLock()
		cur, still := r.funcs[name]
		ch := r.changed
		r.mu.RUnlock()
		if !still || cur.rev > e.rev {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for delete: %w", ctx.Err())
		}
	}
}
