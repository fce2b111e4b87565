package api

import (
	"net/http"
	"strconv"

	"github.com/kindling-dev/kindling/internal/lambda"
)

// Event invoke config handlers (reference/lambda-api.md §6.2). The routes
// use the NamespacedFunctionName shape (§8.2).

// eventConfigRef decodes a Put/Update body and validates it together with
// the name and qualifier, so that every constraint failure of the request
// lands in one ValidationException before any other check (§8.3, §8.4).
func (a *API) eventConfigRef(r *http.Request) (lambda.FunctionRef, *lambda.EventInvokeConfigInput, error) {
	var in lambda.EventInvokeConfigInput
	if err := decode(r, &in); err != nil {
		return lambda.FunctionRef{}, nil, err
	}
	var v lambda.Violations
	v.FunctionName(r.PathValue("name"), lambda.PatternNamespaced)
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		v.Qualifier(q)
	}
	v.EventInvokeConfig(&in)
	if err := v.Err(); err != nil {
		return lambda.FunctionRef{}, nil, err
	}
	ref, err := a.ref(r, lambda.PatternNamespaced)
	return ref, &in, err
}

func (a *API) putEventInvokeConfig(w http.ResponseWriter, r *http.Request) error {
	ref, in, err := a.eventConfigRef(r)
	if err != nil {
		return err
	}
	out, err := a.fns.PutEventInvokeConfig(r.Context(), ref, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) updateEventInvokeConfig(w http.ResponseWriter, r *http.Request) error {
	ref, in, err := a.eventConfigRef(r)
	if err != nil {
		return err
	}
	out, err := a.fns.UpdateEventInvokeConfig(r.Context(), ref, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getEventInvokeConfig(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	out, err := a.fns.GetEventInvokeConfig(r.Context(), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteEventInvokeConfig(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	if err := a.fns.DeleteEventInvokeConfig(r.Context(), ref); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listEventInvokeConfigs(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	// The model's MaxFunctionEventInvokeConfigListItems: 1-50 (§6.2).
	max, err := queryRange(r, "MaxItems", 1, 50)
	if err != nil {
		return err
	}
	out, err := a.fns.ListEventInvokeConfigs(r.Context(), ref, r.URL.Query().Get("Marker"), max)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// queryRange reads an optional integer query parameter that must lie in
// [lo, hi]; 0 means absent. Out of range is a ValidationException at the
// camelCase member (§8.3).
func queryRange(r *http.Request, key string, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(key)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	var v lambda.Violations
	switch {
	case err != nil || n < lo:
		v.Add(raw, lowerFirst(key), lambda.MinValue(lo))
	case n > hi:
		v.Add(raw, lowerFirst(key), lambda.MaxValue(hi))
	}
	if v.Len() > 0 {
		return 0, v.Err()
	}
	return n, nil
}
