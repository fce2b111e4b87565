// Package lambda is Kindling's domain model: functions, versions, aliases,
// their ARNs, name rules and validation. It performs no I/O and imports no
// adapter; the JSON field names are the AWS Lambda API's own
// (reference/lambda-api.md §3).
package lambda

import "encoding/json"

// LatestVersion is the name of the unpublished, mutable version.
const LatestVersion = "$LATEST"

// Function states and update statuses (reference/lambda-api.md §3.2).
const (
	StatePending = "Pending"
	StateActive  = "Active"
	StateFailed  = "Failed"

	UpdateInProgress = "InProgress"
	UpdateSuccessful = "Successful"
	UpdateFailed     = "Failed"
)

// VpcConfig is accepted and echoed; Kindling functions use the host network.
type VpcConfig struct {
	SubnetIds               []string `json:"SubnetIds"`
	SecurityGroupIds        []string `json:"SecurityGroupIds"`
	VpcId                   string   `json:"VpcId,omitempty"`
	Ipv6AllowedForDualStack *bool    `json:"Ipv6AllowedForDualStack,omitempty"`
}

// DeadLetterConfig names where failed async events go.
type DeadLetterConfig struct {
	TargetArn string `json:"TargetArn,omitempty"`
}

// EnvironmentError is part of the EnvironmentResponse shape.
type EnvironmentError struct {
	ErrorCode string `json:"ErrorCode,omitempty"`
	Message   string `json:"Message,omitempty"`
}

// Environment holds a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables"`
	Error     *EnvironmentError `json:"Error,omitempty"`
}

// TracingConfig is the X-Ray mode: Active or PassThrough.
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// LayerRef is a layer attached to a function configuration.
type LayerRef struct {
	Arn                      string `json:"Arn"`
	CodeSize                 int64  `json:"CodeSize"`
	SigningProfileVersionArn string `json:"SigningProfileVersionArn,omitempty"`
	SigningJobArn            string `json:"SigningJobArn,omitempty"`
}

// FileSystemConfig is an EFS mount (accepted and echoed only).
type FileSystemConfig struct {
	Arn            string `json:"Arn"`
	LocalMountPath string `json:"LocalMountPath"`
}

// EphemeralStorage is the size of /tmp in MB.
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// SnapStart is the request form of the SnapStart setting.
type SnapStart struct {
	ApplyOn string `json:"ApplyOn,omitempty"`
}

// SnapStartResponse is the response form of the SnapStart setting.
type SnapStartResponse struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

// RuntimeVersionConfig identifies the runtime build.
type RuntimeVersionConfig struct {
	RuntimeVersionArn string `json:"RuntimeVersionArn,omitempty"`
}

// LoggingConfig is the advanced logging configuration.
type LoggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
}

// ImageConfigResponse echoes a container image configuration.
type ImageConfigResponse struct {
	ImageConfig json.RawMessage `json:"ImageConfig,omitempty"`
}

// FunctionConfiguration is one version's configuration, shaped exactly as the
// AWS FunctionConfiguration response (reference/lambda-api.md §3.1).
type FunctionConfiguration struct {
	FunctionName               string                `json:"FunctionName"`
	FunctionArn                string                `json:"FunctionArn"`
	Runtime                    string                `json:"Runtime,omitempty"`
	Role                       string                `json:"Role"`
	Handler                    string                `json:"Handler,omitempty"`
	CodeSize                   int64                 `json:"CodeSize"`
	Description                string                `json:"Description"`
	Timeout                    int                   `json:"Timeout"`
	MemorySize                 int                   `json:"MemorySize"`
	LastModified               string                `json:"LastModified"`
	CodeSha256                 string                `json:"CodeSha256"`
	Version                    string                `json:"Version"`
	VpcConfig                  *VpcConfig            `json:"VpcConfig,omitempty"`
	DeadLetterConfig           *DeadLetterConfig     `json:"DeadLetterConfig,omitempty"`
	Environment                *Environment          `json:"Environment,omitempty"`
	KMSKeyArn                  string                `json:"KMSKeyArn,omitempty"`
	TracingConfig              *TracingConfig        `json:"TracingConfig,omitempty"`
	MasterArn                  string                `json:"MasterArn,omitempty"`
	RevisionId                 string                `json:"RevisionId"`
	Layers                     []LayerRef            `json:"Layers,omitempty"`
	State                      string                `json:"State,omitempty"`
	StateReason                string                `json:"StateReason,omitempty"`
	StateReasonCode            string                `json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string                `json:"LastUpdateStatus,omitempty"`
	LastUpdateStatusReason     string                `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string                `json:"LastUpdateStatusReasonCode,omitempty"`
	FileSystemConfigs          []FileSystemConfig    `json:"FileSystemConfigs,omitempty"`
	PackageType                string                `json:"PackageType"`
	ImageConfigResponse        *ImageConfigResponse  `json:"ImageConfigResponse,omitempty"`
	SigningProfileVersionArn   string                `json:"SigningProfileVersionArn,omitempty"`
	SigningJobArn              string                `json:"SigningJobArn,omitempty"`
	Architectures              []string              `json:"Architectures"`
	EphemeralStorage           *EphemeralStorage     `json:"EphemeralStorage,omitempty"`
	SnapStart                  *SnapStartResponse    `json:"SnapStart,omitempty"`
	RuntimeVersionConfig       *RuntimeVersionConfig `json:"RuntimeVersionConfig,omitempty"`
	LoggingConfig              *LoggingConfig        `json:"LoggingConfig,omitempty"`
	CapacityProviderConfig     json.RawMessage       `json:"CapacityProviderConfig,omitempty"`
	ConfigSha256               string                `json:"ConfigSha256,omitempty"`
	DurableConfig              json.RawMessage       `json:"DurableConfig,omitempty"`
	TenancyConfig              json.RawMessage       `json:"TenancyConfig,omitempty"`
}

// FunctionCode is the code part of CreateFunction.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageUri        string `json:"ImageUri,omitempty"`
	SourceKMSKeyArn string `json:"SourceKMSKeyArn,omitempty"`
}

// CreateFunctionInput is the CreateFunction request body. Pointers mark
// members whose absence matters.
type CreateFunctionInput struct {
	FunctionName           string             `json:"FunctionName"`
	Runtime                string             `json:"Runtime"`
	Role                   string             `json:"Role"`
	Handler                string             `json:"Handler"`
	Code                   *FunctionCode      `json:"Code"`
	Description            string             `json:"Description"`
	Timeout                *int               `json:"Timeout"`
	MemorySize             *int               `json:"MemorySize"`
	Publish                bool               `json:"Publish"`
	VpcConfig              *VpcConfig         `json:"VpcConfig"`
	PackageType            string             `json:"PackageType"`
	DeadLetterConfig       *DeadLetterConfig  `json:"DeadLetterConfig"`
	Environment            *Environment       `json:"Environment"`
	KMSKeyArn              string             `json:"KMSKeyArn"`
	TracingConfig          *TracingConfig     `json:"TracingConfig"`
	Tags                   map[string]string  `json:"Tags"`
	Layers                 []string           `json:"Layers"`
	FileSystemConfigs      []FileSystemConfig `json:"FileSystemConfigs"`
	ImageConfig            json.RawMessage    `json:"ImageConfig"`
	CodeSigningConfigArn   string             `json:"CodeSigningConfigArn"`
	Architectures          []string           `json:"Architectures"`
	EphemeralStorage       *EphemeralStorage  `json:"EphemeralStorage"`
	SnapStart              *SnapStart         `json:"SnapStart"`
	LoggingConfig          *LoggingConfig     `json:"LoggingConfig"`
	CapacityProviderConfig json.RawMessage    `json:"CapacityProviderConfig"`
	PublishTo              string             `json:"PublishTo"`
	DurableConfig          json.RawMessage    `json:"DurableConfig"`
	TenancyConfig          json.RawMessage    `json:"TenancyConfig"`
}

// UpdateFunctionConfigurationInput is the UpdateFunctionConfiguration body;
// nil members are left unchanged.
type UpdateFunctionConfigurationInput struct {
	Role                   *string             `json:"Role"`
	Handler                *string             `json:"Handler"`
	Description            *string             `json:"Description"`
	Timeout                *int                `json:"Timeout"`
	MemorySize             *int                `json:"MemorySize"`
	VpcConfig              *VpcConfig          `json:"VpcConfig"`
	Environment            *Environment        `json:"Environment"`
	Runtime                *string             `json:"Runtime"`
	DeadLetterConfig       *DeadLetterConfig   `json:"DeadLetterConfig"`
	KMSKeyArn              *string             `json:"KMSKeyArn"`
	TracingConfig          *TracingConfig      `json:"TracingConfig"`
	RevisionId             string              `json:"RevisionId"`
	Layers                 *[]string           `json:"Layers"`
	FileSystemConfigs      *[]FileSystemConfig `json:"FileSystemConfigs"`
	ImageConfig            json.RawMessage     `json:"ImageConfig"`
	EphemeralStorage       *EphemeralStorage   `json:"EphemeralStorage"`
	SnapStart              *SnapStart          `json:"SnapStart"`
	LoggingConfig          *LoggingConfig      `json:"LoggingConfig"`
	CapacityProviderConfig json.RawMessage     `json:"CapacityProviderConfig"`
	DurableConfig          json.RawMessage     `json:"DurableConfig"`
}

// UpdateFunctionCodeInput is the UpdateFunctionCode body.
type UpdateFunctionCodeInput struct {
	ZipFile         []byte   `json:"ZipFile"`
	S3Bucket        string   `json:"S3Bucket"`
	S3Key           string   `json:"S3Key"`
	S3ObjectVersion string   `json:"S3ObjectVersion"`
	ImageUri        string   `json:"ImageUri"`
	Publish         bool     `json:"Publish"`
	DryRun          bool     `json:"DryRun"`
	RevisionId      string   `json:"RevisionId"`
	Architectures   []string `json:"Architectures"`
	SourceKMSKeyArn string   `json:"SourceKMSKeyArn"`
	PublishTo       string   `json:"PublishTo"`
}

// PublishVersionInput is the PublishVersion body.
type PublishVersionInput struct {
	CodeSha256  string  `json:"CodeSha256"`
	Description *string `json:"Description"`
	RevisionId  string  `json:"RevisionId"`
	PublishTo   string  `json:"PublishTo"`
}

// RoutingConfig is an alias's weighted routing.
type RoutingConfig struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights"`
}

// AliasConfiguration is an alias, shaped as the AWS response.
type AliasConfiguration struct {
	AliasArn        string         `json:"AliasArn"`
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RoutingConfig   *RoutingConfig `json:"RoutingConfig,omitempty"`
	RevisionId      string         `json:"RevisionId"`
}

// CreateAliasInput is the CreateAlias body.
type CreateAliasInput struct {
	Name            string         `json:"Name"`
	FunctionVersion string         `json:"FunctionVersion"`
	Description     string         `json:"Description"`
	RoutingConfig   *RoutingConfig `json:"RoutingConfig"`
}

// UpdateAliasInput is the UpdateAlias body; nil members are unchanged.
type UpdateAliasInput struct {
	FunctionVersion *string        `json:"FunctionVersion"`
	Description     *string        `json:"Description"`
	RoutingConfig   *RoutingConfig `json:"RoutingConfig"`
	RevisionId      string         `json:"RevisionId"`
}
