package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// expandPath applies $VAR and ~ expansion like os.path.expandvars/expanduser.
func (r *runner) expandPath(p string) string {
	p = os.Expand(p, func(k string) string {
		if v := r.env(k); v != "" {
			return v
		}
		return "$" + k
	})
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := r.home(); home != "" {
			p = home + p[1:]
		}
	}
	return p
}

func pyOSError(err error, path string) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if len(msg) > 0 {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return fmt.Sprintf("[Errno %d] %s: %s", int(errno), msg, pyStrRepr(path))
	}
	return err.Error()
}

// loadParamFile handles the file:// and fileb:// prefixes of argument values.
// It returns nil when the value is not such a reference.
func (r *runner) loadParamFile(cliName string, v *pv) (*pv, error) {
	if v.kind == pList && len(v.list) == 1 {
		v = v.list[0]
	}
	if v.kind != pStr {
		return nil, nil
	}
	var binary bool
	var path string
	switch {
	case strings.HasPrefix(v.s, "fileb://"):
		binary, path = true, v.s[len("fileb://"):]
	case strings.HasPrefix(v.s, "file://"):
		path = v.s[len("file://"):]
	default:
		return nil, nil
	}
	path = r.expandPath(path)
	data, err := os.ReadFile(r.abs(path))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, paramError(cliName, fmt.Sprintf("Unable to load paramfile %s: %s", v.s, pyOSError(err, path)))
	}
	if binary {
		return &pv{kind: pBytes, by: data}, nil
	}
	if !utf8.Valid(data) {
		return nil, paramError(cliName, fmt.Sprintf("Unable to load paramfile (%s), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.", path))
	}
	// Python's text mode: universal newlines.
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return pvStr(s), nil
}

func (r *runner) abs(p string) string {
	if filepath.IsAbs(p) || r.dir == "" {
		return p
	}
	return filepath.Join(r.dir, p)
}

var pyIntRE = regexp.MustCompile(`^[+-]?[0-9](?:_?[0-9])*$`)

// pyInt is Python's int() of a value.
func pyInt(v *pv) (*pv, error) {
	switch v.kind {
	case pInt:
		return v, nil
	case pBool:
		if v.b {
			return &pv{kind: pInt, s: "1"}, nil
		}
		return &pv{kind: pInt, s: "0"}, nil
	case pFloat:
		if math.IsInf(v.f, 0) || math.IsNaN(v.f) {
			return nil, generalError("cannot convert float " + pyFloatRepr(v.f) + " to integer")
		}
		n, _ := new(big.Float).SetFloat64(math.Trunc(v.f)).Int(nil)
		return &pv{kind: pInt, s: n.String()}, nil
	case pStr, pBytes:
		s := v.s
		if v.kind == pBytes {
			s = string(v.by)
		}
		t := strings.TrimSpace(s)
		// Python int(str) accepts decimal digits with single underscores.
		if pyIntRE.MatchString(t) {
			n, ok := new(big.Int).SetString(strings.ReplaceAll(t, "_", ""), 10)
			if ok {
				return &pv{kind: pInt, s: n.String()}, nil
			}
		}
		if v.kind == pBytes {
			return nil, generalError("invalid literal for int() with base 10: " + pyBytesRepr(v.by))
		}
		return nil, generalError("invalid literal for int() with base 10: " + pyStrRepr(s))
	}
	return nil, generalError(fmt.Sprintf("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyTypeName(v)))
}

func pyTypeName(v *pv) string {
	t := v.pyType()
	t = strings.TrimPrefix(t, "<class '")
	t = strings.TrimSuffix(t, "'>")
	if i := strings.LastIndex(t, "."); i >= 0 {
		t = t[i+1:]
	}
	return t
}

var pyFloatRE = regexp.MustCompile(`^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?|inf|infinity|nan)$`)

// pyFloat is Python's float() of a value.
func pyFloat(v *pv) (*pv, error) {
	switch v.kind {
	case pFloat:
		return v, nil
	case pInt:
		f, _ := strconv.ParseFloat(v.s, 64)
		return &pv{kind: pFloat, f: f}, nil
	case pBool:
		if v.b {
			return &pv{kind: pFloat, f: 1}, nil
		}
		return &pv{kind: pFloat, f: 0}, nil
	case pStr:
		t := strings.ToLower(strings.TrimSpace(v.s))
		if t != "" && pyFloatRE.MatchString(t) && strings.ContainsAny(t, "0123456789inftya") {
			c := strings.ReplaceAll(t, "_", "")
			c = strings.Replace(c, "infinity", "inf", 1)
			if f, err := strconv.ParseFloat(c, 64); err == nil || math.IsInf(f, 0) {
				return &pv{kind: pFloat, f: f}, nil
			}
		}
		return nil, generalError("could not convert string to float: " + pyStrRepr(v.s))
	}
	return nil, generalError(fmt.Sprintf("float() argument must be a string or a real number, not '%s'", pyTypeName(v)))
}

func looksLikeJSON(v *pv) bool {
	if v.kind == pList {
		if len(v.list) == 0 {
			return false
		}
		v = v.list[0]
	}
	if v.kind != pStr {
		return false
	}
	t := strings.TrimSpace(v.s)
	return strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{")
}

func isComplexShape(s *shape) bool {
	switch s.Type {
	case "structure", "map":
		return true
	case "list":
		t := shapeOf(s.ListMember).Type
		return t == "structure" || t == "list" || t == "map"
	}
	return false
}

// unpackArgument turns one argument's raw value into parameters, as the AWS
// CLI does: shorthand for complex shapes, JSON, or scalar conversion.
func unpackArgument(cliName string, sh *shape, v *pv) (*pv, error) {
	if isComplexShape(sh) && !looksLikeJSON(v) {
		var parsed *pv
		if v.kind == pList {
			parsed = &pv{kind: pList, list: []*pv{}}
			for _, it := range v.list {
				p, err := parseShorthand(textOf(it))
				if err != nil {
					return nil, paramError(cliName, err.Error())
				}
				parsed.list = append(parsed.list, p)
			}
		} else {
			p, err := parseShorthand(textOf(v))
			if err != nil {
				return nil, paramError(cliName, err.Error())
			}
			parsed = p
		}
		// The fix-ups apply below the top level; a top-level value that is
		// not a list stays as it is (the AWS CLI's visitor works on a copy).
		holder := pvDict(false)
		holder.set("v", parsed)
		if err := backCompat(holder, "v", 0, parsed, sh); err != nil {
			return nil, err
		}
		if parsed.kind == pList || sh.Type != "list" {
			return holder.get("v"), nil
		}
		return parsed, nil
	}
	return unpackCLIArg(cliName, sh, v)
}

func textOf(v *pv) string {
	if v.kind == pBytes {
		return string(v.by)
	}
	return v.s
}

func unpackJSON(cliName string, v *pv) (*pv, error) {
	text := textOf(v)
	parsed, err := ojson.Parse([]byte(text))
	if err != nil {
		return nil, paramError(cliName, fmt.Sprintf("Invalid JSON: %s\nJSON received: %s", pyJSONErrorText(err), text))
	}
	return fromJSON(parsed), nil
}

// pyJSONErrorText approximates Python's json error text for common cases.
func pyJSONErrorText(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "unexpected end") {
		return "Expecting value"
	}
	return msg
}

func unpackCLIArg(cliName string, sh *shape, v *pv) (*pv, error) {
	switch sh.Type {
	case "structure", "map":
		t := strings.TrimLeft(textOf(v), " \t\n\r\x0b\x0c")
		if v.kind == pStr && t == "" {
			return nil, generalError("string index out of range")
		}
		if strings.HasPrefix(t, "{") {
			return unpackJSON(cliName, v)
		}
		return nil, paramError(cliName, "Invalid JSON:\n"+textOf(v))
	case "list":
		if v.kind != pList {
			t := strings.TrimLeft(textOf(v), " \t\n\r\x0b\x0c")
			if strings.HasPrefix(t, "[") {
				return unpackJSON(cliName, v)
			}
			// A plain string where a list is expected: the AWS CLI iterates
			// over its characters.
			chars := &pv{kind: pList}
			for _, c := range textOf(v) {
				chars.list = append(chars.list, pvStr(string(c)))
			}
			v = chars
		} else if len(v.list) == 1 {
			t := strings.TrimSpace(textOf(v.list[0]))
			if strings.HasPrefix(t, "[") {
				return unpackJSON(cliName, v.list[0])
			}
		}
		out := &pv{kind: pList, list: []*pv{}}
		ms := shapeOf(sh.ListMember)
		for _, it := range v.list {
			u, err := unpackCLIArg(cliName, ms, it)
			if err != nil {
				var ce *cliError
				if errors.As(err, &ce) && ce.code == rcGeneral && len(v.list) > 0 {
					return nil, paramError(cliName, textOf(v.list[0]))
				}
				return nil, err
			}
			out.list = append(out.list, u)
		}
		return out, nil
	case "integer", "long":
		return pyInt(v)
	case "double", "float":
		return pyFloat(v)
	case "boolean":
		if v.kind == pStr {
			return &pv{kind: pBool, b: strings.ToLower(v.s) != "false" && v.s != ""}, nil
		}
		return v, nil
	case "blob":
		if sh.Streaming {
			path := textOf(v)
			st, err := os.Stat(path)
			if err != nil || !st.Mode().IsRegular() {
				return nil, paramError(cliName, "Blob values must be a path to a file.")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, generalError(pyOSError(err, path))
			}
			return &pv{kind: pFile, s: path, by: data}, nil
		}
	}
	return v, nil
}

// decodeBase64Blobs implements --cli-binary-format base64 (the v2 default):
// every text value given for a blob member is base64-decoded.
func decodeBase64Blobs(v *pv, sh *shape) error {
	if v == nil {
		return nil
	}
	switch sh.Type {
	case "structure":
		if v.kind != pDict {
			return nil
		}
		for _, m := range sh.Members {
			c := v.get(m.Name)
			if c == nil {
				continue
			}
			if shapeOf(m.Shape).Type == "blob" && c.kind == pStr {
				d, err := pyB64Decode(c.s)
				if err != nil {
					return err
				}
				v.set(m.Name, &pv{kind: pBytes, by: d})
				continue
			}
			if err := decodeBase64Blobs(c, shapeOf(m.Shape)); err != nil {
				return err
			}
		}
	case "list":
		if v.kind != pList {
			return nil
		}
		ms := shapeOf(sh.ListMember)
		for i, it := range v.list {
			if ms.Type == "blob" && it.kind == pStr {
				d, err := pyB64Decode(it.s)
				if err != nil {
					return err
				}
				v.list[i] = &pv{kind: pBytes, by: d}
				continue
			}
			if err := decodeBase64Blobs(it, ms); err != nil {
				return err
			}
		}
	case "map":
		if v.kind != pDict {
			return nil
		}
		vs := shapeOf(sh.MapValue)
		for _, k := range v.keys {
			it := v.vals[k]
			if vs.Type == "blob" && it.kind == pStr {
				d, err := pyB64Decode(it.s)
				if err != nil {
					return err
				}
				v.vals[k] = &pv{kind: pBytes, by: d}
				continue
			}
			if err := decodeBase64Blobs(it, vs); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeRawBlobs implements raw-in-base64-out on input: text given for a
// blob member is sent as its UTF-8 bytes.
func encodeRawBlobs(v *pv, sh *shape) {
	if v == nil {
		return
	}
	switch sh.Type {
	case "blob":
		if v.kind == pStr {
			v.kind, v.by = pBytes, []byte(v.s)
		}
	case "structure":
		if v.kind == pDict {
			for _, m := range sh.Members {
				encodeRawBlobs(v.get(m.Name), shapeOf(m.Shape))
			}
		}
	case "list":
		if v.kind == pList {
			for _, it := range v.list {
				encodeRawBlobs(it, shapeOf(sh.ListMember))
			}
		}
	case "map":
		if v.kind == pDict {
			for _, k := range v.keys {
				encodeRawBlobs(v.vals[k], shapeOf(sh.MapValue))
			}
		}
	}
}

var b64Table = func() [256]byte {
	var t [256]byte
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// pyB64Decode is Python's base64.b64decode(s) (non-strict): characters
// outside the alphabet are skipped, padding ends the data.
func pyB64Decode(s string) ([]byte, error) {
	for _, r := range s {
		if r > 127 {
			return nil, generalError("string argument should contain only ASCII characters")
		}
	}
	invalid := generalError(fmt.Sprintf("Invalid base64: \"%s\"", s))
	var out []byte
	quad, pads := 0, 0
	var left byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if quad >= 2 {
				pads++
				if quad+pads >= 4 {
					return out, nil
				}
			}
			continue
		}
		v := b64Table[c]
		if v == 0xff {
			continue
		}
		pads = 0
		switch quad {
		case 0:
			quad, left = 1, v
		case 1:
			quad = 2
			out = append(out, left<<2|v>>4)
			left = v & 0x0f
		case 2:
			quad = 3
			out = append(out, left<<4|v>>2)
			left = v & 0x03
		case 3:
			quad = 0
			out = append(out, left<<6|v)
			left = 0
		}
	}
	if quad != 0 {
		return nil, invalid
	}
	return out, nil
}

// validator reproduces botocore's client-side parameter validation.
type validator struct{ errs []string }

func validateParams(params *pv, sh *shape) error {
	v := &validator{}
	v.validate(params, sh, "")
	if len(v.errs) == 0 {
		return nil
	}
	return validationError("Parameter validation failed:\n" + strings.Join(v.errs, "\n"))
}

func (v *validator) name(n string) string {
	if n == "" {
		return "input"
	}
	return strings.TrimPrefix(n, ".")
}

func (v *validator) invalidType(p *pv, name string, valid ...string) {
	v.errs = append(v.errs, fmt.Sprintf("Invalid type for parameter %s, value: %s, type: %s, valid types: %s",
		v.name(name), p.pyStr(), p.pyType(), strings.Join(valid, ", ")))
}

func (v *validator) rangeCheck(name string, val float64, valText string, sh *shape, what string) {
	if !sh.HasMin {
		return
	}
	min, err := strconv.ParseFloat(sh.Min, 64)
	if err != nil || val >= min {
		return
	}
	if what == "invalid length" {
		v.errs = append(v.errs, fmt.Sprintf("Invalid length for parameter %s, value: %s, valid min length: %s", v.name(name), valText, pyNumberText(sh.Min, false)))
		return
	}
	v.errs = append(v.errs, fmt.Sprintf("Invalid value for parameter %s, value: %s, valid min value: %s", v.name(name), valText, pyNumberText(sh.Min, false)))
}

func (v *validator) validate(p *pv, sh *shape, name string) {
	switch sh.Type {
	case "structure":
		if p.kind != pDict {
			v.invalidType(p, name, "<class 'dict'>")
			return
		}
		for _, req := range sh.Required {
			if !p.has(req) {
				v.errs = append(v.errs, fmt.Sprintf("Missing required parameter in %s: \"%s\"", v.name(name), req))
			}
		}
		var known []string
		for _, k := range p.keys {
			if sh.member(k) == nil {
				names := make([]string, len(sh.Members))
				for i, m := range sh.Members {
					names[i] = m.Name
				}
				v.errs = append(v.errs, fmt.Sprintf("Unknown parameter in %s: \"%s\", must be one of: %s", v.name(name), k, strings.Join(names, ", ")))
			} else {
				known = append(known, k)
			}
		}
		for _, k := range known {
			v.validate(p.vals[k], shapeOf(sh.member(k).Shape), name+"."+k)
		}
	case "string":
		if p.kind != pStr {
			v.invalidType(p, name, "<class 'str'>")
			return
		}
		n := utf8.RuneCountInString(p.s)
		v.rangeCheck(name, float64(n), strconv.Itoa(n), sh, "invalid length")
	case "list":
		if p.kind != pList {
			v.invalidType(p, name, "<class 'list'>", "<class 'tuple'>")
			return
		}
		v.rangeCheck(name, float64(len(p.list)), strconv.Itoa(len(p.list)), sh, "invalid length")
		ms := shapeOf(sh.ListMember)
		for i, it := range p.list {
			v.validate(it, ms, fmt.Sprintf("%s[%d]", name, i))
		}
	case "map":
		if p.kind != pDict {
			v.invalidType(p, name, "<class 'dict'>")
			return
		}
		ks, vs := shapeOf(sh.MapKey), shapeOf(sh.MapValue)
		for _, k := range p.keys {
			v.validate(pvStr(k), ks, fmt.Sprintf("%s (key: %s)", name, k))
			v.validate(p.vals[k], vs, name+"."+k)
		}
	case "integer", "long":
		if p.kind != pInt && p.kind != pBool {
			v.invalidType(p, name, "<class 'int'>")
			return
		}
		f, t := intValue(p)
		v.rangeCheck(name, f, t, sh, "invalid range")
	case "double", "float":
		switch p.kind {
		case pFloat:
			v.rangeCheck(name, p.f, pyFloatRepr(p.f), sh, "invalid range")
		case pInt, pBool:
			f, t := intValue(p)
			v.rangeCheck(name, f, t, sh, "invalid range")
		default:
			v.invalidType(p, name, "<class 'float'>", "<class 'decimal.Decimal'>", "<class 'int'>")
		}
	case "boolean":
		if p.kind != pBool {
			v.invalidType(p, name, "<class 'bool'>")
		}
	case "blob":
		switch p.kind {
		case pBytes, pStr, pFile:
		default:
			v.invalidType(p, name, "<class 'bytes'>", "<class 'bytearray'>", "file-like object")
		}
	case "timestamp":
		if p.kind != pStr && p.kind != pInt && p.kind != pFloat {
			v.invalidType(p, name, "<class 'datetime.datetime'>", "timestamp-string")
		}
	}
}

func intValue(p *pv) (float64, string) {
	if p.kind == pBool {
		if p.b {
			return 1, "True"
		}
		return 0, "False"
	}
	f, _ := strconv.ParseFloat(p.s, 64)
	return f, p.s
}
