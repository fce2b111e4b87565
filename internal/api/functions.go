package api

import (
	"net/http"

	"github.com/kindling-dev/kindling/internal/awserr"
	"github.com/kindling-dev/kindling/internal/lambda"
)

// ref parses the {name} path value with ?Qualifier.
func (a *API) ref(r *http.Request, p lambda.NamePattern) (lambda.FunctionRef, error) {
	return a.fns.Ref(r.PathValue("name"), r.URL.Query().Get("Qualifier"), p)
}

func (a *API) createFunction(w http.ResponseWriter, r *http.Request) error {
	var in lambda.CreateFunctionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.Create(r.Context(), &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) listFunctions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	all := false
	switch v := q.Get("FunctionVersion"); v {
	case "":
	case "ALL":
		all = true
	default:
		// reference/lambda-api.md §3.2 (ListFunctions invalid FunctionVersion).
		return awserr.Newf(awserr.Validation,
			"1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", v)
	}
	max, err := queryInt(r, "MaxItems")
	if err != nil {
		return err
	}
	out, err := a.fns.List(r.Context(), q.Get("Marker"), max, all)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getFunction(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + "/_kindling/v1/code/"
	out, err := a.fns.GetFunction(r.Context(), ref, func(key string) string { return base + key })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getConfiguration(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	out, err := a.fns.GetConfiguration(r.Context(), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteFunction(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	if err := a.fns.Delete(r.Context(), ref); err != nil {
		return err
	}
	// reference/lambda-api.md §1.12: AWS answers 204 although the model says 200.
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) updateConfiguration(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in lambda.UpdateFunctionConfigurationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.UpdateConfig(r.Context(), ref, &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) updateCode(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in lambda.UpdateFunctionCodeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.UpdateCode(r.Context(), ref, &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) publishVersion(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in lambda.PublishVersionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.Publish(r.Context(), ref, &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) listVersions(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternNamespaced)
	if err != nil {
		return err
	}
	max, err := queryInt(r, "MaxItems")
	if err != nil {
		return err
	}
	out, err := a.fns.ListVersions(r.Context(), ref, r.URL.Query().Get("Marker"), max)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) createAlias(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in lambda.CreateAliasInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.CreateAlias(r.Context(), ref, &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) getAlias(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	out, err := a.fns.GetAlias(r.Context(), ref, r.PathValue("alias"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) updateAlias(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in lambda.UpdateAliasInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.UpdateAlias(r.Context(), ref, r.PathValue("alias"), &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteAlias(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	if err := a.fns.DeleteAlias(r.Context(), ref, r.PathValue("alias")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listAliases(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	max, err := queryInt(r, "MaxItems")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	out, err := a.fns.ListAliases(r.Context(), ref, q.Get("FunctionVersion"), q.Get("Marker"), max)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) accountSettings(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, a.fns.GetAccountSettings(r.Context()))
}

func (a *API) tagResource(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tags map[string]string `json:"Tags"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.fns.TagResource(r.Context(), r.PathValue("arn"), in.Tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) untagResource(w http.ResponseWriter, r *http.Request) error {
	keys, ok := r.URL.Query()["tagKeys"]
	if !ok {
		keys = nil
	}
	if err := a.fns.UntagResource(r.Context(), r.PathValue("arn"), keys); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := a.fns.ListTags(r.Context(), r.PathValue("arn"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Tags": tags})
}

func (a *API) putConcurrency(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in struct {
		ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.PutConcurrency(r.Context(), ref, in.ReservedConcurrentExecutions)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getConcurrency(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	out, err := a.fns.GetConcurrency(r.Context(), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteConcurrency(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	if err := a.fns.DeleteConcurrency(r.Context(), ref); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) putProvisioned(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	var in struct {
		ProvisionedConcurrentExecutions *int `json:"ProvisionedConcurrentExecutions"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := a.fns.PutProvisioned(r.Context(), ref, in.ProvisionedConcurrentExecutions)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, out)
}

// getProvisioned serves GetProvisionedConcurrencyConfig and, with
// ?List=ALL, ListProvisionedConcurrencyConfigs (one path, reference/lambda-api.md §2).
func (a *API) getProvisioned(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("List") == "ALL" {
		max, err := queryInt(r, "MaxItems")
		if err != nil {
			return err
		}
		out, err := a.fns.ListProvisioned(r.Context(), ref, r.URL.Query().Get("Marker"), max)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, out)
	}
	out, err := a.fns.GetProvisioned(r.Context(), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteProvisioned(w http.ResponseWriter, r *http.Request) error {
	ref, err := a.ref(r, lambda.PatternFunctionName)
	if err != nil {
		return err
	}
	if err := a.fns.DeleteProvisioned(r.Context(), ref); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
