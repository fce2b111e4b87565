package cli

import (
	"sort"
	"strings"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// formatText renders --output text as the AWS CLI does: scalars of a dict
// tab-separated on one line (keys sorted), nested values after it with the
// key upper-cased as an identifier.
func formatText(v *ojson.Value) string {
	var b strings.Builder
	textValue(&b, v, "", nil)
	return b.String()
}

func isScalar(v *ojson.Value) bool {
	return v == nil || (v.Kind != ojson.Object && v.Kind != ojson.Array)
}

func textScalar(v *ojson.Value) string {
	if v == nil {
		return "None"
	}
	return pyScalarText(v)
}

func textValue(b *strings.Builder, v *ojson.Value, ident string, scalarKeys []string) {
	switch {
	case v != nil && v.Kind == ojson.Object:
		textDict(b, v, ident, scalarKeys)
	case v != nil && v.Kind == ojson.Array:
		textList(b, v, ident)
	default:
		b.WriteString(textScalar(v))
		b.WriteString("\n")
	}
}

func textList(b *strings.Builder, v *ojson.Value, ident string) {
	if len(v.Arr) == 0 {
		return
	}
	anyDict, anyList := false, false
	for _, el := range v.Arr {
		if el != nil && el.Kind == ojson.Object {
			anyDict = true
		}
		if el != nil && el.Kind == ojson.Array {
			anyList = true
		}
	}
	switch {
	case anyDict:
		keys := allScalarKeys(v.Arr)
		for _, el := range v.Arr {
			textValue(b, el, ident, keys)
		}
	case anyList:
		var scalars, others []*ojson.Value
		for _, el := range v.Arr {
			if isScalar(el) {
				scalars = append(scalars, el)
			} else {
				others = append(others, el)
			}
		}
		if len(scalars) > 0 {
			textScalarList(b, scalars, ident)
		}
		for _, el := range others {
			textValue(b, el, ident, nil)
		}
	default:
		textScalarList(b, v.Arr, ident)
	}
}

func textScalarList(b *strings.Builder, items []*ojson.Value, ident string) {
	if ident != "" {
		for _, it := range items {
			b.WriteString(strings.ToUpper(ident) + "\t" + textScalar(it) + "\n")
		}
		return
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = textScalar(it)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func allScalarKeys(items []*ojson.Value) []string {
	seen := map[string]bool{}
	for _, it := range items {
		if it == nil || it.Kind != ojson.Object {
			continue
		}
		for _, m := range it.Members {
			if isScalar(m.Val) {
				seen[m.Key] = true
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type keyed struct {
	key string
	val *ojson.Value
}

func sortedMembers(v *ojson.Value) []keyed {
	out := make([]keyed, len(v.Members))
	for i, m := range v.Members {
		out[i] = keyed{m.Key, m.Val}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func textDict(b *strings.Builder, v *ojson.Value, ident string, scalarKeys []string) {
	var scalars []string
	var nonScalars []keyed
	if scalarKeys == nil {
		for _, m := range sortedMembers(v) {
			if isScalar(m.val) {
				scalars = append(scalars, textScalar(m.val))
			} else {
				nonScalars = append(nonScalars, m)
			}
		}
	} else {
		inKeys := map[string]bool{}
		for _, k := range scalarKeys {
			inKeys[k] = true
			if x := v.Get(k); x != nil {
				scalars = append(scalars, textScalar(x))
			} else {
				scalars = append(scalars, "")
			}
		}
		for _, m := range sortedMembers(v) {
			if !inKeys[m.key] {
				nonScalars = append(nonScalars, m)
			}
		}
	}
	if len(scalars) > 0 {
		if ident != "" {
			scalars = append([]string{strings.ToUpper(ident)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, m := range nonScalars {
		textValue(b, m.val, m.key, nil)
	}
}
