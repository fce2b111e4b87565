// Package store keeps Kindling's state in NATS JetStream: function records
// in a KV bucket (mirrored into an in-memory snapshot by a watch), code
// packages in an object store, and accepted async events in a work-queue
// stream. By default the NATS server is embedded in-process, listens on no
// TCP port, and stores its files under the data directory.
package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MaxPayload is the NATS message size limit configured on the embedded
// server: an Event may carry 1 MB of payload plus metadata, and a function
// record may grow with its versions.
const MaxPayload = 8 << 20

// EngineOptions configures how Kindling reaches JetStream.
type EngineOptions struct {
	// URL of an existing NATS cluster; empty runs an embedded server.
	URL string
	// DataDir is where the embedded server stores JetStream files.
	DataDir string
	// SyncAlways makes the embedded server fsync every write.
	SyncAlways bool
	Logger     *slog.Logger
}

// Engine is a connection to JetStream, with the embedded server if any.
type Engine struct {
	NC       *nats.Conn
	JS       jetstream.JetStream
	embedded *server.Server
}

// OpenEngine starts the embedded server (unless a URL is given) and
// connects to it.
func OpenEngine(ctx context.Context, o EngineOptions) (*Engine, error) {
	e := &Engine{}
	var copts []nats.Option
	copts = append(copts, nats.Name("kindling"), nats.MaxReconnects(-1))
	url := o.URL
	if url == "" {
		sopts := &server.Options{
			ServerName: "kindling",
			JetStream:  true,
			StoreDir:   filepath.Join(o.DataDir, "jetstream"),
			DontListen: true,
			MaxPayload: MaxPayload,
			NoSigs:     true,
			NoLog:      true,
			SyncAlways: o.SyncAlways,
		}
		ns, err := server.NewServer(sopts)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		ns.Start()
		if !ns.ReadyForConnections(30 * time.Second) {
			ns.Shutdown()
			return nil, fmt.Errorf("embedded nats: not ready after 30s")
		}
		e.embedded = ns
		copts = append(copts, nats.InProcessServer(ns))
	}
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("connect nats: %w", err)
	}
	e.NC = nc
	js, err := jetstream.New(nc)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	e.JS = js
	return e, nil
}

// Close drains the connection and stops the embedded server.
func (e *Engine) Close() {
	if e.NC != nil {
		_ = e.NC.Drain()
		for i := 0; i < 100 && !e.NC.IsClosed(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		e.NC.Close()
	}
	if e.embedded != nil {
		e.embedded.Shutdown()
		e.embedded.WaitForShutdown()
	}
}
