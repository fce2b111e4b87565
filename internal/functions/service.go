// Package functions is the Lambda control plane: creating, configuring,
// publishing, aliasing, tagging and deleting functions. It validates with
// the domain package, stores through the registry and code store, and runs
// the Pending->Active and InProgress->Successful transitions.
package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/codepkg"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/runtimes"
	"github.com/kindling-dev/kindling/internal/store"
)

// settleWait bounds how long an operation waits for a function's pending
// transition (which takes milliseconds here) before answering 409 as AWS does.
const settleWait = 10 * time.Second

// Service implements the control-plane operations.
type Service struct {
	reg      *store.Registry
	code     *store.CodeStore
	cache    *codepkg.Cache
	runtimes *runtimes.Table
	region   string
	account  string
	log      *slog.Logger
	// accountConcurrency is the account's concurrent executions limit.
	accountConcurrency int
	// provStatus reads this node's provisioned-concurrency progress.
	provStatus ProvisionStatus

	bg     context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Config wires a Service.
type Config struct {
	Registry *store.Registry
	Code     *store.CodeStore
	Cache    *codepkg.Cache
	Runtimes *runtimes.Table
	Region   string
	Account  string
	Logger   *slog.Logger
	// AccountConcurrency is the concurrent executions limit (default 1000).
	AccountConcurrency int
}

// New returns a Service.
func New(c Config) *Service {
	bg, cancel := context.WithCancel(context.Background())
	if c.AccountConcurrency <= 0 {
		c.AccountConcurrency = 1000
	}
	return &Service{reg: c.Registry, code: c.Code, cache: c.Cache, runtimes: c.Runtimes,
		region: c.Region, account: c.Account, log: c.Logger, accountConcurrency: c.AccountConcurrency, bg: bg, cancel: cancel}
}

// Account is the account id of every ARN.
func (s *Service) Account() string { return s.account }

// Close waits for background transitions to finish.
func (s *Service) Close() {
	s.wg.Wait()
	s.cancel()
}

// Resume settles transitions that a previous run left pending (a crash
// between the write and the unpack).
func (s *Service) Resume() {
	for _, fn := range s.reg.All() {
		if fn.Settling != "" {
			s.settle(fn.Name, fn.Settling, fn.Latest.CodeKey, nil)
		}
	}
}

// Ref parses a FunctionName path parameter plus an optional ?Qualifier and
// checks it belongs to this region and account.
func (s *Service) Ref(raw, qualifier string, p lambda.NamePattern) (lambda.FunctionRef, error) {
	ref, err := lambda.ParseFunctionName(raw, p)
	if err != nil {
		return ref, err
	}
	ref, err = ref.WithQualifier(qualifier)
	if err != nil {
		return ref, err
	}
	if err := ref.CheckLocation(s.region, s.account); err != nil {
		return ref, err
	}
	return ref, nil
}

func (s *Service) arn(name string) string { return lambda.FunctionARN(s.region, s.account, name) }

func (s *Service) qarn(name, q string) string {
	return lambda.QualifiedARN(s.region, s.account, name, q)
}

// notFound is ResourceNotFoundException "Function not found: <arn>".
func (s *Service) notFound(name, qualifier string) error {
	if qualifier == "" {
		return awserr.Newf(awserr.ResourceNotFound, "Function not found: %s", s.arn(name))
	}
	return awserr.Newf(awserr.ResourceNotFound, "Function not found: %s", s.qarn(name, qualifier))
}

// get returns the function from the snapshot or the 404 for it.
func (s *Service) get(name string) (*lambda.Function, error) {
	fn, ok := s.reg.Get(name)
	if !ok {
		return nil, s.notFound(name, "")
	}
	return fn, nil
}

// waitSettled waits until the function has no transition in progress.
// Lambda answers 409 to writes during an update and to invokes of a Pending
// function; Kindling's transitions take milliseconds, so it waits instead
// (docs/COMPATIBILITY.md) and answers 409 only if that wait runs out.
func (s *Service) waitSettled(ctx context.Context, name string) (*lambda.Function, error) {
	deadline := time.NewTimer(settleWait)
	defer deadline.Stop()
	for {
		changed := s.reg.WaitChange()
		fn, err := s.get(name)
		if err != nil {
			return nil, err
		}
		if fn.Settling == "" {
			return fn, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			if fn.Latest.Config.State == lambda.StatePending {
				return nil, awserr.New(awserr.ResourceConflict,
					"The operation cannot be performed at this time. The function is currently in the following state: Pending")
			}
			return nil, s.errUpdateInProgress(name)
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for function %s: %w", name, ctx.Err())
		}
	}
}

// WaitActive is waitSettled for the invoke path.
func (s *Service) WaitActive(ctx context.Context, name string) (*lambda.Function, error) {
	return s.waitSettled(ctx, name)
}

// settle runs a transition in the background: unpack the code, then mark
// the function Active/Successful (or Failed) if the transition is still
// the current one.
func (s *Service) settle(name, id, codeKey string, zip []byte) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_, uerr := s.cache.Path(s.bg, codeKey, zip)
		_, err := s.reg.Update(s.bg, name, func(fn *lambda.Function) error {
			if fn.Settling != id {
				return errSkip
			}
			if uerr != nil {
				fn.FailSettle("InvalidZipFileException", "Kindling could not unpack the code package.")
			} else {
				fn.Settle()
			}
			return nil
		})
		if uerr != nil {
			s.log.Error("unpack failed", "function", name, "err", uerr)
		}
		if err != nil && !errors.Is(err, errSkip) && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("settle failed", "function", name, "err", err)
		}
	}()
}

var errSkip = errors.New("skip")

// checkCode validates a ZipFile-only code source and returns its info.
func checkCode(zip []byte, s3Bucket, s3Key, imageURI string) (codepkg.Info, error) {
	if imageURI != "" {
		return codepkg.Info{}, awserr.New(awserr.InvalidParameterValue,
			"Container images are not supported by Kindling: deploy a .zip package with ZipFile.")
	}
	if s3Bucket != "" || s3Key != "" {
		return codepkg.Info{}, awserr.New(awserr.InvalidParameterValue,
			"Kindling accepts code only as ZipFile; S3Bucket/S3Key code locations are not supported.")
	}
	if len(zip) == 0 {
		return codepkg.Info{}, awserr.New(awserr.InvalidParameterValue,
			"Please provide a source for function code.")
	}
	return codepkg.Check(zip)
}

func (s *Service) checkRuntime(id string) error {
	if id == "" {
		return nil
	}
	rt, ok := s.runtimes.Lookup(id)
	if !ok || !rt.Available {
		return awserr.Newf(awserr.InvalidParameterValue,
			"The runtime %s is not available on this Kindling node. Available runtimes: %s", id, s.runtimes.AvailableList())
	}
	return nil
}

func checkArchitectures(archs []string) error {
	host := "x86_64"
	if runtime.GOARCH == "arm64" {
		host = "arm64"
	}
	for _, a := range archs {
		if a != host {
			return awserr.Newf(awserr.InvalidParameterValue,
				"Architecture %s cannot run on this Kindling node, which runs %s.", a, host)
		}
	}
	return nil
}

func newSettleID() string { return uuid.NewString() }

// Errors several operations share (reference/lambda-api.md §5.3, §7.2).

func errRevisionMismatch() error {
	return awserr.New(awserr.PreconditionFailed,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

func errQualified() error {
	return awserr.New(awserr.InvalidParameterValue,
		"This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.")
}

func (s *Service) errUpdateInProgress(name string) error {
	return awserr.Newf(awserr.ResourceConflict,
		"The operation cannot be performed at this time. An update is in progress for resource: %s", s.arn(name))
}
