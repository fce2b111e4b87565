package invoke

import (
	"github.com/kindling-dev/kindling/internal/lambda"
	"github.com/kindling-dev/kindling/internal/sandbox"
)

// provisionTargets lists, from the snapshot, the environments provisioned
// concurrency wants on this node: per version key, the largest request of
// the version and the aliases pointing at it.
func (iv *Invoker) provisionTargets() []sandbox.Target {
	byKey := map[string]sandbox.Target{}
	for _, fn := range iv.reg.All() {
		for q, p := range fn.Provisioned {
			v := fn.ProvisionedVersion(q)
			if v == nil {
				continue
			}
			key := PoolKey(fn.Name, v)
			if t, ok := byKey[key]; ok && t.Count >= p.Requested {
				continue
			}
			name, version := fn.Name, v
			byKey[key] = sandbox.Target{Function: name, Key: key, Count: p.Requested,
				Spec: func() (*sandbox.Spec, error) { return iv.spec(name, version) }}
		}
	}
	out := make([]sandbox.Target, 0, len(byKey))
	for _, t := range byKey {
		out = append(out, t)
	}
	return out
}

// ProvisionStatus reports this node's progress for a provisioned qualifier.
func (iv *Invoker) ProvisionStatus(fn *lambda.Function, qualifier string) (int, string) {
	v := fn.ProvisionedVersion(qualifier)
	if v == nil {
		return 0, ""
	}
	st := iv.mgr.Provisioned(PoolKey(fn.Name, v))
	return st.Allocated, st.Failed
}
