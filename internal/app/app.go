// Package app is Kindling's composition root: it turns a configuration
// into running components, starts them in order and stops them in reverse.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kindling-dev/kindling/internal/api"
	"github.com/kindling-dev/kindling/internal/async"
	"github.com/kindling-dev/kindling/internal/auth"
	"github.com/kindling-dev/kindling/internal/cgroup"
	"github.com/kindling-dev/kindling/internal/codepkg"
	"github.com/kindling-dev/kindling/internal/config"
	"github.com/kindling-dev/kindling/internal/functions"
	"github.com/kindling-dev/kindling/internal/invoke"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/runtimes"
	"github.com/kindling-dev/kindling/internal/sandbox"
	"github.com/kindling-dev/kindling/internal/store"
)

// shutdownGrace bounds how long in-flight invocations may run on stop.
const shutdownGrace = 30 * time.Second

// Serve runs `kindling serve` until ctx is cancelled.
func Serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	key, created, err := auth.AdminKey(cfg.DataDir, cfg.AccessKeyID, cfg.SecretKey)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "kindling: generated an admin key in %s\n"+
			"kindling: use it with the AWS CLI: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=<see the file> aws --endpoint-url http://%s lambda ...\n",
			filepath.Join(cfg.DataDir, auth.KeyFile), key.AccessKeyID, cfg.Addr)
	}

	engine, err := store.OpenEngine(ctx, store.EngineOptions{URL: cfg.NATSURL, DataDir: cfg.DataDir, SyncAlways: cfg.SyncAlways, Logger: log})
	if err != nil {
		return err
	}
	defer engine.Close()
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	reg, err := store.OpenRegistry(watchCtx, engine.JS, log)
	if err != nil {
		return err
	}
	code, err := store.OpenCodeStore(ctx, engine.JS)
	if err != nil {
		return err
	}
	queue, err := async.OpenQueue(ctx, engine.JS)
	if err != nil {
		return err
	}
	cache, err := codepkg.NewCache(filepath.Join(cfg.DataDir, "code"), code.Get)
	if err != nil {
		return err
	}
	cache.Sweep()
	table := runtimes.NewTable(runtimes.Paths{Node: cfg.NodePath, Python: cfg.PythonPath, ByRuntime: cfg.RuntimePaths})
	for _, rt := range table.All() {
		if !rt.Available {
			log.Warn("runtime unavailable", "runtime", rt.ID, "why", rt.Note)
		} else {
			log.Debug("runtime", "runtime", rt.ID, "served", rt.Note)
		}
	}

	fns := functions.New(functions.Config{Registry: reg, Code: code, Cache: cache, Runtimes: table,
		Region: cfg.Region, Account: cfg.AccountID, Logger: log, AccountConcurrency: cfg.AccountConcurrency})
	defer fns.Close()
	fns.Resume()

	isolate := cfg.Isolation == "auto" && os.Geteuid() == 0
	switch {
	case cfg.Isolation == "off":
		log.Warn("isolation is off: functions run as the server's user on the host filesystem")
	case !isolate:
		log.Warn("not running as root: functions run as the server's user on the host filesystem, without their own /tmp, user or mount namespace")
	}
	var cgroups *cgroup.Manager
	if isolate {
		cgroups = cgroup.DetectWith(cgroup.Options{Logger: log, Instance: cgroup.InstanceID(cfg.DataDir)})
		if n, err := cgroups.Sweep(); err != nil {
			log.Warn("sweeping stale environment cgroups", "err", err)
		} else if n > 0 {
			log.Info("removed stale environment cgroups of a previous run", "count", n)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	mgr, err := sandbox.NewManager(sandbox.Options{
		Cgroups:         cgroups,
		RuntimeDir:      filepath.Join(cfg.DataDir, "runtime"),
		IdleTimeout:     cfg.IdleTimeout,
		Echo:            newEcho(stderr),
		Isolate:         isolate,
		BudgetMB:        cfg.MemoryBudgetMB,
		NoFreeze:        !cfg.FreezeIdle,
		Endpoint:        "http://" + loopbackAddr(ln.Addr()),
		AccessKeyID:     key.AccessKeyID,
		SecretAccessKey: key.SecretAccessKey,
	})
	if err != nil {
		return err
	}
	inv := invoke.New(invoke.Config{Registry: reg, Settler: fns, Manager: mgr, Cache: cache, Runtimes: table,
		Queue: queue, Region: cfg.Region, Account: cfg.AccountID, AccountConcurrency: cfg.AccountConcurrency})
	reg.OnChange(func(name string, fn *lambda.Function) { retire(mgr, name, fn) })
	fns.SetProvisionStatus(inv.ProvisionStatus)

	records, err := async.OpenRecords(ctx, engine.JS, cfg.AsyncRetention)
	if err != nil {
		return err
	}
	processor := &async.Processor{Functions: reg, Runner: inv, Queue: queue, Records: records,
		Region: cfg.Region, Account: cfg.AccountID, Scale: cfg.AsyncTimeScale, Log: log}
	workers, err := async.StartWorkers(ctx, queue, cfg.AsyncWorkers, processor.Process, log)
	if err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           api.New(fns, inv, code, queue, records, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "kindling: listening on http://%s\n", ln.Addr())

	if cfg.Demo {
		if err := createDemo(ctx, fns); err != nil {
			log.Error("demo function", "err", err)
		}
	}
	go sweepCode(ctx, fns, code, cache, log)

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}
	log.Info("shutting down")
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = srv.Shutdown(stopCtx) // waits for in-flight requests, incl. invokes
	workers.Stop(stopCtx)
	mgr.Shutdown(stopCtx)
	return nil
}

// retire stops environments whose version no longer exists as it was.
func retire(mgr *sandbox.Manager, name string, fn *lambda.Function) {
	keep := map[string]bool{}
	if fn != nil {
		keep[invoke.PoolKey(name, &fn.Latest)] = true
		for i := range fn.Versions {
			keep[invoke.PoolKey(name, &fn.Versions[i])] = true
		}
	}
	mgr.Retire(name, func(key string) bool { return keep[key] })
}

// sweepCode removes code blobs and unpacked copies no function references.
func sweepCode(ctx context.Context, fns *functions.Service, code *store.CodeStore, cache *codepkg.Cache, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := code.Sweep(ctx, func(key string) bool {
			if fns.CodeInUse(key) {
				return true
			}
			_ = cache.Remove(key)
			return false
		}, 2*time.Minute)
		if err != nil {
			log.Warn("code sweep", "err", err)
		} else if n > 0 {
			log.Info("removed unreferenced code packages", "count", n)
		}
	}
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// newEcho prints function output on the server's stderr, prefixed with the
// function name and request id.
func newEcho(w io.Writer) sandbox.Echo {
	var mu sync.Mutex
	return func(function, requestID, line string) {
		line = strings.TrimRight(line, "\r\n")
		mu.Lock()
		fmt.Fprintf(w, "[%s %s] %s\n", function, requestID, line)
		mu.Unlock()
	}
}

// loopbackAddr is how local processes reach a listener: an unspecified
// host (0.0.0.0, ::) becomes 127.0.0.1.
func loopbackAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		if ok {
			return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
		}
		return a.String()
	}
	return tcp.String()
}
