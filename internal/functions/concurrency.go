package functions

import (
	"context"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// MinUnreserved is what reservations must leave to the functions without
// one (reference/lambda-api.md §9 Reserved concurrency).
const MinUnreserved = 100

// ConcurrencyOutput is the Put/GetFunctionConcurrency response; it is {}
// when nothing is reserved.
type ConcurrencyOutput struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

// reservedSum adds up every function's reservation except skip's.
func (s *Service) reservedSum(skip string) int {
	sum := 0
	for _, fn := range s.reg.All() {
		if fn.Name != skip && fn.ReservedConcurrency != nil {
			sum += *fn.ReservedConcurrency
		}
	}
	return sum
}

// PutConcurrency implements PutFunctionConcurrency.
func (s *Service) PutConcurrency(ctx context.Context, ref lambda.FunctionRef, n *int) (ConcurrencyOutput, error) {
	if n == nil {
		return ConcurrencyOutput{}, awserr.New(awserr.Validation,
			"1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null")
	}
	if *n < 0 {
		return ConcurrencyOutput{}, awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%d' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0", *n)
	}
	if ref.Qualifier != "" {
		return ConcurrencyOutput{}, errQualified()
	}
	if _, ok := s.reg.Get(ref.Name); !ok {
		// reference/lambda-api.md §9: Put names the :$LATEST ARN.
		return ConcurrencyOutput{}, s.notFound(ref.Name, lambda.LatestVersion)
	}
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if s.accountConcurrency-s.reservedSum(fn.Name)-*n < MinUnreserved {
			return &awserr.Error{Code: awserr.InvalidParameterValue, NoType: true, Message: "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."}
		}
		v := *n
		fn.ReservedConcurrency = &v
		return nil
	})
	if err != nil {
		return ConcurrencyOutput{}, mapStoreErr(err, s, ref.Name)
	}
	return ConcurrencyOutput{ReservedConcurrentExecutions: n}, nil
}

// GetConcurrency implements GetFunctionConcurrency.
func (s *Service) GetConcurrency(ctx context.Context, ref lambda.FunctionRef) (ConcurrencyOutput, error) {
	if ref.Qualifier != "" {
		return ConcurrencyOutput{}, errQualified()
	}
	fn, err := s.get(ref.Name)
	if err != nil {
		return ConcurrencyOutput{}, err
	}
	return ConcurrencyOutput{ReservedConcurrentExecutions: fn.ReservedConcurrency}, nil
}

// DeleteConcurrency implements DeleteFunctionConcurrency.
func (s *Service) DeleteConcurrency(ctx context.Context, ref lambda.FunctionRef) error {
	if ref.Qualifier != "" {
		return errQualified()
	}
	if _, err := s.get(ref.Name); err != nil {
		return err
	}
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		fn.ReservedConcurrency = nil
		return nil
	})
	return mapErrOrNil(err, s, ref.Name)
}
