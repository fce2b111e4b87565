// Package config is Kindling's server configuration: one struct, defaults,
// flags that win over KINDLING_* environment variables, and validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Config is everything `kindling serve` can be told.
type Config struct {
	Addr       string
	DataDir    string
	Region     string
	AccountID  string
	NATSURL    string
	NodePath   string
	PythonPath string
	// RuntimePaths overrides the interpreter of single runtimes.
	RuntimePaths map[string]string
	IdleTimeout  time.Duration
	AsyncWorkers int
	// AccountConcurrency is the account's concurrent executions limit.
	AccountConcurrency int
	// AsyncTimeScale multiplies async delays and ages; AsyncRetention
	// bounds how long async records are kept.
	AsyncTimeScale float64
	AsyncRetention time.Duration
	SyncAlways     bool
	LogLevel       string
	// Isolation is "auto" (jail environments when running as root) or "off".
	Isolation string
	// MemoryBudgetMB caps the MemorySize sum of live environments.
	MemoryBudgetMB int
	// FreezeIdle stops idle environments between invocations.
	FreezeIdle  bool
	Demo        bool
	AccessKeyID string
	SecretKey   string
}

// DefaultDataDir is ${XDG_DATA_HOME:-$HOME/.local/share}/kindling.
func DefaultDataDir(getenv func(string) string) string {
	base := getenv("XDG_DATA_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "kindling")
}

// Parse reads flags (args without the program and subcommand names) and
// the KINDLING_* environment; flags win.
func Parse(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet("kindling serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:9070", "listen address (host:port; port 0 picks a free one)")
	fs.StringVar(&c.DataDir, "data-dir", DefaultDataDir(getenv), "where JetStream data, code and keys live")
	fs.StringVar(&c.Region, "region", "us-east-1", "AWS region this server answers as")
	fs.StringVar(&c.AccountID, "account-id", "000000000000", "12-digit account id used in ARNs")
	fs.StringVar(&c.NATSURL, "nats-url", "", "NATS cluster to join (empty: embedded JetStream)")
	fs.StringVar(&c.NodePath, "node-path", "/usr/bin/node", "Node.js interpreter for nodejs* runtimes")
	fs.StringVar(&c.PythonPath, "python-path", "/usr/bin/python3", "Python interpreter for python* runtimes")
	fs.Func("runtime-path", "interpreter of one runtime, e.g. nodejs22.x=/opt/node22/bin/node (repeatable, or comma-separated)", func(v string) error {
		if c.RuntimePaths == nil {
			c.RuntimePaths = map[string]string{}
		}
		for _, kv := range strings.Split(v, ",") {
			id, path, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok || id == "" || !strings.HasPrefix(path, "/") {
				return fmt.Errorf("%q: want runtime=/absolute/path", kv)
			}
			c.RuntimePaths[id] = path
		}
		return nil
	})
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", 10*time.Minute, "how long an idle environment stays warm")
	fs.IntVar(&c.AsyncWorkers, "async-workers", 32, "async events run at once on this node")
	fs.Float64Var(&c.AsyncTimeScale, "async-time-scale", 1, "multiply every async retry delay, backoff and event-age limit (e.g. 0.01 for tests and demos)")
	fs.DurationVar(&c.AsyncRetention, "async-retention", 24*time.Hour, "how long async event status, failed events and destination records are kept")
	fs.IntVar(&c.AccountConcurrency, "account-concurrency", 1000, "the account's concurrent executions limit (per node)")
	fs.BoolVar(&c.SyncAlways, "sync-always", false, "fsync every JetStream write (embedded server)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.IntVar(&c.MemoryBudgetMB, "memory-budget", 0, "MB of MemorySize all live environments may add up to (0: 3/4 of the host's memory)")
	fs.BoolVar(&c.FreezeIdle, "freeze-idle", true, "stop idle environments' processes between invocations")
	fs.StringVar(&c.Isolation, "isolation", "auto", "sandbox environments: auto (when root) or off")
	fs.BoolVar(&c.Demo, "demo", false, "create a demo function named hello if it does not exist")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := "KINDLING_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.AccessKeyID = getenv("KINDLING_ACCESS_KEY_ID")
	c.SecretKey = getenv("KINDLING_SECRET_ACCESS_KEY")
	return c, c.Validate()
}

// MinAccountConcurrency keeps room for the 100 unreserved executions AWS
// always leaves.
const MinAccountConcurrency = 100

var (
	accountRe = regexp.MustCompile(`^\d{12}$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)
)

// Validate checks the configuration.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: %w", c.Addr, err)
	}
	if !accountRe.MatchString(c.AccountID) {
		return fmt.Errorf("--account-id %q: must be 12 digits", c.AccountID)
	}
	if !regionRe.MatchString(c.Region) {
		return fmt.Errorf("--region %q: not a region name", c.Region)
	}
	if c.DataDir == "" {
		return errors.New("--data-dir must not be empty")
	}
	if c.AccountConcurrency < MinAccountConcurrency {
		return fmt.Errorf("--account-concurrency must be at least %d (100 stay unreserved)", MinAccountConcurrency)
	}
	if c.Isolation != "auto" && c.Isolation != "off" {
		return fmt.Errorf("--isolation %q: want auto or off", c.Isolation)
	}
	if c.AsyncTimeScale <= 0 || c.AsyncTimeScale > 1 {
		return fmt.Errorf("--async-time-scale %v: want 0 < scale <= 1", c.AsyncTimeScale)
	}
	if c.AsyncRetention < time.Minute {
		return errors.New("--async-retention must be at least 1m")
	}
	if c.AsyncWorkers < 1 {
		return errors.New("--async-workers must be at least 1")
	}
	if (c.AccessKeyID == "") != (c.SecretKey == "") {
		return errors.New("set both KINDLING_ACCESS_KEY_ID and KINDLING_SECRET_ACCESS_KEY, or neither")
	}
	return nil
}
