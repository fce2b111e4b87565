package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/invoke"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// invoke serves Invoke (reference/lambda-api.md §4).
func (a *API) invoke(w http.ResponseWriter, r *http.Request) error {
	typ := r.Header.Get("X-Amz-Invocation-Type")
	if typ == "" {
		typ = invoke.RequestResponse
	}
	if typ != invoke.RequestResponse && typ != invoke.Event && typ != invoke.DryRun {
		return awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)
	}
	logType := r.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		return awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", logType)
	}
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	payload, err := readPayload(r, typ)
	if err != nil {
		return err
	}
	resp, err := a.inv.Invoke(r.Context(), &invoke.Request{
		RequestID:     requestID(r.Context()),
		Ref:           ref,
		Type:          typ,
		Payload:       payload,
		LogTail:       logType == "Tail" && typ == invoke.RequestResponse,
		ClientContext: r.Header.Get("X-Amz-Client-Context"),
	})
	if err != nil {
		return err
	}
	h := w.Header()
	if resp.Status != http.StatusOK {
		w.WriteHeader(resp.Status)
		return nil
	}
	h.Set("X-Amz-Executed-Version", resp.ExecutedVersion)
	if resp.FunctionError != "" {
		h.Set("X-Amz-Function-Error", resp.FunctionError)
	}
	if resp.LogResult != "" {
		h.Set("X-Amz-Log-Result", resp.LogResult)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", fmt.Sprint(len(resp.Body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp.Body)
	return nil
}

// invokeAsync serves the deprecated InvokeAsync: an Event invoke that
// answers 202 {"Status": 202} (reference/lambda-api.md §4.6).
func (a *API) invokeAsync(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	payload, err := readLimitedPayload(r, 262144, func(n int) error {
		return awserr.Newf(awserr.RequestEntityTooLarge, "%d byte payload is too large for the InvokeAsync operation (limit 262144 bytes)", n)
	})
	if err != nil {
		return err
	}
	if _, err := a.inv.Invoke(r.Context(), &invoke.Request{RequestID: requestID(r.Context()), Ref: ref, Type: invoke.Event, Payload: payload}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]int{"Status": 202})
}

// readPayload reads and checks an Invoke body: size limits by invocation
// type, valid UTF-8 JSON, and an empty body meaning {}.
func readPayload(r *http.Request, typ string) ([]byte, error) {
	if typ == invoke.Event {
		return readLimitedPayload(r, maxEventBody, func(n int) error {
			return awserr.Newf(awserr.RequestEntityTooLarge, "%d byte payload is too large for the Event invocation type (limit %d bytes)", n, maxEventBody)
		})
	}
	return readLimitedPayload(r, maxInvokeBody, func(int) error {
		return awserr.Newf(awserr.RequestEntityTooLarge, "Request must be smaller than %d bytes for the InvokeFunction operation", maxInvokeBody)
	})
}

func readLimitedPayload(r *http.Request, limit int, tooLarge func(n int) error) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return nil, awserr.Newf(awserr.InvalidRequestContent, "Could not read request body: %v", err)
	}
	if len(b) > limit {
		rest, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		return nil, tooLarge(len(b) + int(rest))
	}
	if len(b) == 0 {
		return []byte("{}"), nil
	}
	if err := checkJSON(b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkJSON rejects payloads that are not UTF-8 JSON, with Lambda's
// InvalidRequestContentException (reference/lambda-api.md §4.5).
func checkJSON(b []byte) error {
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return awserr.Newf(awserr.InvalidRequestContent,
			"Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x%02x\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: %d]", b[i], i+1)
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		var se *json.SyntaxError
		col := int64(len(b))
		if errors.As(err, &se) {
			col = se.Offset
		}
		return awserr.Newf(awserr.InvalidRequestContent,
			"Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: %d]", col)
	}
	return nil
}
