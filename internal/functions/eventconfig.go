package functions

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/store"
)

// EpochSeconds renders a time as the model's "timestamp" in a rest-json
// body: a JSON number of seconds since the epoch, with milliseconds as the
// fraction (reference/lambda-api.md §1.11). botocore and the Go SDK both
// parse it; a string would break the Go SDK.
type EpochSeconds time.Time

// MarshalJSON writes e.g. 1700000000.123.
func (t EpochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}

// EventInvokeConfigOutput is the FunctionEventInvokeConfig shape: the
// FunctionArn is always qualified (":$LATEST" when no qualifier was
// given), DestinationConfig is always present with {} for an unset side,
// and unset numbers are omitted (reference/lambda-api.md §6.2, §10.1
// item 11).
type EventInvokeConfigOutput struct {
	LastModified             EpochSeconds             `json:"LastModified"`
	FunctionArn              string                   `json:"FunctionArn"`
	MaximumRetryAttempts     *int                     `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int                     `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        lambda.DestinationConfig `json:"DestinationConfig"`
}

// ListEventInvokeConfigsOutput is the ListFunctionEventInvokeConfigs
// response.
type ListEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []EventInvokeConfigOutput `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string                    `json:"NextMarker,omitempty"`
}

func (s *Service) eventConfigView(name, key string, c lambda.EventInvokeConfig) EventInvokeConfigOutput {
	return EventInvokeConfigOutput{
		LastModified:             EpochSeconds(c.LastModified),
		FunctionArn:              s.qarn(name, key),
		MaximumRetryAttempts:     c.MaximumRetryAttempts,
		MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
		DestinationConfig:        c.DestinationConfig,
	}
}

// errFunctionMissing is Put/Update/List's 404 for a missing function,
// version or alias (reference/lambda-api.md §6.2).
func errFunctionMissing() error {
	return awserr.New(awserr.ResourceNotFound, "The function doesn't exist.")
}

// errNoEventConfig is the 404 for a qualifier without a config, also
// answered by Get/Delete for a missing function or qualifier (§6.2).
func (s *Service) errNoEventConfig(name, key string) error {
	return awserr.Newf(awserr.ResourceNotFound, "The function %s doesn't have an EventInvokeConfig", s.qarn(name, key))
}

// qualifierExists reports whether a qualifier names $LATEST, a published
// version or an alias of fn.
func qualifierExists(fn *lambda.Function, key string) bool {
	if key == lambda.LatestVersion {
		return true
	}
	if lambda.IsVersionNumber(key) {
		return fn.FindVersion(key) != nil
	}
	return fn.FindAlias(key) != nil
}

// checkDestinations runs the destination checks that come after the
// function is found (§8.4 step 6): an unsupported service (rendering the
// whole config), the function as its own destination, then a Lambda
// destination that does not exist here.
func (s *Service) checkDestinations(name string, d *lambda.DestinationConfigInput) error {
	if err := lambda.CheckDestinationServices(d); err != nil {
		return err
	}
	for _, arn := range d.Destinations() {
		if lambda.DestinationService(arn) != "lambda" {
			continue
		}
		ref, err := lambda.ParseFunctionName(arn, lambda.PatternFunctionName)
		if err != nil || ref.Region == "" || ref.Account == "" {
			return lambda.ErrDestinationInvalid(arn)
		}
		if ref.Region == s.region && ref.Account == s.account && ref.Name == name {
			return lambda.ErrDestinationSelf()
		}
		if ref.Region != s.region || ref.Account != s.account {
			return lambda.ErrDestinationInvalid(arn)
		}
		target, ok := s.reg.Get(ref.Name)
		if !ok || (ref.Qualifier != "" && !qualifierExists(target, ref.Qualifier)) {
			return lambda.ErrDestinationInvalid(arn)
		}
	}
	return nil
}

// PutEventInvokeConfig implements PutFunctionEventInvokeConfig: the new
// config replaces the qualifier's whole config ("If you exclude any
// settings, they are removed", reference/lambda-api.md §6.2).
func (s *Service) PutEventInvokeConfig(ctx context.Context, ref lambda.FunctionRef, in *lambda.EventInvokeConfigInput) (EventInvokeConfigOutput, error) {
	return s.writeEventInvokeConfig(ctx, ref, in, false)
}

// UpdateEventInvokeConfig implements UpdateFunctionEventInvokeConfig: only
// the settings sent change; within DestinationConfig, only the sides sent
// (an empty side clears it). The qualifier must already have a config.
func (s *Service) UpdateEventInvokeConfig(ctx context.Context, ref lambda.FunctionRef, in *lambda.EventInvokeConfigInput) (EventInvokeConfigOutput, error) {
	return s.writeEventInvokeConfig(ctx, ref, in, true)
}

func (s *Service) writeEventInvokeConfig(ctx context.Context, ref lambda.FunctionRef, in *lambda.EventInvokeConfigInput, merge bool) (EventInvokeConfigOutput, error) {
	if err := lambda.ValidateEventInvokeConfig(in); err != nil {
		return EventInvokeConfigOutput{}, err
	}
	key := lambda.EventInvokeConfigKey(ref.Qualifier)
	fn, ok := s.reg.Get(ref.Name)
	if !ok || !qualifierExists(fn, key) {
		return EventInvokeConfigOutput{}, errFunctionMissing()
	}
	if merge {
		if _, ok := fn.EventInvokeConfigs[key]; !ok {
			return EventInvokeConfigOutput{}, s.errNoEventConfig(ref.Name, key)
		}
	}
	if err := s.checkDestinations(ref.Name, in.DestinationConfig); err != nil {
		return EventInvokeConfigOutput{}, err
	}
	var stored lambda.EventInvokeConfig
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if !qualifierExists(fn, key) {
			return errFunctionMissing()
		}
		c, had := fn.EventInvokeConfigs[key]
		switch {
		case !merge:
			c = lambda.EventInvokeConfig{DestinationConfig: in.DestinationConfig.Stored()}
		case !had:
			return s.errNoEventConfig(fn.Name, key)
		case in.DestinationConfig != nil:
			if d := in.DestinationConfig; d.OnSuccess != nil {
				c.DestinationConfig.OnSuccess = d.Stored().OnSuccess
			}
			if d := in.DestinationConfig; d.OnFailure != nil {
				c.DestinationConfig.OnFailure = d.Stored().OnFailure
			}
		}
		if !merge || in.MaximumRetryAttempts != nil {
			c.MaximumRetryAttempts = copyInt(in.MaximumRetryAttempts)
		}
		if !merge || in.MaximumEventAgeInSeconds != nil {
			c.MaximumEventAgeInSeconds = copyInt(in.MaximumEventAgeInSeconds)
		}
		c.LastModified = time.Now().UTC()
		if fn.EventInvokeConfigs == nil {
			fn.EventInvokeConfigs = map[string]lambda.EventInvokeConfig{}
		}
		fn.EventInvokeConfigs[key] = c
		stored = c
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return EventInvokeConfigOutput{}, errFunctionMissing()
	}
	if err != nil {
		return EventInvokeConfigOutput{}, mapStoreErr(err, s, ref.Name)
	}
	return s.eventConfigView(ref.Name, key, stored), nil
}

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// GetEventInvokeConfig implements GetFunctionEventInvokeConfig. A missing
// function or qualifier gets the "doesn't have an EventInvokeConfig" 404,
// as on AWS (§6.2).
func (s *Service) GetEventInvokeConfig(ctx context.Context, ref lambda.FunctionRef) (EventInvokeConfigOutput, error) {
	key := lambda.EventInvokeConfigKey(ref.Qualifier)
	fn, ok := s.reg.Get(ref.Name)
	if !ok {
		return EventInvokeConfigOutput{}, s.errNoEventConfig(ref.Name, key)
	}
	c, ok := fn.EventInvokeConfigs[key]
	if !ok {
		return EventInvokeConfigOutput{}, s.errNoEventConfig(ref.Name, key)
	}
	return s.eventConfigView(fn.Name, key, c), nil
}

// DeleteEventInvokeConfig implements DeleteFunctionEventInvokeConfig (204);
// deleting a config that does not exist is a 404 (§6.2).
func (s *Service) DeleteEventInvokeConfig(ctx context.Context, ref lambda.FunctionRef) error {
	key := lambda.EventInvokeConfigKey(ref.Qualifier)
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if _, ok := fn.EventInvokeConfigs[key]; !ok {
			return s.errNoEventConfig(fn.Name, key)
		}
		delete(fn.EventInvokeConfigs, key)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.errNoEventConfig(ref.Name, key)
	}
	if err != nil {
		return mapStoreErr(err, s, ref.Name)
	}
	return nil
}

// ListEventInvokeConfigs implements ListFunctionEventInvokeConfigs: every
// qualifier's config, $LATEST first, then versions in ascending order, then
// aliases by name; the marker is the last qualifier of the previous page.
// A qualifier on the function name is ignored: the list is the function's.
func (s *Service) ListEventInvokeConfigs(ctx context.Context, ref lambda.FunctionRef, marker string, maxItems int) (ListEventInvokeConfigsOutput, error) {
	fn, ok := s.reg.Get(ref.Name)
	if !ok {
		return ListEventInvokeConfigsOutput{}, errFunctionMissing()
	}
	keys := make([]string, 0, len(fn.EventInvokeConfigs))
	for k := range fn.EventInvokeConfigs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return qualifierLess(keys[i], keys[j]) })
	items := make([]EventInvokeConfigOutput, len(keys))
	for i, k := range keys {
		items[i] = s.eventConfigView(fn.Name, k, fn.EventInvokeConfigs[k])
	}
	page, next := paginate(len(items), marker, maxItems, func(i int) string { return keys[i] })
	return ListEventInvokeConfigsOutput{FunctionEventInvokeConfigs: nonNil(items[page[0]:page[1]]), NextMarker: next}, nil
}

// qualifierLess orders $LATEST, then versions numerically, then aliases.
func qualifierLess(a, b string) bool {
	rank := func(q string) int {
		switch {
		case q == lambda.LatestVersion:
			return 0
		case lambda.IsVersionNumber(q):
			return 1
		}
		return 2
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra < rb
	}
	if ra == 1 {
		na, _ := strconv.Atoi(a)
		nb, _ := strconv.Atoi(b)
		return na < nb
	}
	return a < b
}
