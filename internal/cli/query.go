package cli

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// A JMESPath implementation for --query and the waiters' path matchers:
// identifiers, sub-expressions, indexes, slices, list/object/flatten/filter
// projections, multi-selects, literals, comparisons, and/or/not, pipes,
// current node, and the common built-in functions.

type jpTok struct {
	kind string // ident, qident, num, lit, str, op, eof
	text string
	val  *ojson.Value
	pos  int
}

var jpBP = map[string]int{
	"eof": 0, "ident": 0, "qident": 0, "lit": 0, "str": 0, "num": 0, "]": 0, ")": 0, ",": 0, "}": 0, ":": 0, "@": 0, "&": 0,
	"|": 1, "||": 2, "&&": 3, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5,
	"[]": 9, "*": 20, "[?": 21, ".": 40, "!": 45, "{": 50, "[": 55, "(": 60,
}

func jpLex(s string) ([]jpTok, error) {
	var toks []jpTok
	rs := []rune(s)
	i := 0
	for i < len(rs) {
		c := rs[i]
		start := i
		switch {
		case unicode.IsSpace(c):
			i++
			continue
		case c == '_' || unicode.IsLetter(c) && c < 128:
			for i < len(rs) && (rs[i] == '_' || rs[i] < 128 && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))) {
				i++
			}
			toks = append(toks, jpTok{kind: "ident", text: string(rs[start:i]), pos: start})
			continue
		case c == '"':
			i++
			for i < len(rs) && rs[i] != '"' {
				if rs[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(rs) {
				return nil, fmt.Errorf("unterminated quoted identifier")
			}
			i++
			var str string
			if err := jsonUnquote(string(rs[start:i]), &str); err != nil {
				return nil, err
			}
			toks = append(toks, jpTok{kind: "qident", text: str, pos: start})
			continue
		case c == '\'':
			i++
			var b strings.Builder
			for i < len(rs) && rs[i] != '\'' {
				if rs[i] == '\\' && i+1 < len(rs) && (rs[i+1] == '\'' || rs[i+1] == '\\') {
					i++
				}
				b.WriteRune(rs[i])
				i++
			}
			if i >= len(rs) {
				return nil, fmt.Errorf("unterminated raw string literal")
			}
			i++
			toks = append(toks, jpTok{kind: "str", val: ojson.NewString(b.String()), pos: start})
			continue
		case c == '`':
			i++
			var b strings.Builder
			for i < len(rs) && rs[i] != '`' {
				if rs[i] == '\\' && i+1 < len(rs) && rs[i+1] == '`' {
					i++
				}
				b.WriteRune(rs[i])
				i++
			}
			if i >= len(rs) {
				return nil, fmt.Errorf("unterminated JSON literal")
			}
			i++
			v, err := ojson.Parse([]byte(b.String()))
			if err != nil {
				v = ojson.NewString(strings.TrimSpace(b.String()))
			}
			toks = append(toks, jpTok{kind: "lit", val: v, pos: start})
			continue
		case c == '-' || unicode.IsDigit(c):
			i++
			for i < len(rs) && unicode.IsDigit(rs[i]) {
				i++
			}
			if string(rs[start:i]) == "-" {
				return nil, fmt.Errorf("unknown token '-'")
			}
			toks = append(toks, jpTok{kind: "num", text: string(rs[start:i]), pos: start})
			continue
		}
		two := ""
		if i+1 < len(rs) {
			two = string(rs[i : i+2])
		}
		switch two {
		case "||", "&&", "==", "!=", "<=", ">=", "[]", "[?":
			toks = append(toks, jpTok{kind: "op", text: two, pos: start})
			i += 2
			continue
		}
		switch c {
		case '.', '*', '|', '[', ']', '(', ')', '{', '}', ',', ':', '@', '&', '!', '<', '>':
			toks = append(toks, jpTok{kind: "op", text: string(c), pos: start})
			i++
			continue
		}
		return nil, fmt.Errorf("unknown token %q", string(c))
	}
	toks = append(toks, jpTok{kind: "eof", pos: len(rs)})
	return toks, nil
}

func jsonUnquote(s string, out *string) error {
	v, err := ojson.Parse([]byte(s))
	if err != nil || v.Kind != ojson.String {
		return fmt.Errorf("invalid quoted identifier %s", s)
	}
	*out = v.Str
	return nil
}

type jpNode struct {
	typ      string
	name     string
	val      *ojson.Value
	children []*jpNode
	keys     []string
	idx      int
	slice    [3]*int
}

type jpParser struct {
	toks []jpTok
	pos  int
}

func (t jpTok) key() string {
	if t.kind == "op" {
		return t.text
	}
	return t.kind
}

func (p *jpParser) peek() jpTok { return p.toks[p.pos] }
func (p *jpParser) peekN(n int) jpTok {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *jpParser) next() jpTok { t := p.toks[p.pos]; p.pos++; return t }

func (p *jpParser) expect(k string) error {
	t := p.next()
	if t.key() != k {
		return fmt.Errorf("expected %s, got %s at position %d", k, t.key(), t.pos)
	}
	return nil
}

type query struct{ root *jpNode }

func compileQuery(s string) (*query, error) {
	toks, err := jpLex(s)
	if err != nil {
		return nil, err
	}
	p := &jpParser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != "eof" {
		return nil, fmt.Errorf("unexpected token %s at position %d", p.peek().key(), p.peek().pos)
	}
	return &query{root: n}, nil
}

func (q *query) search(v *ojson.Value) *ojson.Value { return jpEval(q.root, v) }

func (p *jpParser) expr(bp int) (*jpNode, error) {
	left, err := p.nud()
	if err != nil {
		return nil, err
	}
	for bp < jpBP[p.peek().key()] {
		left, err = p.led(left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

var current = &jpNode{typ: "current"}

func (p *jpParser) nud() (*jpNode, error) {
	t := p.next()
	switch t.key() {
	case "lit", "str":
		return &jpNode{typ: "literal", val: t.val}, nil
	case "ident":
		return &jpNode{typ: "field", name: t.text}, nil
	case "qident":
		if p.peek().key() == "(" {
			return nil, fmt.Errorf("quoted identifier not allowed for function names")
		}
		return &jpNode{typ: "field", name: t.text}, nil
	case "*":
		right, err := p.projectionRHS(jpBP["*"])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "valueProjection", children: []*jpNode{current, right}}, nil
	case "[?":
		return p.filter(current)
	case "{":
		return p.multiHash()
	case "[]":
		right, err := p.projectionRHS(jpBP["[]"])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "projection", children: []*jpNode{{typ: "flatten", children: []*jpNode{current}}, right}}, nil
	case "[":
		switch p.peek().key() {
		case "num", ":":
			return p.indexOrSlice(current)
		case "*":
			if p.peekN(1).key() == "]" {
				p.next()
				p.next()
				right, err := p.projectionRHS(jpBP["*"])
				if err != nil {
					return nil, err
				}
				return &jpNode{typ: "projection", children: []*jpNode{current, right}}, nil
			}
		}
		return p.multiList()
	case "@":
		return current, nil
	case "&":
		e, err := p.expr(jpBP["&"])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "expref", children: []*jpNode{e}}, nil
	case "!":
		e, err := p.expr(jpBP["!"])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "not", children: []*jpNode{e}}, nil
	case "(":
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	return nil, fmt.Errorf("unexpected token %s at position %d", t.key(), t.pos)
}

func (p *jpParser) led(left *jpNode) (*jpNode, error) {
	t := p.next()
	switch k := t.key(); k {
	case ".":
		if p.peek().key() == "*" {
			p.next()
			right, err := p.projectionRHS(jpBP["*"])
			if err != nil {
				return nil, err
			}
			return &jpNode{typ: "valueProjection", children: []*jpNode{left, right}}, nil
		}
		right, err := p.dotRHS(jpBP["."])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "subexpr", children: []*jpNode{left, right}}, nil
	case "|", "||", "&&":
		right, err := p.expr(jpBP[k])
		if err != nil {
			return nil, err
		}
		typ := map[string]string{"|": "pipe", "||": "or", "&&": "and"}[k]
		return &jpNode{typ: typ, children: []*jpNode{left, right}}, nil
	case "==", "!=", "<", "<=", ">", ">=":
		right, err := p.expr(jpBP[k])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "cmp", name: k, children: []*jpNode{left, right}}, nil
	case "(":
		if left.typ != "field" {
			return nil, fmt.Errorf("invalid function call")
		}
		var args []*jpNode
		for p.peek().key() != ")" {
			a, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.peek().key() == "," {
				p.next()
			}
		}
		p.next()
		return &jpNode{typ: "function", name: left.name, children: args}, nil
	case "[?":
		return p.filter(left)
	case "[]":
		right, err := p.projectionRHS(jpBP["[]"])
		if err != nil {
			return nil, err
		}
		return &jpNode{typ: "projection", children: []*jpNode{{typ: "flatten", children: []*jpNode{left}}, right}}, nil
	case "[":
		switch p.peek().key() {
		case "num", ":":
			return p.indexOrSlice(left)
		case "*":
			p.next()
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			right, err := p.projectionRHS(jpBP["*"])
			if err != nil {
				return nil, err
			}
			return &jpNode{typ: "projection", children: []*jpNode{left, right}}, nil
		}
		return nil, fmt.Errorf("expected number, ':' or '*' after '[' at position %d", t.pos)
	}
	return nil, fmt.Errorf("unexpected token %s at position %d", t.key(), t.pos)
}

func (p *jpParser) filter(left *jpNode) (*jpNode, error) {
	cond, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	right, err := p.projectionRHS(jpBP["[?"])
	if err != nil {
		return nil, err
	}
	return &jpNode{typ: "filterProjection", children: []*jpNode{left, right, cond}}, nil
}

func (p *jpParser) indexOrSlice(left *jpNode) (*jpNode, error) {
	var parts [3]*int
	part := 0
	for p.peek().key() != "]" {
		t := p.next()
		switch t.key() {
		case ":":
			part++
			if part > 2 {
				return nil, fmt.Errorf("too many colons in slice")
			}
		case "num":
			n, _ := strconv.Atoi(t.text)
			parts[part] = &n
		default:
			return nil, fmt.Errorf("unexpected token %s in index", t.key())
		}
	}
	p.next()
	if part == 0 {
		return &jpNode{typ: "subexpr", children: []*jpNode{left, {typ: "index", idx: *parts[0]}}}, nil
	}
	right, err := p.projectionRHS(jpBP["*"])
	if err != nil {
		return nil, err
	}
	sl := &jpNode{typ: "slice", slice: parts, children: []*jpNode{left}}
	return &jpNode{typ: "projection", children: []*jpNode{sl, right}}, nil
}

func (p *jpParser) multiList() (*jpNode, error) {
	n := &jpNode{typ: "multiList"}
	for {
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, e)
		if p.peek().key() == "]" {
			p.next()
			return n, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *jpParser) multiHash() (*jpNode, error) {
	n := &jpNode{typ: "multiHash"}
	for {
		t := p.next()
		if t.kind != "ident" && t.kind != "qident" {
			return nil, fmt.Errorf("expected key name at position %d", t.pos)
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, t.text)
		n.children = append(n.children, e)
		if p.peek().key() == "}" {
			p.next()
			return n, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *jpParser) projectionRHS(bp int) (*jpNode, error) {
	k := p.peek().key()
	switch {
	case jpBP[k] < 10:
		return current, nil
	case k == "[" || k == "[?":
		return p.expr(bp)
	case k == ".":
		p.next()
		return p.dotRHS(bp)
	}
	return nil, fmt.Errorf("syntax error after projection at position %d", p.peek().pos)
}

func (p *jpParser) dotRHS(bp int) (*jpNode, error) {
	switch p.peek().key() {
	case "ident", "qident", "*":
		return p.expr(bp)
	case "[":
		p.next()
		return p.multiList()
	case "{":
		p.next()
		return p.multiHash()
	}
	return nil, fmt.Errorf("expected identifier after '.' at position %d", p.peek().pos)
}

var jpNull = &ojson.Value{Kind: ojson.Null}

func isNull(v *ojson.Value) bool { return v == nil || v.Kind == ojson.Null }

func jpEval(n *jpNode, v *ojson.Value) *ojson.Value {
	switch n.typ {
	case "current":
		return v
	case "literal":
		return n.val
	case "field":
		if v != nil && v.Kind == ojson.Object {
			if x := v.Get(n.name); x != nil {
				return x
			}
		}
		return jpNull
	case "subexpr":
		return jpEval(n.children[1], jpEval(n.children[0], v))
	case "pipe":
		return jpEval(n.children[1], jpEval(n.children[0], v))
	case "index":
		if v == nil || v.Kind != ojson.Array {
			return jpNull
		}
		i := n.idx
		if i < 0 {
			i += len(v.Arr)
		}
		if i < 0 || i >= len(v.Arr) {
			return jpNull
		}
		return v.Arr[i]
	case "slice":
		base := jpEval(n.children[0], v)
		if base == nil || base.Kind != ojson.Array {
			return jpNull
		}
		return ojson.NewArray(pySlice(base.Arr, n.slice))
	case "flatten":
		base := jpEval(n.children[0], v)
		if base == nil || base.Kind != ojson.Array {
			return jpNull
		}
		var out []*ojson.Value
		for _, e := range base.Arr {
			if e != nil && e.Kind == ojson.Array {
				out = append(out, e.Arr...)
			} else {
				out = append(out, e)
			}
		}
		return ojson.NewArray(out)
	case "projection", "valueProjection", "filterProjection":
		base := jpEval(n.children[0], v)
		var items []*ojson.Value
		if n.typ == "valueProjection" {
			if base == nil || base.Kind != ojson.Object {
				return jpNull
			}
			for _, m := range base.Members {
				items = append(items, m.Val)
			}
		} else {
			if base == nil || base.Kind != ojson.Array {
				return jpNull
			}
			items = base.Arr
		}
		out := []*ojson.Value{}
		for _, e := range items {
			if n.typ == "filterProjection" && !jpTruthy(jpEval(n.children[2], e)) {
				continue
			}
			if r := jpEval(n.children[1], e); !isNull(r) {
				out = append(out, r)
			}
		}
		return ojson.NewArray(out)
	case "multiList":
		if isNull(v) {
			return jpNull
		}
		out := make([]*ojson.Value, len(n.children))
		for i, c := range n.children {
			out[i] = jpEval(c, v)
		}
		return ojson.NewArray(out)
	case "multiHash":
		if isNull(v) {
			return jpNull
		}
		out := ojson.NewObject()
		for i, c := range n.children {
			out.Set(n.keys[i], jpEval(c, v))
		}
		return out
	case "or":
		l := jpEval(n.children[0], v)
		if jpTruthy(l) {
			return l
		}
		return jpEval(n.children[1], v)
	case "and":
		l := jpEval(n.children[0], v)
		if !jpTruthy(l) {
			return l
		}
		return jpEval(n.children[1], v)
	case "not":
		return jpBool(!jpTruthy(jpEval(n.children[0], v)))
	case "cmp":
		l, r := jpEval(n.children[0], v), jpEval(n.children[1], v)
		switch n.name {
		case "==":
			return jpBool(valuesEqual(l, r))
		case "!=":
			return jpBool(!valuesEqual(l, r))
		}
		if l == nil || r == nil || l.Kind != ojson.Number || r.Kind != ojson.Number {
			return jpNull
		}
		a, _ := strconv.ParseFloat(l.Str, 64)
		b, _ := strconv.ParseFloat(r.Str, 64)
		switch n.name {
		case "<":
			return jpBool(a < b)
		case "<=":
			return jpBool(a <= b)
		case ">":
			return jpBool(a > b)
		}
		return jpBool(a >= b)
	case "expref":
		return &ojson.Value{Kind: ojson.Null}
	case "function":
		return jpCall(n, v)
	}
	return jpNull
}

func pySlice(arr []*ojson.Value, s [3]*int) []*ojson.Value {
	n := len(arr)
	step := 1
	if s[2] != nil {
		step = *s[2]
	}
	if step == 0 {
		return nil
	}
	norm := func(p *int, def int) int {
		if p == nil {
			return def
		}
		i := *p
		if i < 0 {
			i += n
			if i < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
		} else if i >= n {
			if step < 0 {
				return n - 1
			}
			return n
		}
		return i
	}
	var start, stop int
	if step > 0 {
		start, stop = norm(s[0], 0), norm(s[1], n)
	} else {
		start, stop = norm(s[0], n-1), norm(s[1], -1)
		if s[1] == nil {
			stop = -1
		}
	}
	var out []*ojson.Value
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if i >= 0 && i < n {
			out = append(out, arr[i])
		}
	}
	return out
}

func jpBool(b bool) *ojson.Value { return &ojson.Value{Kind: ojson.Bool, Bool: b} }

func jpTruthy(v *ojson.Value) bool {
	if v == nil {
		return false
	}
	switch v.Kind {
	case ojson.Null:
		return false
	case ojson.Bool:
		return v.Bool
	case ojson.String:
		return v.Str != ""
	case ojson.Array:
		return len(v.Arr) > 0
	case ojson.Object:
		return len(v.Members) > 0
	}
	return true
}

func valuesEqual(a, b *ojson.Value) bool {
	if isNull(a) || isNull(b) {
		return isNull(a) && isNull(b)
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case ojson.Bool:
		return a.Bool == b.Bool
	case ojson.String:
		return a.Str == b.Str
	case ojson.Number:
		x, _ := strconv.ParseFloat(a.Str, 64)
		y, _ := strconv.ParseFloat(b.Str, 64)
		return x == y
	case ojson.Array:
		if len(a.Arr) != len(b.Arr) {
			return false
		}
		for i := range a.Arr {
			if !valuesEqual(a.Arr[i], b.Arr[i]) {
				return false
			}
		}
		return true
	}
	if len(a.Members) != len(b.Members) {
		return false
	}
	for _, m := range a.Members {
		if !valuesEqual(m.Val, b.Get(m.Key)) {
			return false
		}
	}
	return true
}

func jpNum(f float64) *ojson.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return ojson.NewNumber(strconv.FormatInt(int64(f), 10))
	}
	return ojson.NewNumber(strconv.FormatFloat(f, 'g', -1, 64))
}

func numOf(v *ojson.Value) (float64, bool) {
	if v == nil || v.Kind != ojson.Number {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.Str, 64)
	return f, err == nil
}

func jpCall(n *jpNode, v *ojson.Value) *ojson.Value {
	args := make([]*ojson.Value, len(n.children))
	for i, c := range n.children {
		if c.typ != "expref" {
			args[i] = jpEval(c, v)
		}
	}
	arg := func(i int) *ojson.Value {
		if i < len(args) && args[i] != nil {
			return args[i]
		}
		return jpNull
	}
	exprArg := func(i int) *jpNode {
		if i < len(n.children) && n.children[i].typ == "expref" {
			return n.children[i].children[0]
		}
		return current
	}
	switch n.name {
	case "length":
		a := arg(0)
		switch a.Kind {
		case ojson.String:
			return jpNum(float64(len([]rune(a.Str))))
		case ojson.Array:
			return jpNum(float64(len(a.Arr)))
		case ojson.Object:
			return jpNum(float64(len(a.Members)))
		}
	case "keys", "values":
		a := arg(0)
		if a.Kind == ojson.Object {
			out := []*ojson.Value{}
			for _, m := range a.Members {
				if n.name == "keys" {
					out = append(out, ojson.NewString(m.Key))
				} else {
					out = append(out, m.Val)
				}
			}
			return ojson.NewArray(out)
		}
	case "contains":
		a, b := arg(0), arg(1)
		if a.Kind == ojson.String && b.Kind == ojson.String {
			return jpBool(strings.Contains(a.Str, b.Str))
		}
		if a.Kind == ojson.Array {
			for _, e := range a.Arr {
				if valuesEqual(e, b) {
					return jpBool(true)
				}
			}
			return jpBool(false)
		}
	case "starts_with", "ends_with":
		a, b := arg(0), arg(1)
		if a.Kind == ojson.String && b.Kind == ojson.String {
			if n.name == "starts_with" {
				return jpBool(strings.HasPrefix(a.Str, b.Str))
			}
			return jpBool(strings.HasSuffix(a.Str, b.Str))
		}
	case "join":
		sep, a := arg(0), arg(1)
		if sep.Kind == ojson.String && a.Kind == ojson.Array {
			parts := make([]string, len(a.Arr))
			for i, e := range a.Arr {
				parts[i] = e.Str
			}
			return ojson.NewString(strings.Join(parts, sep.Str))
		}
	case "to_string":
		a := arg(0)
		if a.Kind == ojson.String {
			return a
		}
		return ojson.NewString(compactJSON(a))
	case "to_number":
		a := arg(0)
		if a.Kind == ojson.Number {
			return a
		}
		if a.Kind == ojson.String {
			if f, err := strconv.ParseFloat(a.Str, 64); err == nil {
				return jpNum(f)
			}
		}
	case "to_array":
		a := arg(0)
		if a.Kind == ojson.Array {
			return a
		}
		return ojson.NewArray([]*ojson.Value{a})
	case "type":
		return ojson.NewString(map[ojson.Kind]string{ojson.Null: "null", ojson.Bool: "boolean", ojson.Number: "number",
			ojson.String: "string", ojson.Array: "array", ojson.Object: "object"}[arg(0).Kind])
	case "not_null":
		for _, a := range args {
			if !isNull(a) {
				return a
			}
		}
	case "abs", "ceil", "floor":
		if f, ok := numOf(arg(0)); ok {
			return jpNum(map[string]func(float64) float64{"abs": math.Abs, "ceil": math.Ceil, "floor": math.Floor}[n.name](f))
		}
	case "sum", "avg", "max", "min":
		a := arg(0)
		if a.Kind != ojson.Array {
			break
		}
		if len(a.Arr) > 0 && a.Arr[0].Kind == ojson.String && (n.name == "max" || n.name == "min") {
			best := a.Arr[0]
			for _, e := range a.Arr[1:] {
				if (n.name == "max" && e.Str > best.Str) || (n.name == "min" && e.Str < best.Str) {
					best = e
				}
			}
			return best
		}
		var fs []float64
		for _, e := range a.Arr {
			if f, ok := numOf(e); ok {
				fs = append(fs, f)
			}
		}
		switch n.name {
		case "sum", "avg":
			s := 0.0
			for _, f := range fs {
				s += f
			}
			if n.name == "avg" {
				if len(fs) == 0 {
					return jpNull
				}
				return jpNum(s / float64(len(fs)))
			}
			return jpNum(s)
		default:
			if len(fs) == 0 {
				return jpNull
			}
			best := fs[0]
			for _, f := range fs[1:] {
				if (n.name == "max" && f > best) || (n.name == "min" && f < best) {
					best = f
				}
			}
			return jpNum(best)
		}
	case "reverse":
		a := arg(0)
		if a.Kind == ojson.Array {
			out := make([]*ojson.Value, len(a.Arr))
			for i, e := range a.Arr {
				out[len(a.Arr)-1-i] = e
			}
			return ojson.NewArray(out)
		}
		if a.Kind == ojson.String {
			rs := []rune(a.Str)
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			return ojson.NewString(string(rs))
		}
	case "sort", "sort_by", "max_by", "min_by":
		a := arg(0)
		if a.Kind != ojson.Array {
			break
		}
		key := func(e *ojson.Value) *ojson.Value { return e }
		if n.name != "sort" {
			ex := exprArg(1)
			key = func(e *ojson.Value) *ojson.Value { return jpEval(ex, e) }
		}
		items := append([]*ojson.Value(nil), a.Arr...)
		less := func(x, y *ojson.Value) bool {
			kx, ky := key(x), key(y)
			if fx, ok := numOf(kx); ok {
				fy, _ := numOf(ky)
				return fx < fy
			}
			return kx.Str < ky.Str
		}
		sort.SliceStable(items, func(i, j int) bool { return less(items[i], items[j]) })
		switch n.name {
		case "max_by":
			if len(items) == 0 {
				return jpNull
			}
			return items[len(items)-1]
		case "min_by":
			if len(items) == 0 {
				return jpNull
			}
			return items[0]
		}
		return ojson.NewArray(items)
	case "map":
		a := arg(1)
		if a.Kind == ojson.Array {
			ex := exprArg(0)
			out := make([]*ojson.Value, len(a.Arr))
			for i, e := range a.Arr {
				out[i] = jpEval(ex, e)
			}
			return ojson.NewArray(out)
		}
	case "merge":
		out := ojson.NewObject()
		for _, a := range args {
			if a != nil && a.Kind == ojson.Object {
				for _, m := range a.Members {
					out.Set(m.Key, m.Val)
				}
			}
		}
		return out
	}
	return jpNull
}

func compactJSON(v *ojson.Value) string {
	s := pyJSONDumps(v)
	// Re-render compactly.
	var b strings.Builder
	var inStr, esc bool
	for _, r := range s {
		if inStr {
			b.WriteRune(r)
			if esc {
				esc = false
			} else if r == '\\' {
				esc = true
			} else if r == '"' {
				inStr = false
			}
			continue
		}
		switch r {
		case '"':
			inStr = true
			b.WriteRune(r)
		case ' ', '\n':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
