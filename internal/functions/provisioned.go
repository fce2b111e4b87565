package functions

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// ProvisionStatus reports how many environments this node has allocated
// for a provisioned qualifier, and why the last start failed ("" if not).
type ProvisionStatus func(fn *lambda.Function, qualifier string) (allocated int, failed string)

// ProvisionedConfig is the Get/PutProvisionedConcurrencyConfig response
// (and, with FunctionArn, a ListProvisionedConcurrencyConfigs item).
type ProvisionedConfig struct {
	FunctionArn                              string `json:"FunctionArn,omitempty"`
	RequestedProvisionedConcurrentExecutions int    `json:"RequestedProvisionedConcurrentExecutions"`
	AvailableProvisionedConcurrentExecutions int    `json:"AvailableProvisionedConcurrentExecutions"`
	AllocatedProvisionedConcurrentExecutions int    `json:"AllocatedProvisionedConcurrentExecutions"`
	Status                                   string `json:"Status"`
	StatusReason                             string `json:"StatusReason,omitempty"`
	LastModified                             string `json:"LastModified"`
}

// ListProvisionedOutput is the ListProvisionedConcurrencyConfigs response.
type ListProvisionedOutput struct {
	ProvisionedConcurrencyConfigs []ProvisionedConfig `json:"ProvisionedConcurrencyConfigs"`
	NextMarker                    string              `json:"NextMarker,omitempty"`
}

// SetProvisionStatus tells the service how to read the node's progress.
func (s *Service) SetProvisionStatus(f ProvisionStatus) { s.provStatus = f }

func (s *Service) provisionedView(fn *lambda.Function, q string, p lambda.Provisioned) ProvisionedConfig {
	out := ProvisionedConfig{RequestedProvisionedConcurrentExecutions: p.Requested, LastModified: p.LastModified, Status: "IN_PROGRESS"}
	if s.provStatus != nil {
		allocated, failed := s.provStatus(fn, q)
		out.AllocatedProvisionedConcurrentExecutions = allocated
		out.AvailableProvisionedConcurrentExecutions = allocated
		switch {
		case allocated >= p.Requested:
			out.Status = "READY"
		case failed != "":
			out.Status, out.StatusReason = "FAILED", failed
		}
	}
	return out
}

// provisionedRef checks the qualifier of a provisioned-concurrency call.
func (s *Service) provisionedRef(ref lambda.FunctionRef) (*lambda.Function, error) {
	if ref.Qualifier == "" {
		return nil, awserr.New(awserr.Validation,
			"1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null")
	}
	fn, err := s.get(ref.Name)
	if err != nil {
		return nil, err
	}
	if ref.Qualifier == lambda.LatestVersion {
		return nil, awserr.New(awserr.InvalidParameterValue, "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
	}
	if fn.ProvisionedVersion(ref.Qualifier) == nil {
		return nil, s.notFound(ref.Name, ref.Qualifier)
	}
	return fn, nil
}

// PutProvisioned implements PutProvisionedConcurrencyConfig (202).
func (s *Service) PutProvisioned(ctx context.Context, ref lambda.FunctionRef, n *int) (ProvisionedConfig, error) {
	if n == nil || *n < 1 {
		v := "null"
		if n != nil {
			v = "'" + strconv.Itoa(*n) + "'"
		}
		return ProvisionedConfig{}, awserr.Newf(awserr.Validation,
			"1 validation error detected: Value %s at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1", v)
	}
	if _, err := s.provisionedRef(ref); err != nil {
		return ProvisionedConfig{}, err
	}
	p := lambda.Provisioned{Requested: *n, LastModified: lambda.NowTimestamp(time.Now())}
	fn, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if fn.Provisioned == nil {
			fn.Provisioned = map[string]lambda.Provisioned{}
		}
		fn.Provisioned[ref.Qualifier] = p
		return nil
	})
	if err != nil {
		return ProvisionedConfig{}, mapStoreErr(err, s, ref.Name)
	}
	out := s.provisionedView(fn, ref.Qualifier, p)
	out.Status = "IN_PROGRESS" // the answer to a Put, before any environment is ready
	out.StatusReason = ""
	return out, nil
}

// GetProvisioned implements GetProvisionedConcurrencyConfig.
func (s *Service) GetProvisioned(ctx context.Context, ref lambda.FunctionRef) (ProvisionedConfig, error) {
	fn, err := s.provisionedRef(ref)
	if err != nil {
		return ProvisionedConfig{}, err
	}
	p, ok := fn.Provisioned[ref.Qualifier]
	if !ok {
		return ProvisionedConfig{}, awserr.New(awserr.ProvisionedConcNotFound, "No Provisioned Concurrency Config found for this function")
	}
	return s.provisionedView(fn, ref.Qualifier, p), nil
}

// DeleteProvisioned implements DeleteProvisionedConcurrencyConfig.
func (s *Service) DeleteProvisioned(ctx context.Context, ref lambda.FunctionRef) error {
	if _, err := s.provisionedRef(ref); err != nil {
		return err
	}
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if _, ok := fn.Provisioned[ref.Qualifier]; !ok {
			return errUnchanged
		}
		delete(fn.Provisioned, ref.Qualifier)
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return mapStoreErr(err, s, ref.Name)
	}
	return nil
}

// ListProvisioned implements ListProvisionedConcurrencyConfigs.
func (s *Service) ListProvisioned(ctx context.Context, ref lambda.FunctionRef, marker string, maxItems int) (ListProvisionedOutput, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return ListProvisionedOutput{}, err
	}
	qs := make([]string, 0, len(fn.Provisioned))
	for q := range fn.Provisioned {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	var items []ProvisionedConfig
	for _, q := range qs {
		c := s.provisionedView(fn, q, fn.Provisioned[q])
		c.FunctionArn = s.qarn(fn.Name, q)
		items = append(items, c)
	}
	page, next := paginate(len(items), marker, maxItems, func(i int) string { return qs[i] })
	return ListProvisionedOutput{ProvisionedConcurrencyConfigs: nonNil(items[page[0]:page[1]]), NextMarker: next}, nil
}
