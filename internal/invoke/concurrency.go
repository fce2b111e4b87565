package invoke

import (
	"sync"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// Throttle reasons (reference/lambda-api.md §4.5).
const (
	ReasonReserved = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccount  = "ConcurrentInvocationLimitExceeded"
)

// limiter counts invocations in flight on this node: per function against
// its reserved concurrency, and for all unreserved functions together
// against what the account limit leaves them. Limits are per node.
type limiter struct {
	account int

	mu         sync.Mutex
	perFn      map[string]int
	unreserved int // in flight for functions without a reservation
	reserved   int // sum of all reservations
}

func newLimiter(account int) *limiter {
	if account <= 0 {
		account = 1000
	}
	return &limiter{account: account, perFn: map[string]int{}}
}

// setReserved records the sum of all reservations.
func (l *limiter) setReserved(sum int) {
	l.mu.Lock()
	l.reserved = sum
	l.mu.Unlock()
}

// throttled is TooManyRequestsException with AWS's body.
func throttled(reason string) error {
	return &awserr.Error{Code: awserr.TooManyRequests, Message: "Rate Exceeded.", Reason: reason}
}

// admit takes a concurrency slot for fn or answers 429; release gives it back.
func (l *limiter) admit(fn *lambda.Function) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := fn.ReservedConcurrency; r != nil {
		if l.perFn[fn.Name] >= *r {
			return nil, throttled(ReasonReserved)
		}
		l.perFn[fn.Name]++
		name := fn.Name
		return func() {
			l.mu.Lock()
			l.perFn[name]--
			if l.perFn[name] == 0 {
				delete(l.perFn, name)
			}
			l.mu.Unlock()
		}, nil
	}
	if l.unreserved >= l.account-l.reserved {
		return nil, throttled(ReasonAccount)
	}
	l.unreserved++
	return func() {
		l.mu.Lock()
		l.unreserved--
		l.mu.Unlock()
	}, nil
}
