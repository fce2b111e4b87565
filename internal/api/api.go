// Package api serves the public AWS Lambda REST API (rest-json, paths and
// status codes of reference/lambda-api.md §2) and Kindling's own endpoints
// under /_kindling. Handlers return errors; one renderer writes them in
// AWS's shape.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/kindling-dev/kindling/internal/async"
	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/functions"
	"github.com/kindling-dev/kindling/internal/invoke"
	"github.com/kindling-dev/kindling/internal/store"
)

// Body size limits per route.
const (
	maxJSONBody   = 70167211 // CreateFunction request limit (reference/lambda-api.md §7.2)
	maxInvokeBody = 6291456  // synchronous invoke payload
	maxEventBody  = 1048576  // Event payload
)

// API is the HTTP front end of one node.
type API struct {
	fns     *functions.Service
	inv     *invoke.Invoker
	code    *store.CodeStore
	queue   *async.Queue
	records *async.Records
	log     *slog.Logger
	mux     *http.ServeMux
}

// New builds the API and its routes.
func New(fns *functions.Service, inv *invoke.Invoker, code *store.CodeStore, queue *async.Queue, records *async.Records, log *slog.Logger) *API {
	a := &API{fns: fns, inv: inv, code: code, queue: queue, records: records, log: log, mux: http.NewServeMux()}
	a.routes()
	return a
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) routes() {
	h := func(pattern string, f handlerFunc) { a.mux.Handle(pattern, a.wrap(f)) }
	h("POST /2015-03-31/functions", a.createFunction)
	h("GET /2015-03-31/functions", a.listFunctions)
	h("GET /2015-03-31/functions/{name}", a.getFunction)
	h("DELETE /2015-03-31/functions/{name}", a.deleteFunction)
	h("GET /2015-03-31/functions/{name}/configuration", a.getConfiguration)
	h("PUT /2015-03-31/functions/{name}/configuration", a.updateConfiguration)
	h("PUT /2015-03-31/functions/{name}/code", a.updateCode)
	h("POST /2015-03-31/functions/{name}/versions", a.publishVersion)
	h("GET /2015-03-31/functions/{name}/versions", a.listVersions)
	h("POST /2015-03-31/functions/{name}/aliases", a.createAlias)
	h("GET /2015-03-31/functions/{name}/aliases", a.listAliases)
	h("GET /2015-03-31/functions/{name}/aliases/{alias}", a.getAlias)
	h("PUT /2015-03-31/functions/{name}/aliases/{alias}", a.updateAlias)
	h("DELETE /2015-03-31/functions/{name}/aliases/{alias}", a.deleteAlias)
	h("PUT /2017-10-31/functions/{name}/concurrency", a.putConcurrency)
	h("GET /2019-09-30/functions/{name}/concurrency", a.getConcurrency)
	h("DELETE /2017-10-31/functions/{name}/concurrency", a.deleteConcurrency)
	h("PUT /2019-09-30/functions/{name}/provisioned-concurrency", a.putProvisioned)
	h("GET /2019-09-30/functions/{name}/provisioned-concurrency", a.getProvisioned)
	h("DELETE /2019-09-30/functions/{name}/provisioned-concurrency", a.deleteProvisioned)
	h("PUT /2019-09-25/functions/{name}/event-invoke-config", a.putEventInvokeConfig)
	h("POST /2019-09-25/functions/{name}/event-invoke-config", a.updateEventInvokeConfig)
	h("GET /2019-09-25/functions/{name}/event-invoke-config", a.getEventInvokeConfig)
	h("DELETE /2019-09-25/functions/{name}/event-invoke-config", a.deleteEventInvokeConfig)
	h("GET /2019-09-25/functions/{name}/event-invoke-config/list", a.listEventInvokeConfigs)
	h("POST /2015-03-31/functions/{name}/invocations", a.invoke)
	h("POST /2014-11-13/functions/{name}/invoke-async", a.invokeAsync)
	h("GET /2016-08-19/account-settings", a.accountSettings)
	h("POST /2017-03-31/tags/{arn}", a.tagResource)
	h("DELETE /2017-03-31/tags/{arn}", a.untagResource)
	h("GET /2017-03-31/tags/{arn}", a.listTags)
	h("GET /_kindling/v1/code/{key}", a.codeDownload)
	h("GET /_kindling/v1/async/events/{id}", a.asyncStatus)
	h("GET /_kindling/v1/functions/{name}/async/failed", a.asyncFailed)
	h("POST /_kindling/v1/functions/{name}/async/redrive", a.asyncRedrive)
	h("GET /_kindling/v1/functions/{name}/async/queue", a.asyncQueue)
	h("GET /_kindling/v1/destinations/{arn}/messages", a.destinationMessages)
	a.mux.HandleFunc("GET /_kindling/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	h("/", func(w http.ResponseWriter, r *http.Request) error {
		return awserr.Newf(awserr.UnknownOperation, "Unknown operation %s %s", r.Method, r.URL.Path)
	})
}

// ServeHTTP tags every response with a request id, normalises a trailing
// slash, and routes.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		r.URL.Path = strings.TrimSuffix(p, "/")
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, "/")
		}
	}
	id := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", id)
	r = r.WithContext(withRequestID(r.Context(), id))
	a.mux.ServeHTTP(w, r)
}

func (a *API) wrap(f handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("panic in handler", "path", r.URL.Path, "panic", p)
				a.renderError(w, r, awserr.Internal(fmt.Errorf("panic: %v", p)))
			}
		}()
		if err := f(w, r); err != nil {
			a.renderError(w, r, err)
		}
	})
}

// renderError writes err in AWS's shape (reference/lambda-api.md §7.1).
func (a *API) renderError(w http.ResponseWriter, r *http.Request, err error) {
	e := awserr.As(err)
	if e.Status() >= 500 {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()), "err", err)
	}
	h := w.Header()
	h.Set("x-amzn-ErrorType", string(e.Code))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status())
	_ = json.NewEncoder(w).Encode(e.Body())
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return awserr.Internal(fmt.Errorf("encode response: %w", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// decode reads a JSON request body into v.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return awserr.Newf(awserr.RequestEntityTooLarge, "Request must be smaller than %d bytes for the operation", maxJSONBody)
		}
		return awserr.Newf(awserr.InvalidRequestContent, "Could not read request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awserr.Newf(awserr.InvalidRequestContent, "Could not parse request body into json: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a decoding failure without echoing the body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("Cannot deserialize value of type %s at '%s'", te.Value, te.Field)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Unexpected character at offset %d", se.Offset)
	}
	return "Malformed JSON"
}

func queryInt(r *http.Request, key string) (int, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1",
			v, lowerFirst(key))
	}
	return n, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func (a *API) codeDownload(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" || !a.fns.CodeInUse(key) {
		return awserr.New(awserr.ResourceNotFound, "The resource you requested does not exist.")
	}
	b, err := a.code.Get(r.Context(), key)
	if err != nil {
		return awserr.Internal(err)
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	return nil
}
