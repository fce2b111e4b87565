package cli

import (
	"math"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/kindling-dev/kindling/internal/cli/internal/ojson"
)

// --output table, laid out as the AWS CLI lays it out: a section per
// dict/list, scalar keys sorted as column headers, columns scaled to the
// widest section, vertical layout when wider than the terminal (80 columns
// when stdout is not a terminal).

func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if isWide(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	i := sort.Search(len(wideRanges), func(i int) bool { return wideRanges[i][1] >= r })
	return i < len(wideRanges) && wideRanges[i][0] <= r
}

type tableSection struct {
	title     string
	headers   []string
	rows      [][]string
	indent    int
	numCols   int
	hasCols   bool
	maxWidths []int
}

func (s *tableSection) updateWidths(row []string) {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(row))
		for i, el := range row {
			s.maxWidths[i] = textWidth(el)
		}
		return
	}
	for i, el := range row {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textWidth(el))
		}
	}
}

func (s *tableSection) addHeader(h []string) {
	s.updateWidths(h)
	if !s.hasCols {
		s.numCols, s.hasCols = len(h), true
	}
	s.headers = h
}

func (s *tableSection) addRow(row []string) {
	if !s.hasCols {
		s.numCols, s.hasCols = len(row), true
	}
	s.rows = append(s.rows, row)
	s.updateWidths(row)
}

func (s *tableSection) columnWidths(padding int, maxWidth int) []int {
	unscaled := make([]int, len(s.maxWidths))
	sum := 0
	for i, w := range s.maxWidths {
		unscaled[i] = w + padding
		sum += unscaled[i]
	}
	if maxWidth < 0 || len(unscaled) == 0 {
		return unscaled
	}
	scale := float64(maxWidth) / float64(sum)
	scaled := make([]int, len(unscaled))
	total := 0
	for i, w := range unscaled {
		scaled[i] = int(math.RoundToEven(scale * float64(w)))
		total += scaled[i]
	}
	off := total - maxWidth
	for off != 0 {
		if off > 0 {
			for i := 0; i < len(scaled) && off != 0; i++ {
				scaled[i]--
				off--
			}
		} else {
			for i := len(scaled) - 1; i >= 0 && off != 0; i-- {
				scaled[i]++
				off++
			}
		}
	}
	return scaled
}

func (s *tableSection) totalWidth(padding, outer int) int {
	total := 0
	for _, w := range s.columnWidths(0, -1) {
		total += w + padding
	}
	total += 2 + 2*outer
	return max(textWidth(s.title)+2+2*outer, total)
}

type tableBuilder struct {
	sections []*tableSection
	cur      *tableSection
}

func (t *tableBuilder) newSection(title string, indent int) {
	t.cur = &tableSection{title: title, indent: indent}
	t.sections = append(t.sections, t.cur)
}

func truthy(v *ojson.Value) bool {
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
	case ojson.Number:
		return strings.Trim(strings.TrimLeft(v.Str, "-"), "0.eE+-") != ""
	case ojson.Array:
		return len(v.Arr) > 0
	}
	return len(v.Members) > 0
}

func (t *tableBuilder) build(title string, hasTitle bool, cur *ojson.Value, indent int) bool {
	if !truthy(cur) {
		return false
	}
	if hasTitle {
		t.newSection(title, indent)
	}
	if cur.Kind == ojson.Array {
		if cur.Arr[0] != nil && cur.Arr[0].Kind == ojson.Object {
			t.subTableFromList(cur.Arr, indent, title)
		} else {
			for _, it := range cur.Arr {
				switch {
				case isScalar(it):
					t.cur.addRow([]string{textScalar(it)})
				case allScalars(it):
					t.cur.addRow(scalarRow(it))
				default:
					t.build("", false, it, 0)
				}
			}
		}
	}
	if cur.Kind == ojson.Object {
		t.subTableFromDict(cur, indent)
	}
	return true
}

func allScalars(v *ojson.Value) bool {
	if v.Kind == ojson.Array {
		for _, it := range v.Arr {
			if !isScalar(it) {
				return false
			}
		}
		return true
	}
	for _, m := range v.Members {
		if !isScalar(ojson.NewString(m.Key)) {
			return false
		}
	}
	return true
}

func scalarRow(v *ojson.Value) []string {
	var out []string
	if v.Kind == ojson.Array {
		for _, it := range v.Arr {
			out = append(out, textScalar(it))
		}
		return out
	}
	for _, m := range v.Members {
		out = append(out, m.Key)
	}
	return out
}

func groupScalarKeys(v *ojson.Value) (headers, more []string) {
	for _, m := range v.Members {
		if isScalar(m.Val) {
			headers = append(headers, m.Key)
		} else {
			more = append(more, m.Key)
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	return headers, more
}

func (t *tableBuilder) subTableFromDict(cur *ojson.Value, indent int) {
	headers, more := groupScalarKeys(cur)
	if len(headers) == 1 {
		t.cur.addRow([]string{headers[0], textScalar(cur.Get(headers[0]))})
	} else if len(headers) > 0 {
		t.cur.addHeader(headers)
		row := make([]string, len(headers))
		for i, h := range headers {
			row[i] = textScalar(cur.Get(h))
		}
		t.cur.addRow(row)
	}
	for _, k := range more {
		t.build(k, true, cur.Get(k), indent+1)
	}
}

func (t *tableBuilder) subTableFromList(items []*ojson.Value, indent int, title string) {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		if it == nil || it.Kind != ojson.Object {
			continue
		}
		h, m := groupScalarKeys(it)
		for _, k := range h {
			hs[k] = true
		}
		for _, k := range m {
			ms[k] = true
		}
	}
	headers, more := sortedKeys(hs), sortedKeys(ms)
	t.cur.addHeader(headers)
	for i, el := range items {
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.cur.addHeader(headers)
		}
		row := make([]string, len(headers))
		for j, h := range headers {
			if x := el.Get(h); x != nil {
				row[j] = textScalar(x)
			}
		}
		t.cur.addRow(row)
		for _, k := range more {
			if x := el.Get(k); x != nil {
				t.build(k, true, x, indent+1)
			}
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func centerText(text string, length int, left, right string, textLen int) string {
	charStart := length/2 - textLen/2 - 1
	var b strings.Builder
	b.WriteString(left)
	b.WriteString(strings.Repeat(" ", max(charStart, 0)))
	b.WriteString(text)
	soFar := textWidth(left) + charStart + textLen
	b.WriteString(strings.Repeat(" ", max(length-textWidth(right)-soFar, 0)))
	b.WriteString(right)
	return b.String()
}

func alignLeft(text string, length int, left, right string, textLen int) string {
	padding := 0
	if length-(textLen+2+textWidth(left)+textWidth(right)) >= 0 {
		padding = 2
	}
	soFar := len(left) + padding + textLen
	return left + strings.Repeat(" ", padding) + text + strings.Repeat(" ", max(length-soFar-len(right), 0)) + right
}

func terminalWidth() int {
	if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
		return int(ws.Col)
	}
	return 80
}

func formatTable(title string, v *ojson.Value, _ bool) string {
	t := &tableBuilder{}
	if !t.build(title, true, v, 0) {
		return ""
	}
	maxWidth := 0
	for _, s := range t.sections {
		maxWidth = max(maxWidth, s.totalWidth(4, s.indent))
	}
	if maxWidth > terminalWidth() {
		for i, s := range t.sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				ns := &tableSection{title: s.title, indent: s.indent}
				for j, h := range s.headers {
					if j < len(s.rows[0]) {
						ns.addRow([]string{h, s.rows[0][j]})
					}
				}
				t.sections[i] = ns
			}
		}
		maxWidth = 0
		for _, s := range t.sections {
			maxWidth = max(maxWidth, s.totalWidth(4, s.indent))
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("-", maxWidth) + "\n")
	for _, s := range t.sections {
		renderSection(&b, s, maxWidth)
	}
	return b.String()
}

func renderSection(b *strings.Builder, s *tableSection, maxWidth int) {
	ind := strings.Repeat("|", s.indent)
	line := func(text string) { b.WriteString(ind + text + ind + "\n") }
	width := maxWidth - 2*s.indent
	if s.title != "" {
		line(centerText(s.title, width, "|", "|", textWidth(s.title)))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			line("+" + strings.Repeat("-", max(width-2, 0)) + "+")
		}
	}
	lineBreak := func(widths []int) {
		var p strings.Builder
		for i, w := range widths {
			if i == 0 {
				p.WriteString("+" + strings.Repeat("-", max(w-2, 0)) + "+")
			} else {
				p.WriteString(strings.Repeat("-", max(w-1, 0)) + "+")
			}
		}
		line(p.String())
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, width)
		var cur strings.Builder
		for i, w := range widths {
			if i >= len(s.headers) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(s.headers[i], w, left, "|", textWidth(s.headers[i])))
		}
		lineBreak(widths)
		line(cur.String())
	}
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, width)
	if len(widths) == 0 {
		return
	}
	lineBreak(widths)
	for _, row := range s.rows {
		var cur strings.Builder
		for i, w := range widths {
			if i >= len(row) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(alignLeft(row[i], w, left, "|", textWidth(row[i])))
		}
		line(cur.String())
	}
	lineBreak(widths)
}
