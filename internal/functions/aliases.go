package functions

import (
	"context"
	"errors"
	"strings"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// ListAliasesOutput is the ListAliases response.
type ListAliasesOutput struct {
	NextMarker string                      `json:"NextMarker,omitempty"`
	Aliases    []lambda.AliasConfiguration `json:"Aliases"`
}

// checkAliasTargets verifies the primary and routed versions exist
// (reference/lambda-api.md §5.5).
func (s *Service) checkAliasTargets(fn *lambda.Function, primary string, rc *lambda.RoutingConfig) error {
	if fn.FindVersion(primary) == nil {
		return s.notFound(fn.Name, primary)
	}
	if rc != nil {
		for v := range rc.AdditionalVersionWeights {
			if fn.FindVersion(v) == nil {
				return s.notFound(fn.Name, v)
			}
		}
	}
	return nil
}

// routing drops an empty routing config, as AWS does.
func routing(rc *lambda.RoutingConfig) *lambda.RoutingConfig {
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	c := &lambda.RoutingConfig{AdditionalVersionWeights: map[string]float64{}}
	for k, v := range rc.AdditionalVersionWeights {
		c.AdditionalVersionWeights[k] = v
	}
	return c
}

// CreateAlias implements CreateAlias.
func (s *Service) CreateAlias(ctx context.Context, ref lambda.FunctionRef, in *lambda.CreateAliasInput) (lambda.AliasConfiguration, error) {
	if err := lambda.ValidateCreateAlias(in); err != nil {
		return lambda.AliasConfiguration{}, err
	}
	if _, ok := s.reg.Get(ref.Name); !ok {
		// reference/lambda-api.md §5.5: a missing function is reported with
		// the requested version, "Function not found: ...:<fn>:1".
		return lambda.AliasConfiguration{}, s.notFound(ref.Name, in.FunctionVersion)
	}
	var out lambda.AliasConfiguration
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if err := s.checkAliasTargets(fn, in.FunctionVersion, in.RoutingConfig); err != nil {
			return err
		}
		if fn.FindAlias(in.Name) != nil {
			return awserr.Newf(awserr.ResourceConflict, "Alias already exists: %s", s.qarn(fn.Name, in.Name))
		}
		out = lambda.AliasConfiguration{
			AliasArn:        s.qarn(fn.Name, in.Name),
			Name:            in.Name,
			FunctionVersion: in.FunctionVersion,
			Description:     in.Description,
			RoutingConfig:   routing(in.RoutingConfig),
			RevisionId:      lambda.NewRevisionID(),
		}
		fn.Aliases = append(fn.Aliases, lambda.Alias{Config: out})
		fn.SortAliases()
		return nil
	})
	if err != nil {
		return lambda.AliasConfiguration{}, mapStoreErr(err, s, ref.Name)
	}
	return out, nil
}

// GetAlias implements GetAlias.
func (s *Service) GetAlias(ctx context.Context, ref lambda.FunctionRef, name string) (lambda.AliasConfiguration, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return lambda.AliasConfiguration{}, err
	}
	a := fn.FindAlias(name)
	if a == nil {
		return lambda.AliasConfiguration{}, awserr.Newf(awserr.ResourceNotFound, "Cannot find alias arn: %s", s.qarn(fn.Name, name))
	}
	return a.Config, nil
}

// UpdateAlias implements UpdateAlias.
func (s *Service) UpdateAlias(ctx context.Context, ref lambda.FunctionRef, name string, in *lambda.UpdateAliasInput) (lambda.AliasConfiguration, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return lambda.AliasConfiguration{}, err
	}
	primary := ""
	if a := fn.FindAlias(name); a != nil {
		primary = a.Config.FunctionVersion
	}
	if err := lambda.ValidateUpdateAlias(in, primary); err != nil {
		return lambda.AliasConfiguration{}, err
	}
	var out lambda.AliasConfiguration
	_, err = s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		a := fn.FindAlias(name)
		if a == nil {
			return awserr.Newf(awserr.ResourceNotFound, "Alias not found: %s", s.qarn(fn.Name, name))
		}
		if in.RevisionId != "" && in.RevisionId != a.Config.RevisionId {
			return errRevisionMismatch()
		}
		c := a.Config
		if in.FunctionVersion != nil {
			c.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			c.RoutingConfig = routing(in.RoutingConfig)
		}
		if err := lambda.ValidateRoutingConfig(c.FunctionVersion, c.RoutingConfig); err != nil {
			return err
		}
		if err := s.checkAliasTargets(fn, c.FunctionVersion, c.RoutingConfig); err != nil {
			return err
		}
		c.RevisionId = lambda.NewRevisionID()
		a.Config = c
		out = c
		return nil
	})
	if err != nil {
		return lambda.AliasConfiguration{}, mapStoreErr(err, s, ref.Name)
	}
	return out, nil
}

// DeleteAlias implements DeleteAlias; a missing alias is a no-op (204).
func (s *Service) DeleteAlias(ctx context.Context, ref lambda.FunctionRef, name string) error {
	if _, err := s.get(ref.Name); err != nil {
		return err
	}
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		for i, a := range fn.Aliases {
			if a.Config.Name == name {
				fn.Aliases = append(fn.Aliases[:i], fn.Aliases[i+1:]...)
				delete(fn.EventInvokeConfigs, name) // per-qualifier config goes with the alias
				return nil
			}
		}
		return errUnchanged
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return mapStoreErr(err, s, ref.Name)
	}
	return nil
}

// ListAliases implements ListAliases with an optional FunctionVersion filter.
func (s *Service) ListAliases(ctx context.Context, ref lambda.FunctionRef, version, marker string, maxItems int) (ListAliasesOutput, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return ListAliasesOutput{}, err
	}
	var list []lambda.AliasConfiguration
	for _, a := range fn.Aliases {
		if version == "" || a.Config.FunctionVersion == version {
			list = append(list, a.Config)
		}
	}
	page, next := paginate(len(list), marker, maxItems, func(i int) string { return list[i].Name })
	return ListAliasesOutput{Aliases: nonNil(list[page[0]:page[1]]), NextMarker: next}, nil
}

// TagResource implements TagResource on an unqualified function ARN.
func (s *Service) TagResource(ctx context.Context, resource string, tags map[string]string) error {
	name, err := s.taggable(resource)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return awserr.New(awserr.InvalidParameterValue, "An error occurred and the request cannot be processed.")
	}
	_, err = s.reg.Update(ctx, name, func(fn *lambda.Function) error {
		merged := map[string]string{}
		for k, v := range fn.Tags {
			merged[k] = v
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > 50 {
			return awserr.New(awserr.InvalidParameterValue, "Number of tags exceeds resource tag limit.")
		}
		fn.Tags = merged
		// Tagging changes the function's RevisionId (reference/lambda-api.md §3.2).
		fn.Latest.Config.RevisionId = lambda.NewRevisionID()
		return nil
	})
	return mapErrOrNil(err, s, name)
}

// UntagResource implements UntagResource; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, resource string, keys []string) error {
	name, err := s.taggable(resource)
	if err != nil {
		return err
	}
	if keys == nil {
		return awserr.New(awserr.Validation, "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	_, err = s.reg.Update(ctx, name, func(fn *lambda.Function) error {
		for _, k := range keys {
			delete(fn.Tags, k)
		}
		fn.Latest.Config.RevisionId = lambda.NewRevisionID()
		return nil
	})
	return mapErrOrNil(err, s, name)
}

// ListTags implements ListTags.
func (s *Service) ListTags(ctx context.Context, resource string) (map[string]string, error) {
	name, err := s.taggable(resource)
	if err != nil {
		return nil, err
	}
	fn, err := s.get(name)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range fn.Tags {
		out[k] = v
	}
	return out, nil
}

func mapErrOrNil(err error, s *Service, name string) error {
	if err == nil {
		return nil
	}
	return mapStoreErr(err, s, name)
}

// taggable checks a tag resource ARN (reference/lambda-api.md §9 Tags).
func (s *Service) taggable(resource string) (string, error) {
	const prefix = "arn:aws:lambda:"
	if !strings.HasPrefix(resource, prefix) || !strings.Contains(resource, ":function:") {
		return "", awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|capacity-provider:[a-zA-Z0-9-_]+)", resource)
	}
	ref, err := lambda.ParseFunctionName(resource, lambda.PatternFunctionName)
	if err != nil {
		return "", err
	}
	if ref.Qualifier != "" {
		return "", awserr.New(awserr.InvalidParameterValue, "Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	if err := ref.CheckLocation(s.region, s.account); err != nil {
		return "", err
	}
	if _, ok := s.reg.Get(ref.Name); !ok {
		return "", s.notFound(ref.Name, "")
	}
	return ref.Name, nil
}
