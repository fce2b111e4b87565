package cli

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// pv is a parameter value as the AWS CLI holds it before validation: the
// Python objects that argument parsing produces (str, int, float, bool,
// None, bytes, list, dict or OrderedDict, an open file). Keeping the Python
// kinds lets validation report the CLI's exact messages.
type pv struct {
	kind    pkind
	s       string // pStr text; pInt decimal literal; pFile path
	f       float64
	b       bool
	by      []byte
	list    []*pv
	keys    []string
	vals    map[string]*pv
	ordered bool // an OrderedDict (from JSON input) rather than a dict
}

type pkind int

const (
	pStr pkind = iota
	pInt
	pFloat
	pBool
	pNone
	pBytes
	pList
	pDict
	pFile
)

func pvStr(s string) *pv { return &pv{kind: pStr, s: s} }

func pvDict(ordered bool) *pv {
	return &pv{kind: pDict, vals: map[string]*pv{}, ordered: ordered}
}

func (p *pv) get(key string) *pv {
	if p == nil || p.kind != pDict {
		return nil
	}
	return p.vals[key]
}

func (p *pv) has(key string) bool {
	if p == nil || p.kind != pDict {
		return false
	}
	_, ok := p.vals[key]
	return ok
}

func (p *pv) set(key string, v *pv) {
	if _, ok := p.vals[key]; !ok {
		p.keys = append(p.keys, key)
	}
	p.vals[key] = v
}

func (p *pv) del(key string) {
	if _, ok := p.vals[key]; !ok {
		return
	}
	delete(p.vals, key)
	for i, k := range p.keys {
		if k == key {
			p.keys = append(p.keys[:i], p.keys[i+1:]...)
			break
		}
	}
}

// fromJSON converts parsed JSON the way json.loads(object_pairs_hook=OrderedDict) does.
func fromJSON(v *ojson.Value) *pv {
	switch v.Kind {
	case ojson.Null:
		return &pv{kind: pNone}
	case ojson.Bool:
		return &pv{kind: pBool, b: v.Bool}
	case ojson.Number:
		if isIntLiteral(v.Str) {
			n, _ := new(big.Int).SetString(v.Str, 10)
			if n == nil {
				return &pv{kind: pInt, s: v.Str}
			}
			return &pv{kind: pInt, s: n.String()}
		}
		f, _ := strconv.ParseFloat(v.Str, 64)
		return &pv{kind: pFloat, f: f}
	case ojson.String:
		return pvStr(v.Str)
	case ojson.Array:
		out := &pv{kind: pList, list: []*pv{}}
		for _, it := range v.Arr {
			out.list = append(out.list, fromJSON(it))
		}
		return out
	default:
		out := pvDict(true)
		for _, m := range v.Members {
			out.set(m.Key, fromJSON(m.Val))
		}
		return out
	}
}

// pyStr is Python's str() of the value; pyRepr its repr().
func (p *pv) pyStr() string {
	switch p.kind {
	case pStr:
		return p.s
	case pFile:
		return "<_io.BufferedReader name=" + pyStrRepr(p.s) + ">"
	}
	return p.pyRepr()
}

func (p *pv) pyRepr() string {
	switch p.kind {
	case pStr:
		return pyStrRepr(p.s)
	case pInt:
		return p.s
	case pFloat:
		return pyFloatRepr(p.f)
	case pBool:
		if p.b {
			return "True"
		}
		return "False"
	case pNone:
		return "None"
	case pBytes:
		return pyBytesRepr(p.by)
	case pFile:
		return p.pyStr()
	case pList:
		parts := make([]string, len(p.list))
		for i, it := range p.list {
			parts[i] = it.pyRepr()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		parts := make([]string, len(p.keys))
		if p.ordered {
			if len(p.keys) == 0 {
				return "OrderedDict()"
			}
			for i, k := range p.keys {
				parts[i] = "(" + pyStrRepr(k) + ", " + p.vals[k].pyRepr() + ")"
			}
			return "OrderedDict([" + strings.Join(parts, ", ") + "])"
		}
		for i, k := range p.keys {
			parts[i] = pyStrRepr(k) + ": " + p.vals[k].pyRepr()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
}

// pyType is str(type(value)).
func (p *pv) pyType() string {
	switch p.kind {
	case pStr:
		return "<class 'str'>"
	case pInt:
		return "<class 'int'>"
	case pFloat:
		return "<class 'float'>"
	case pBool:
		return "<class 'bool'>"
	case pNone:
		return "<class 'NoneType'>"
	case pBytes:
		return "<class 'bytes'>"
	case pList:
		return "<class 'list'>"
	case pFile:
		return "<class '_io.BufferedReader'>"
	}
	if p.ordered {
		return "<class 'collections.OrderedDict'>"
	}
	return "<class 'dict'>"
}

// toJSON renders validated parameters as the JSON the SDK input structs
// decode: blobs as base64 (encoding/json's []byte form), files as their bytes.
func (p *pv) toJSON(b *strings.Builder) {
	switch p.kind {
	case pStr:
		b.WriteString(jsonQuote(p.s))
	case pInt:
		b.WriteString(p.s)
	case pFloat:
		b.WriteString(strconv.FormatFloat(p.f, 'g', -1, 64))
	case pBool:
		b.WriteString(strconv.FormatBool(p.b))
	case pNone:
		b.WriteString("null")
	case pBytes, pFile:
		b.WriteString(`"` + base64.StdEncoding.EncodeToString(p.by) + `"`)
	case pList:
		b.WriteByte('[')
		for i, it := range p.list {
			if i > 0 {
				b.WriteByte(',')
			}
			it.toJSON(b)
		}
		b.WriteByte(']')
	case pDict:
		b.WriteByte('{')
		for i, k := range p.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(jsonQuote(k))
			b.WriteByte(':')
			p.vals[k].toJSON(b)
		}
		b.WriteByte('}')
	}
}

func jsonQuote(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}
