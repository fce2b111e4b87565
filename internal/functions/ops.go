package functions

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/store"
)

// Account limits reported by GetAccountSettings (reference/lambda-api.md §8.1).
const (
	TotalCodeSizeLimit = 80530636800
	listPageMax        = 50
)

// CodeLocation is GetFunction's Code member.
type CodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is GetFunction's Concurrency member.
type Concurrency struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

// GetFunctionOutput is the GetFunction response.
type GetFunctionOutput struct {
	Configuration lambda.FunctionConfiguration `json:"Configuration"`
	Code          CodeLocation                 `json:"Code"`
	Tags          map[string]string            `json:"Tags,omitempty"`
	Concurrency   *Concurrency                 `json:"Concurrency,omitempty"`
	// CodeKey names the blob behind Code.Location.
	CodeKey string `json:"-"`
}

// Create implements CreateFunction (reference/lambda-api.md §3.0, §3.2).
func (s *Service) Create(ctx context.Context, in *lambda.CreateFunctionInput) (lambda.FunctionConfiguration, error) {
	if err := lambda.ValidateCreate(in); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	ref, err := lambda.ParseFunctionName(in.FunctionName, lambda.PatternFunctionName)
	if err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if err := ref.CheckLocation(s.region, s.account); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if in.PackageType == "Image" {
		return lambda.FunctionConfiguration{}, awserr.New(awserr.InvalidParameterValue,
			"Container images are not supported by Kindling: deploy a .zip package with ZipFile.")
	}
	if in.Runtime == "" || in.Handler == "" {
		return lambda.FunctionConfiguration{}, awserr.New(awserr.InvalidParameterValue,
			"Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := s.checkRuntime(in.Runtime); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	var code lambda.FunctionCode
	if in.Code != nil {
		code = *in.Code
	}
	info, err := checkCode(code.ZipFile, code.S3Bucket, code.S3Key, code.ImageUri)
	if err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if _, exists := s.reg.Get(ref.Name); exists {
		return lambda.FunctionConfiguration{}, awserr.Newf(awserr.ResourceConflict, "Function already exist: %s", ref.Name)
	}

	now := time.Now()
	c := lambda.FunctionConfiguration{
		FunctionName:           ref.Name,
		FunctionArn:            s.arn(ref.Name),
		Runtime:                in.Runtime,
		Role:                   in.Role,
		Handler:                in.Handler,
		CodeSize:               info.Size,
		Description:            in.Description,
		Timeout:                intOr(in.Timeout, 3),
		MemorySize:             intOr(in.MemorySize, 128),
		LastModified:           lambda.NowTimestamp(now),
		CodeSha256:             info.Sha256,
		Version:                lambda.LatestVersion,
		VpcConfig:              vpcResponse(in.VpcConfig),
		DeadLetterConfig:       in.DeadLetterConfig,
		Environment:            envResponse(in.Environment),
		KMSKeyArn:              in.KMSKeyArn,
		TracingConfig:          &lambda.TracingConfig{Mode: "PassThrough"},
		RevisionId:             lambda.NewRevisionID(),
		State:                  lambda.StatePending,
		StateReason:            "The function is being created.",
		StateReasonCode:        "Creating",
		FileSystemConfigs:      in.FileSystemConfigs,
		PackageType:            "Zip",
		Architectures:          []string{"x86_64"},
		EphemeralStorage:       &lambda.EphemeralStorage{Size: 512},
		SnapStart:              &lambda.SnapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"},
		RuntimeVersionConfig:   s.runtimeVersion(in.Runtime),
		LoggingConfig:          loggingConfig(in.LoggingConfig, ref.Name),
		CapacityProviderConfig: in.CapacityProviderConfig,
		DurableConfig:          in.DurableConfig,
		TenancyConfig:          in.TenancyConfig,
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		c.TracingConfig = &lambda.TracingConfig{Mode: in.TracingConfig.Mode}
	}
	if len(in.Architectures) > 0 {
		c.Architectures = append([]string(nil), in.Architectures...)
	}
	if in.EphemeralStorage != nil {
		c.EphemeralStorage = &lambda.EphemeralStorage{Size: in.EphemeralStorage.Size}
	}
	if in.SnapStart != nil && in.SnapStart.ApplyOn != "" {
		c.SnapStart.ApplyOn = in.SnapStart.ApplyOn
	}
	if len(in.ImageConfig) > 0 {
		c.ImageConfigResponse = &lambda.ImageConfigResponse{ImageConfig: in.ImageConfig}
	}
	c.Layers = layerRefs(in.Layers)

	fn := &lambda.Function{Name: ref.Name, Tags: in.Tags}
	fn.Latest = lambda.Version{Config: c, CodeKey: info.Key}
	fn.Latest.Fingerprint = lambda.Fingerprint(c)
	fn.Settling = newSettleID()
	var published *lambda.Version
	if in.Publish {
		published, _ = fn.Publish(nil, now)
		published.Config.State = lambda.StatePending
		published.Config.StateReason, published.Config.StateReasonCode = "The function is being created.", "Creating"
	}

	// The code is durable before the record that references it.
	if err := s.code.Put(ctx, info.Key, code.ZipFile); err != nil {
		return lambda.FunctionConfiguration{}, awserr.Internal(err)
	}
	if err := s.reg.Create(ctx, fn); err != nil {
		if errors.Is(err, store.ErrExists) {
			return lambda.FunctionConfiguration{}, awserr.Newf(awserr.ResourceConflict, "Function already exist: %s", ref.Name)
		}
		return lambda.FunctionConfiguration{}, awserr.Internal(err)
	}
	s.settle(ref.Name, fn.Settling, info.Key, code.ZipFile)
	out := fn.Latest.Config
	if published != nil {
		// reference/lambda-api.md §3.2: Publish=true answers Version "1"
		// with an unqualified FunctionArn.
		out = published.Config
		out.FunctionArn = s.arn(ref.Name)
	}
	return out, nil
}

func (s *Service) runtimeVersion(id string) *lambda.RuntimeVersionConfig {
	rt, _ := s.runtimes.Lookup(id)
	h := lambda.Fingerprint(lambda.FunctionConfiguration{Runtime: id, Handler: rt.Interpreter})
	return &lambda.RuntimeVersionConfig{RuntimeVersionArn: "arn:aws:lambda:" + s.region + "::runtime:" + h}
}

func intOr(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

func vpcResponse(v *lambda.VpcConfig) *lambda.VpcConfig {
	if v == nil {
		return nil
	}
	c := *v
	if c.SubnetIds == nil {
		c.SubnetIds = []string{}
	}
	if c.SecurityGroupIds == nil {
		c.SecurityGroupIds = []string{}
	}
	if c.Ipv6AllowedForDualStack == nil {
		f := false
		c.Ipv6AllowedForDualStack = &f
	}
	c.VpcId = ""
	return &c
}

func envResponse(e *lambda.Environment) *lambda.Environment {
	if e == nil {
		return nil
	}
	vars := map[string]string{}
	for k, v := range e.Variables {
		vars[k] = v
	}
	return &lambda.Environment{Variables: vars}
}

func loggingConfig(in *lambda.LoggingConfig, name string) *lambda.LoggingConfig {
	c := &lambda.LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/" + name}
	if in == nil {
		return c
	}
	if in.LogFormat != "" {
		c.LogFormat = in.LogFormat
	}
	if in.LogGroup != "" {
		c.LogGroup = in.LogGroup
	}
	c.ApplicationLogLevel, c.SystemLogLevel = in.ApplicationLogLevel, in.SystemLogLevel
	if c.LogFormat == "JSON" {
		if c.ApplicationLogLevel == "" {
			c.ApplicationLogLevel = "INFO"
		}
		if c.SystemLogLevel == "" {
			c.SystemLogLevel = "INFO"
		}
	}
	return c
}

func layerRefs(arns []string) []lambda.LayerRef {
	if len(arns) == 0 {
		return nil
	}
	out := make([]lambda.LayerRef, len(arns))
	for i, a := range arns {
		out[i] = lambda.LayerRef{Arn: a}
	}
	return out
}

// resolveConfig finds the configuration a qualified read refers to and
// renders its FunctionArn as Lambda does (reference/lambda-api.md §3.2
// "FunctionArn qualification").
func (s *Service) resolveConfig(fn *lambda.Function, qualifier string) (lambda.FunctionConfiguration, *lambda.Version, error) {
	switch {
	case qualifier == "":
		return fn.Latest.Config, &fn.Latest, nil
	case qualifier == lambda.LatestVersion:
		c := fn.Latest.Config
		c.FunctionArn = s.qarn(fn.Name, lambda.LatestVersion)
		return c, &fn.Latest, nil
	case lambda.IsVersionNumber(qualifier):
		v := fn.FindVersion(qualifier)
		if v == nil {
			return lambda.FunctionConfiguration{}, nil, s.notFound(fn.Name, qualifier)
		}
		return v.Config, v, nil
	default:
		a := fn.FindAlias(qualifier)
		if a == nil {
			return lambda.FunctionConfiguration{}, nil, s.notFound(fn.Name, qualifier)
		}
		v := fn.FindVersion(a.Config.FunctionVersion)
		if v == nil {
			return lambda.FunctionConfiguration{}, nil, s.notFound(fn.Name, qualifier)
		}
		c := v.Config
		c.FunctionArn = s.qarn(fn.Name, qualifier)
		return c, v, nil
	}
}

// GetConfiguration implements GetFunctionConfiguration.
func (s *Service) GetConfiguration(ctx context.Context, ref lambda.FunctionRef) (lambda.FunctionConfiguration, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	c, _, err := s.resolveConfig(fn, ref.Qualifier)
	return c, err
}

// GetFunction implements GetFunction; location is the URL that serves the
// code zip.
func (s *Service) GetFunction(ctx context.Context, ref lambda.FunctionRef, location func(key string) string) (GetFunctionOutput, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return GetFunctionOutput{}, err
	}
	c, v, err := s.resolveConfig(fn, ref.Qualifier)
	if err != nil {
		return GetFunctionOutput{}, err
	}
	out := GetFunctionOutput{Configuration: c, CodeKey: v.CodeKey,
		Code: CodeLocation{RepositoryType: "S3", Location: location(v.CodeKey)}}
	if len(fn.Tags) > 0 {
		out.Tags = fn.Tags
	}
	if fn.ReservedConcurrency != nil {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: fn.ReservedConcurrency}
	}
	return out, nil
}

// CodeInUse reports whether any function references the code blob key.
func (s *Service) CodeInUse(key string) bool {
	for _, fn := range s.reg.All() {
		for _, k := range fn.CodeKeys() {
			if k == key {
				return true
			}
		}
	}
	return false
}

// listEntry strips what list responses omit (reference/lambda-api.md §3.2).
func listEntry(c lambda.FunctionConfiguration) lambda.FunctionConfiguration {
	c.State, c.StateReason, c.StateReasonCode = "", "", ""
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = "", "", ""
	c.RuntimeVersionConfig = nil
	return c
}

// ListFunctionsOutput is the ListFunctions response.
type ListFunctionsOutput struct {
	NextMarker string                         `json:"NextMarker,omitempty"`
	Functions  []lambda.FunctionConfiguration `json:"Functions"`
}

// List implements ListFunctions with Marker/MaxItems paging; all lists
// every version (FunctionVersion=ALL).
func (s *Service) List(ctx context.Context, marker string, maxItems int, all bool) (ListFunctionsOutput, error) {
	var entries []lambda.FunctionConfiguration
	for _, fn := range s.reg.All() {
		if !all {
			entries = append(entries, listEntry(fn.Latest.Config))
			continue
		}
		c := listEntry(fn.Latest.Config)
		c.FunctionArn = s.qarn(fn.Name, lambda.LatestVersion)
		entries = append(entries, c)
		for _, v := range fn.Versions {
			entries = append(entries, listEntry(v.Config))
		}
	}
	page, next := paginate(len(entries), marker, maxItems, func(i int) string { return entries[i].FunctionArn })
	return ListFunctionsOutput{Functions: nonNil(entries[page[0]:page[1]]), NextMarker: next}, nil
}

// paginate returns the [start,end) range after marker and the next marker.
// Markers are the key of the last item of the previous page.
func paginate(n int, marker string, maxItems int, key func(int) string) ([2]int, string) {
	if maxItems <= 0 || maxItems > listPageMax {
		maxItems = listPageMax
	}
	start := 0
	if marker != "" {
		start = sort.Search(n, func(i int) bool { return key(i) > marker })
		// Keys are sorted within a function but not across functions'
		// versions; fall back to a scan when the binary search misses.
		for i := 0; i < n; i++ {
			if key(i) == marker {
				start = i + 1
				break
			}
		}
	}
	end := start + maxItems
	if end >= n {
		return [2]int{min(start, n), n}, ""
	}
	return [2]int{start, end}, key(end - 1)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ListVersionsOutput is the ListVersionsByFunction response.
type ListVersionsOutput struct {
	NextMarker string                         `json:"NextMarker,omitempty"`
	Versions   []lambda.FunctionConfiguration `json:"Versions"`
}

// ListVersions implements ListVersionsByFunction: $LATEST first, then
// versions in ascending numeric order (reference/lambda-api.md §5.3).
func (s *Service) ListVersions(ctx context.Context, ref lambda.FunctionRef, marker string, maxItems int) (ListVersionsOutput, error) {
	fn, err := s.get(ref.Name)
	if err != nil {
		return ListVersionsOutput{}, err
	}
	latest := listEntry(fn.Latest.Config)
	latest.FunctionArn = s.qarn(fn.Name, lambda.LatestVersion)
	entries := []lambda.FunctionConfiguration{latest}
	for _, v := range fn.Versions {
		entries = append(entries, listEntry(v.Config))
	}
	page, next := paginate(len(entries), marker, maxItems, func(i int) string { return entries[i].Version })
	return ListVersionsOutput{Versions: nonNil(entries[page[0]:page[1]]), NextMarker: next}, nil
}

// preconditions checks RevisionId (412) against $LATEST.
func (s *Service) checkRevision(fn *lambda.Function, revision string) error {
	if revision != "" && revision != fn.Latest.Config.RevisionId {
		return errRevisionMismatch()
	}
	return nil
}

// UpdateCode implements UpdateFunctionCode.
func (s *Service) UpdateCode(ctx context.Context, ref lambda.FunctionRef, in *lambda.UpdateFunctionCodeInput) (lambda.FunctionConfiguration, error) {
	if ref.Qualifier != "" && ref.Qualifier != lambda.LatestVersion {
		return lambda.FunctionConfiguration{}, errQualified()
	}
	if err := lambda.ValidateUpdateCode(in); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if _, err := s.get(ref.Name); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if err := checkArchitectures(in.Architectures); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	info, err := checkCode(in.ZipFile, in.S3Bucket, in.S3Key, in.ImageUri)
	if err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if _, err := s.waitSettled(ctx, ref.Name); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if in.DryRun {
		fn, err := s.get(ref.Name)
		if err != nil {
			return lambda.FunctionConfiguration{}, err
		}
		c := fn.Latest.Config
		c.CodeSha256, c.CodeSize = info.Sha256, info.Size
		return c, s.checkRevision(fn, in.RevisionId)
	}
	if err := s.code.Put(ctx, info.Key, in.ZipFile); err != nil {
		return lambda.FunctionConfiguration{}, awserr.Internal(err)
	}
	var published *lambda.Version
	settleID := newSettleID()
	fn, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if fn.Settling != "" {
			return s.errUpdateInProgress(fn.Name)
		}
		if err := s.checkRevision(fn, in.RevisionId); err != nil {
			return err
		}
		c := &fn.Latest.Config
		c.CodeSha256, c.CodeSize = info.Sha256, info.Size
		if len(in.Architectures) > 0 {
			c.Architectures = append([]string(nil), in.Architectures...)
		}
		fn.Latest.CodeKey = info.Key
		fn.BeginUpdate(time.Now(), settleID)
		published = nil
		if in.Publish {
			v, _ := fn.Publish(nil, time.Now())
			v.Config.State, v.Config.StateReason, v.Config.StateReasonCode = lambda.StatePending, "The function is being created.", "Creating"
			published = v
		}
		return nil
	})
	if err != nil {
		return lambda.FunctionConfiguration{}, mapStoreErr(err, s, ref.Name)
	}
	s.settle(ref.Name, settleID, info.Key, in.ZipFile)
	if published != nil {
		return published.Config, nil
	}
	return fn.Latest.Config, nil
}

// UpdateConfig implements UpdateFunctionConfiguration.
func (s *Service) UpdateConfig(ctx context.Context, ref lambda.FunctionRef, in *lambda.UpdateFunctionConfigurationInput) (lambda.FunctionConfiguration, error) {
	if err := lambda.ValidateUpdateConfig(in); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if ref.Qualifier != "" && ref.Qualifier != lambda.LatestVersion {
		return lambda.FunctionConfiguration{}, errQualified()
	}
	if _, err := s.get(ref.Name); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if in.Runtime != nil {
		if err := s.checkRuntime(*in.Runtime); err != nil {
			return lambda.FunctionConfiguration{}, err
		}
	}
	if _, err := s.waitSettled(ctx, ref.Name); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	settleID := newSettleID()
	var codeKey string
	fn, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if fn.Settling != "" {
			return s.errUpdateInProgress(fn.Name)
		}
		if err := s.checkRevision(fn, in.RevisionId); err != nil {
			return err
		}
		applyConfig(&fn.Latest.Config, in, fn.Name)
		if in.Runtime != nil {
			fn.Latest.Config.RuntimeVersionConfig = s.runtimeVersion(*in.Runtime)
		}
		fn.BeginUpdate(time.Now(), settleID)
		codeKey = fn.Latest.CodeKey
		return nil
	})
	if err != nil {
		return lambda.FunctionConfiguration{}, mapStoreErr(err, s, ref.Name)
	}
	s.settle(ref.Name, settleID, codeKey, nil)
	return fn.Latest.Config, nil
}

func applyConfig(c *lambda.FunctionConfiguration, in *lambda.UpdateFunctionConfigurationInput, name string) {
	if in.Role != nil {
		c.Role = *in.Role
	}
	if in.Handler != nil {
		c.Handler = *in.Handler
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.VpcConfig != nil {
		c.VpcConfig = vpcResponse(in.VpcConfig)
	}
	if in.Environment != nil {
		c.Environment = envResponse(in.Environment)
	}
	if in.Runtime != nil {
		c.Runtime = *in.Runtime
	}
	if in.DeadLetterConfig != nil {
		if in.DeadLetterConfig.TargetArn == "" {
			c.DeadLetterConfig = nil
		} else {
			c.DeadLetterConfig = &lambda.DeadLetterConfig{TargetArn: in.DeadLetterConfig.TargetArn}
		}
	}
	if in.KMSKeyArn != nil {
		c.KMSKeyArn = *in.KMSKeyArn
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		c.TracingConfig = &lambda.TracingConfig{Mode: in.TracingConfig.Mode}
	}
	if in.Layers != nil {
		c.Layers = layerRefs(*in.Layers)
	}
	if in.FileSystemConfigs != nil {
		c.FileSystemConfigs = *in.FileSystemConfigs
	}
	if len(in.ImageConfig) > 0 {
		c.ImageConfigResponse = &lambda.ImageConfigResponse{ImageConfig: in.ImageConfig}
	}
	if in.EphemeralStorage != nil {
		c.EphemeralStorage = &lambda.EphemeralStorage{Size: in.EphemeralStorage.Size}
	}
	if in.SnapStart != nil && in.SnapStart.ApplyOn != "" {
		c.SnapStart = &lambda.SnapStartResponse{ApplyOn: in.SnapStart.ApplyOn, OptimizationStatus: "Off"}
	}
	if in.LoggingConfig != nil {
		c.LoggingConfig = loggingConfig(in.LoggingConfig, name)
	}
	if len(in.CapacityProviderConfig) > 0 {
		c.CapacityProviderConfig = in.CapacityProviderConfig
	}
	if len(in.DurableConfig) > 0 {
		c.DurableConfig = in.DurableConfig
	}
}

func mapStoreErr(err error, s *Service, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return s.notFound(name, "")
	}
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return awserr.Internal(err)
}

// Publish implements PublishVersion.
func (s *Service) Publish(ctx context.Context, ref lambda.FunctionRef, in *lambda.PublishVersionInput) (lambda.FunctionConfiguration, error) {
	if err := lambda.ValidatePublishVersion(in); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	if ref.Qualifier != "" && ref.Qualifier != lambda.LatestVersion {
		return lambda.FunctionConfiguration{}, errQualified()
	}
	if _, err := s.waitSettled(ctx, ref.Name); err != nil {
		return lambda.FunctionConfiguration{}, err
	}
	var out lambda.FunctionConfiguration
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		if fn.Settling != "" {
			return s.errUpdateInProgress(fn.Name)
		}
		if in.CodeSha256 != "" && in.CodeSha256 != fn.Latest.Config.CodeSha256 {
			return awserr.Newf(awserr.InvalidParameterValue,
				"CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
				in.CodeSha256, fn.Latest.Config.CodeSha256)
		}
		if err := s.checkRevision(fn, in.RevisionId); err != nil {
			return err
		}
		v, created := fn.Publish(in.Description, time.Now())
		out = v.Config
		if !created {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return out, nil
	}
	if err != nil {
		return lambda.FunctionConfiguration{}, mapStoreErr(err, s, ref.Name)
	}
	return out, nil
}

var errUnchanged = errors.New("unchanged")

// Delete implements DeleteFunction, whole or one version
// (reference/lambda-api.md §5.4).
func (s *Service) Delete(ctx context.Context, ref lambda.FunctionRef) error {
	q := ref.Qualifier
	if q == lambda.LatestVersion {
		return awserr.New(awserr.InvalidParameterValue, "$LATEST version cannot be deleted without deleting the function.")
	}
	if q != "" && !lambda.IsVersionNumber(q) {
		return awserr.New(awserr.InvalidParameterValue, "Deletion of aliases is not currently supported.")
	}
	if _, err := s.get(ref.Name); err != nil {
		return err
	}
	if q == "" {
		if err := s.reg.Delete(ctx, ref.Name); err != nil {
			return mapStoreErr(err, s, ref.Name)
		}
		return nil
	}
	_, err := s.reg.Update(ctx, ref.Name, func(fn *lambda.Function) error {
		idx := -1
		for i, v := range fn.Versions {
			if v.Config.Version == q {
				idx = i
			}
		}
		if idx < 0 {
			return errUnchanged // deleting a missing version is a no-op (204)
		}
		if names := fn.AliasesFor(q); len(names) > 0 {
			return awserr.Newf(awserr.ResourceConflict,
				"Unable to delete version because the following aliases reference it: [%s]", strings.Join(names, ", "))
		}
		fn.Versions = append(fn.Versions[:idx], fn.Versions[idx+1:]...)
		delete(fn.EventInvokeConfigs, q) // per-qualifier config goes with the version
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return mapStoreErr(err, s, ref.Name)
	}
	return nil
}

// AccountSettings is the GetAccountSettings response.
type AccountSettings struct {
	AccountLimit struct {
		TotalCodeSize                  int64 `json:"TotalCodeSize"`
		CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
		CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
		ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
		UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
	} `json:"AccountLimit"`
	AccountUsage struct {
		TotalCodeSize int64 `json:"TotalCodeSize"`
		FunctionCount int64 `json:"FunctionCount"`
	} `json:"AccountUsage"`
}

// GetAccountSettings reports limits and usage (reference/lambda-api.md §9).
func (s *Service) GetAccountSettings(ctx context.Context) AccountSettings {
	var a AccountSettings
	a.AccountLimit.TotalCodeSize = TotalCodeSizeLimit
	a.AccountLimit.CodeSizeUnzipped = 262144000
	a.AccountLimit.CodeSizeZipped = 52428800
	a.AccountLimit.ConcurrentExecutions = s.accountConcurrency
	for _, fn := range s.reg.All() {
		a.AccountUsage.FunctionCount++
		a.AccountUsage.TotalCodeSize += fn.Latest.Config.CodeSize
		for _, v := range fn.Versions {
			a.AccountUsage.TotalCodeSize += v.Config.CodeSize
		}
	}
	a.AccountLimit.UnreservedConcurrentExecutions = s.accountConcurrency - s.reservedSum("")
	return a
}
