package api

import (
	"net/http"
	"strconv"

	"github.com/kindling-dev/kindling/internal/async"
	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// Kindling's own async endpoints (docs/COMPATIBILITY.md, "Kindling's own
// API"): per-event status, failed events and their redrive, queue depth,
// and the records kept for destinations that are not functions.

func (a *API) asyncStatus(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	st, ok, err := a.records.Get(r.Context(), id)
	if err != nil {
		return awserr.Internal(err)
	}
	if !ok {
		ev, queued, err := a.queue.Find(r.Context(), id)
		if err != nil {
			return awserr.Internal(err)
		}
		if !queued {
			return awserr.Newf(awserr.ResourceNotFound,
				"No event with request id %s: it is unknown, or older than the retention period.", id)
		}
		st = async.Status{RequestID: ev.RequestID, Function: ev.Function, Qualifier: ev.Qualifier,
			State: async.StateQueued, Accepted: ev.Accepted}
	}
	st.Payload = nil
	return writeJSON(w, http.StatusOK, st)
}

// asyncFunction checks the {name} of an async endpoint.
func (a *API) asyncFunction(r *http.Request) (string, error) {
	ref, err := a.fns.Ref(r.PathValue("name"), "", lambda.PatternFunctionName)
	if err != nil {
		return "", err
	}
	if _, err := a.fns.GetConfiguration(r.Context(), lambda.FunctionRef{Name: ref.Name}); err != nil {
		return "", err
	}
	return ref.Name, nil
}

func (a *API) asyncFailed(w http.ResponseWriter, r *http.Request) error {
	name, err := a.asyncFunction(r)
	if err != nil {
		return err
	}
	failed, err := a.records.Failed(r.Context(), name)
	if err != nil {
		return awserr.Internal(err)
	}
	for i := range failed {
		failed[i].Payload = nil
	}
	return writeJSON(w, http.StatusOK, map[string]any{"FailedEvents": failed})
}

func (a *API) asyncRedrive(w http.ResponseWriter, r *http.Request) error {
	name, err := a.asyncFunction(r)
	if err != nil {
		return err
	}
	var in struct {
		RequestIds []string `json:"RequestIds"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	sent, err := a.records.Redrive(r.Context(), a.queue, name, in.RequestIds)
	if err != nil {
		return awserr.Internal(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Redriven": sent})
}

func (a *API) asyncQueue(w http.ResponseWriter, r *http.Request) error {
	name, err := a.asyncFunction(r)
	if err != nil {
		return err
	}
	info, err := a.queue.Info(r.Context(), name)
	if err != nil {
		return awserr.Internal(err)
	}
	return writeJSON(w, http.StatusOK, info)
}

func (a *API) destinationMessages(w http.ResponseWriter, r *http.Request) error {
	max := 10
	if v := r.URL.Query().Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return awserr.Newf(awserr.Validation,
				"1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	msgs, err := a.records.Messages(r.Context(), r.PathValue("arn"), max)
	if err != nil {
		return awserr.Internal(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Messages": msgs})
}
