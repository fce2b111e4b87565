// Package awserr holds the AWS Lambda error catalogue as data and renders
// errors exactly as the Lambda service does: an HTTP status, the
// x-amzn-ErrorType header, and a JSON body whose message key casing depends
// on the error type (reference/lambda-api.md §7).
package awserr

import (
	"errors"
	"fmt"
)

// Code is an AWS error type name such as "ResourceNotFoundException".
type Code string

// The error codes Kindling emits. See reference/lambda-api.md §7.2.
const (
	ResourceNotFound        Code = "ResourceNotFoundException"
	InvalidParameterValue   Code = "InvalidParameterValueException"
	Validation              Code = "ValidationException"
	ResourceConflict        Code = "ResourceConflictException"
	PreconditionFailed      Code = "PreconditionFailedException"
	TooManyRequests         Code = "TooManyRequestsException"
	InvalidRequestContent   Code = "InvalidRequestContentException"
	RequestEntityTooLarge   Code = "RequestEntityTooLargeException"
	AccessDenied            Code = "AccessDeniedException"
	UnsupportedMediaType    Code = "UnsupportedMediaTypeException"
	Service                 Code = "ServiceException"
	CodeStorageExceeded     Code = "CodeStorageExceededException"
	UnknownOperation        Code = "UnknownOperationException"
	ServiceUnavailable      Code = "ServiceUnavailableException"
	InvalidZipFile          Code = "InvalidZipFileException"
	ResourceNotReady        Code = "ResourceNotReadyException"
	InvalidRuntime          Code = "InvalidRuntimeException"
	MissingAuthToken        Code = "MissingAuthenticationTokenException"
	UnrecognizedClient      Code = "UnrecognizedClientException"
	InvalidSignature        Code = "InvalidSignatureException"
	IncompleteSignature     Code = "IncompleteSignatureException"
	InvalidCodeSignature    Code = "InvalidCodeSignatureException"
	PolicyLengthExceeded    Code = "PolicyLengthExceededException"
	ProvisionedConcNotFound Code = "ProvisionedConcurrencyConfigNotFoundException"
)

// bodyStyle says how an error's JSON body is shaped.
type bodyStyle int

const (
	styleLower     bodyStyle = iota // {"Type":"User","message":...}
	styleUpper                      // {"Type":"User","Message":...}
	styleMessage                    // {"message":...} (no Type)
	styleUpperOnly                  // {"Message":...} (no Type)
)

type entry struct {
	status int
	style  bodyStyle
}

// catalogue maps each code to its HTTP status and body shape
// (reference/lambda-api.md §7.2, "Body-key casing per model").
var catalogue = map[Code]entry{
	ResourceNotFound:        {404, styleUpper},
	InvalidParameterValue:   {400, styleLower},
	Validation:              {400, styleMessage},
	ResourceConflict:        {409, styleLower},
	PreconditionFailed:      {412, styleLower},
	TooManyRequests:         {429, styleLower},
	InvalidRequestContent:   {400, styleLower},
	RequestEntityTooLarge:   {413, styleMessage},
	AccessDenied:            {403, styleUpperOnly},
	UnsupportedMediaType:    {415, styleLower},
	Service:                 {500, styleUpper},
	CodeStorageExceeded:     {400, styleLower},
	UnknownOperation:        {404, styleMessage},
	ServiceUnavailable:      {503, styleUpper},
	InvalidZipFile:          {502, styleUpper},
	ResourceNotReady:        {502, styleLower},
	InvalidRuntime:          {502, styleUpper},
	MissingAuthToken:        {403, styleMessage},
	UnrecognizedClient:      {403, styleMessage},
	InvalidSignature:        {403, styleMessage},
	IncompleteSignature:     {403, styleMessage},
	InvalidCodeSignature:    {400, styleUpper},
	PolicyLengthExceeded:    {400, styleLower},
	ProvisionedConcNotFound: {404, styleLower},
}

// Error is an AWS-shaped API error.
type Error struct {
	Code    Code
	Message string
	// NoType drops the "Type" key for the few errors AWS sends without it
	// (reference/lambda-api.md §10.1 item 3).
	NoType bool
	// Reason is set for TooManyRequestsException.
	Reason string
	// Cause is an underlying error kept for logs, never rendered.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Cause }

// Status is the HTTP status of the error.
func (e *Error) Status() int {
	if ent, ok := catalogue[e.Code]; ok {
		return ent.status
	}
	return 500
}

// Body is the JSON object sent as the response body.
func (e *Error) Body() map[string]any {
	ent, ok := catalogue[e.Code]
	if !ok {
		ent = entry{500, styleUpper}
	}
	b := map[string]any{}
	switch ent.style {
	case styleLower:
		b["message"] = e.Message
		if !e.NoType {
			b["Type"] = "User"
		}
	case styleUpper:
		b["Message"] = e.Message
		if !e.NoType {
			if e.Code == Service || e.Code == ServiceUnavailable {
				b["Type"] = "Service"
			} else {
				b["Type"] = "User"
			}
		}
	case styleMessage:
		b["message"] = e.Message
	case styleUpperOnly:
		b["Message"] = e.Message
	}
	if e.Reason != "" {
		b["Reason"] = e.Reason
	}
	return b
}

// New returns an error with the given code and message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf returns an error with a formatted message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure as a ServiceException; the cause is
// logged by the renderer, never shown to the client.
func Internal(cause error) *Error {
	return &Error{Code: Service, Message: "An internal error occurred.", Cause: cause}
}

// As extracts an *Error from err, mapping anything else to ServiceException.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
