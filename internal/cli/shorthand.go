package cli

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The AWS CLI "shorthand" syntax for structure, map and list-of-structure
// arguments: `Key=Value,Key2=[a,b],Key3={A=1,B=2}`. Grammar and error texts
// follow the AWS CLI v2 documentation and behaviour.

var (
	shSingleQuoted = regexp.MustCompile(`^'(?:\\\\|\\'|[^'])*'`)
	shDoubleQuoted = regexp.MustCompile(`^"(?:\\\\|\\"|[^"])*"`)
	shFirstValue   = regexp.MustCompile(`^(?:\\,|[!#-&(-+\--<>-Z\\-z|-\x{ffff}])(?:\\,|[\s!#-&(-+\--\\^-|~-\x{ffff}])*`)
	shSecondValue  = regexp.MustCompile(`^(?:\\,|[!#-&(-+\--<>-Z\\-z|-\x{ffff}])(?:\\,|[\s!#-&(-+\--<>-\x{ffff}])*`)
)

const shKeyChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.#/:"

type shorthandError struct{ msg string }

func (e *shorthandError) Error() string { return e.msg }

type shorthandParser struct {
	in  []rune
	pos int
}

func parseShorthand(s string) (p *pv, err error) {
	sp := &shorthandParser{in: []rune(s)}
	defer func() {
		if r := recover(); r != nil {
			if se, ok := r.(*shorthandError); ok {
				p, err = nil, se
				return
			}
			panic(r)
		}
	}()
	return sp.parameter(), nil
}

func (sp *shorthandParser) errorLocation(index int) string {
	value := string(sp.in)
	consumed, remaining, numSpaces := value, "", index
	before := string(sp.in[:index])
	if i := strings.LastIndex(before, "\n"); i >= 0 {
		numSpaces = index - len([]rune(before[:i])) - 1
	}
	after := string(sp.in[index:])
	if i := strings.Index(after, "\n"); i >= 0 {
		next := index + len([]rune(after[:i]))
		consumed = string(sp.in[:next])
		remaining = string(sp.in[next:])
	}
	return consumed + "\n" + strings.Repeat(" ", numSpaces) + "^" + remaining
}

func (sp *shorthandParser) syntaxError(expected, actual string) {
	panic(&shorthandError{fmt.Sprintf("Expected: '%s', received: '%s' for input:\n%s", expected, actual, sp.errorLocation(sp.pos))})
}

func (sp *shorthandParser) eof() bool { return sp.pos >= len(sp.in) }

func (sp *shorthandParser) current() (rune, bool) {
	if sp.eof() {
		return 0, false
	}
	return sp.in[sp.pos], true
}

func (sp *shorthandParser) is(c rune) bool {
	r, ok := sp.current()
	return ok && r == c
}

func (sp *shorthandParser) skipSpace() {
	for !sp.eof() && strings.ContainsRune(" \t\n\r\x0b\x0c", sp.in[sp.pos]) {
		sp.pos++
	}
}

func (sp *shorthandParser) expect(c rune, ws bool) {
	if ws {
		sp.skipSpace()
	}
	if sp.eof() {
		sp.syntaxError(string(c), "EOF")
	}
	if sp.in[sp.pos] != c {
		sp.syntaxError(string(c), string(sp.in[sp.pos]))
	}
	sp.pos++
	if ws {
		sp.skipSpace()
	}
}

func (sp *shorthandParser) parameter() *pv {
	params := pvDict(false)
	k, v := sp.keyval()
	params.set(k, v)
	last := sp.pos
	for !sp.eof() {
		sp.expect(',', true)
		k, v := sp.keyval()
		if params.has(k) {
			panic(&shorthandError{fmt.Sprintf("Second instance of key \"%s\" encountered for input:\n%s\nThis is often because there is a preceding \",\" instead of a space.", k, sp.errorLocation(last+1))})
		}
		params.set(k, v)
		last = sp.pos
	}
	return params
}

func (sp *shorthandParser) keyval() (string, *pv) {
	k := sp.key()
	sp.expect('=', true)
	return k, sp.values()
}

func (sp *shorthandParser) key() string {
	start := sp.pos
	for !sp.eof() && strings.ContainsRune(shKeyChars, sp.in[sp.pos]) {
		sp.pos++
	}
	return string(sp.in[start:sp.pos])
}

func (sp *shorthandParser) values() *pv {
	switch {
	case sp.eof():
		return pvStr("")
	case sp.is('['):
		return sp.explicitList()
	case sp.is('{'):
		return sp.hashLiteral()
	}
	return sp.csvValue()
}

func (sp *shorthandParser) csvValue() *pv {
	first := sp.firstValue()
	sp.skipSpace()
	if sp.eof() || !sp.is(',') {
		return first
	}
	sp.expect(',', true)
	list := []*pv{first}
	for {
		cur, ok := sp.trySecondValue()
		if !ok {
			if sp.eof() {
				sp.syntaxError("<second>", "<none>")
			}
			sp.backtrackTo(',')
			break
		}
		sp.skipSpace()
		if sp.eof() {
			list = append(list, cur)
			break
		}
		if !sp.is(',') {
			// "expected ','" : backtrack to the previous comma.
			sp.backtrackTo(',')
			break
		}
		sp.expect(',', true)
		list = append(list, cur)
	}
	if len(list) == 1 {
		return first
	}
	return &pv{kind: pList, list: list}
}

func (sp *shorthandParser) backtrackTo(c rune) {
	for sp.pos >= 0 && (sp.pos >= len(sp.in) || sp.in[sp.pos] != c) {
		sp.pos--
	}
}

func (sp *shorthandParser) match(re *regexp.Regexp) (string, bool) {
	rest := string(sp.in[sp.pos:])
	loc := re.FindStringIndex(rest)
	if loc == nil {
		return "", false
	}
	m := rest[:loc[1]]
	sp.pos += len([]rune(m))
	return m, true
}

func (sp *shorthandParser) value() *pv {
	m, ok := sp.match(shFirstValue)
	if !ok {
		return pvStr("")
	}
	return pvStr(strings.TrimRightFunc(strings.ReplaceAll(m, `\,`, ","), unicode.IsSpace))
}

func (sp *shorthandParser) explicitList() *pv {
	sp.expect('[', true)
	out := &pv{kind: pList, list: []*pv{}}
	for {
		if sp.is(']') {
			break
		}
		out.list = append(out.list, sp.explicitValues())
		sp.skipSpace()
		if !sp.is(']') {
			sp.expect(',', false)
			sp.skipSpace()
		}
	}
	sp.expect(']', false)
	return out
}

func (sp *shorthandParser) explicitValues() *pv {
	switch {
	case sp.is('['):
		return sp.explicitList()
	case sp.is('{'):
		return sp.hashLiteral()
	}
	return sp.firstValue()
}

func (sp *shorthandParser) hashLiteral() *pv {
	sp.expect('{', true)
	out := pvDict(false)
	for {
		if sp.is('}') {
			break
		}
		k := sp.key()
		sp.expect('=', true)
		v := sp.explicitValues()
		sp.skipSpace()
		if !sp.is('}') {
			sp.expect(',', false)
			sp.skipSpace()
		}
		out.set(k, v)
	}
	sp.expect('}', false)
	return out
}

func (sp *shorthandParser) firstValue() *pv {
	switch {
	case sp.is('\''):
		return sp.quoted(shSingleQuoted, '\'', "singled quoted")
	case sp.is('"'):
		return sp.quoted(shDoubleQuoted, '"', "double quoted")
	}
	return sp.value()
}

func (sp *shorthandParser) quoted(re *regexp.Regexp, q rune, name string) *pv {
	m, ok := sp.match(re)
	if !ok {
		sp.syntaxError("<"+name+">", "<none>")
	}
	v := m[1 : len(m)-1]
	v = strings.ReplaceAll(v, `\`+string(q), string(q))
	v = strings.ReplaceAll(v, `\\`, `\`)
	return pvStr(v)
}

func (sp *shorthandParser) trySecondValue() (*pv, bool) {
	switch {
	case sp.is('\''):
		m, ok := sp.match(shSingleQuoted)
		if !ok {
			return nil, false
		}
		v := strings.ReplaceAll(m[1:len(m)-1], `\'`, `'`)
		return pvStr(strings.ReplaceAll(v, `\\`, `\`)), true
	case sp.is('"'):
		m, ok := sp.match(shDoubleQuoted)
		if !ok {
			return nil, false
		}
		v := strings.ReplaceAll(m[1:len(m)-1], `\"`, `"`)
		return pvStr(strings.ReplaceAll(v, `\\`, `\`)), true
	}
	m, ok := sp.match(shSecondValue)
	if !ok {
		return nil, false
	}
	return pvStr(strings.TrimRightFunc(strings.ReplaceAll(m, `\,`, ","), unicode.IsSpace)), true
}

// backCompat applies the AWS CLI's model-driven fix-ups to parsed shorthand:
// a scalar where the model has a list becomes a one-element list, and
// numbers and booleans are converted from their text.
func backCompat(parent *pv, key string, idx int, v *pv, sh *shape) error {
	if v == nil {
		return nil
	}
	set := func(nv *pv) {
		if parent.kind == pList {
			parent.list[idx] = nv
		} else {
			parent.set(key, nv)
		}
	}
	switch sh.Type {
	case "structure":
		if v.kind != pDict {
			return nil
		}
		for _, m := range sh.Members {
			if err := backCompat(v, m.Name, 0, v.get(m.Name), shapeOf(m.Shape)); err != nil {
				return err
			}
		}
	case "list":
		if v.kind != pList {
			set(&pv{kind: pList, list: []*pv{v}})
			return nil
		}
		for i, it := range v.list {
			if err := backCompat(v, "", i, it, shapeOf(sh.ListMember)); err != nil {
				return err
			}
		}
	case "map":
		if v.kind != pDict {
			return nil
		}
		vs := shapeOf(sh.MapValue)
		for _, k := range append([]string(nil), v.keys...) {
			if err := backCompat(v, k, 0, v.vals[k], vs); err != nil {
				return err
			}
		}
	case "integer", "long":
		n, err := pyInt(v)
		if err != nil {
			return err
		}
		set(n)
	case "double", "float":
		n, err := pyFloat(v)
		if err != nil {
			return err
		}
		set(n)
	case "boolean":
		if v.kind == pStr {
			switch strings.ToLower(v.s) {
			case "true":
				set(&pv{kind: pBool, b: true})
			case "false":
				set(&pv{kind: pBool, b: false})
			}
		}
	}
	return nil
}
