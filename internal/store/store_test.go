package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/lambda"
)

func openTest(t *testing.T, dir string) (*Engine, *Registry, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e, err := OpenEngine(ctx, EngineOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenRegistry(ctx, e.JS, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return e, r, cancel
}

func TestRegistryWritesAreVisibleAtOnce(t *testing.T) {
	dir := t.TempDir()
	e, r, cancel := openTest(t, dir)
	ctx := context.Background()
	fn := &lambda.Function{Name: "f", Latest: lambda.Version{Config: lambda.FunctionConfiguration{FunctionName: "f", Version: "$LATEST"}}}
	if err := r.Create(ctx, fn); err != nil {
		t.Fatal(err)
	}
	// A write returns only after the local snapshot applied it.
	if got, ok := r.Get("f"); !ok || got.Name != "f" || got.Schema != lambda.SchemaVersion {
		t.Fatalf("snapshot after create: %+v %v", got, ok)
	}
	if err := r.Create(ctx, fn); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	// Concurrent updates all land (compare-and-set with retries).
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Update(ctx, "f", func(fn *lambda.Function) error { fn.LastPublished++; return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := r.Get("f"); got.LastPublished != 20 {
		t.Fatalf("LastPublished = %d, want 20", got.LastPublished)
	}
	if _, err := r.Update(ctx, "missing", func(*lambda.Function) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}

	// Everything survives a restart of the engine on the same directory.
	cancel()
	e.Close()
	e2, r2, cancel2 := openTest(t, dir)
	defer func() { cancel2(); e2.Close() }()
	if got, ok := r2.Get("f"); !ok || got.LastPublished != 20 {
		t.Fatalf("after restart: %+v %v", got, ok)
	}
	if err := r2.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	if _, ok := r2.Get("f"); ok {
		t.Fatal("still in the snapshot after delete")
	}
}

func TestCodeStoreSweep(t *testing.T) {
	ctx := context.Background()
	e, err := OpenEngine(ctx, EngineOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c, err := OpenCodeStore(ctx, e.JS)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10) // several object-store chunks
	big[len(big)-1] = 7
	if err := c.Put(ctx, "keep", big); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, "drop", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(ctx, "keep"); err != nil || len(got) != len(big) || got[len(got)-1] != 7 {
		t.Fatalf("get: %d %v", len(got), err)
	}
	// Within the grace period nothing is removed.
	if n, err := c.Sweep(ctx, func(k string) bool { return k == "keep" }, time.Hour); err != nil || n != 0 {
		t.Fatalf("sweep in grace: %d %v", n, err)
	}
	if n, err := c.Sweep(ctx, func(k string) bool { return k == "keep" }, 0); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if _, err := c.Get(ctx, "drop"); err == nil {
		t.Fatal("unreferenced blob still readable")
	}
}
