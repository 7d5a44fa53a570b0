package deploycheck

import (
	"regexp"
	"strings"
)

// A reader of the little HCL the checks need from infra/: blocks and their
// top-level "key = value" entries, brackets, strings and ${...} inside them
// respected. It evaluates nothing; `terraform validate` (in CI) checks the
// language.

// closing returns the index of the bracket that closes the one at open, or -1.
func closing(src string, open int) int {
	type frame struct {
		kind  byte // 'c' code, 's' string, 'i' ${...} in a string
		depth int
	}
	stack := []frame{{kind: 'c'}}
	for i := open; i < len(src); i++ {
		top := &stack[len(stack)-1]
		ch := src[i]
		if top.kind == 's' {
			switch {
			case ch == '\\':
				i++
			case ch == '"':
				stack = stack[:len(stack)-1]
			case ch == '$' && i+1 < len(src) && src[i+1] == '{':
				stack = append(stack, frame{kind: 'i'})
				i++
			}
			continue
		}
		switch {
		case ch == '"':
			stack = append(stack, frame{kind: 's'})
		case top.kind == 'c' && (ch == '#' || strings.HasPrefix(src[i:], "//")):
			if nl := strings.IndexByte(src[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				return -1
			}
		case ch == '{' || ch == '[' || ch == '(':
			top.depth++
		case ch == '}' || ch == ']' || ch == ')':
			if top.kind == 'i' && top.depth == 0 {
				stack = stack[:len(stack)-1]
				continue
			}
			top.depth--
			if len(stack) == 1 && top.depth == 0 {
				return i
			}
		}
	}
	return -1
}

// blocks returns the bodies (inside the braces) of the blocks whose header
// matches header, e.g. `variable "(\w+)"` or `locals`; the header's groups
// are returned with each body.
func blocks(src, header string) (bodies []string, groups [][]string) {
	re := regexp.MustCompile(`(?m)^\s*` + header + `\s*\{`)
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		open := m[1] - 1
		end := closing(src, open)
		if end < 0 {
			continue
		}
		bodies = append(bodies, src[open+1:end])
		var g []string
		for i := 2; i < len(m); i += 2 {
			g = append(g, src[m[i]:m[i+1]])
		}
		groups = append(groups, g)
	}
	return bodies, groups
}

var entryKey = regexp.MustCompile(`^\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_-]*)\s*=([^=>]|$)`)

// entries returns the top-level "key = value" entries of a block body or an
// object, keys unquoted, values as written.
func entries(body string) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(body); {
		nl := strings.IndexByte(body[i:], '\n')
		line := body[i:]
		if nl >= 0 {
			line = body[i : i+nl]
		}
		m := entryKey.FindStringSubmatchIndex(line)
		if m == nil {
			// Skip this line, or the whole nested block it opens.
			if open := strings.LastIndexAny(line, "{[("); open >= 0 && !strings.ContainsAny(line[open:], "}])") {
				if end := closing(body, i+open); end > 0 {
					i = end + 1
					continue
				}
			}
			if nl < 0 {
				break
			}
			i += nl + 1
			continue
		}
		key := strings.Trim(line[m[2]:m[3]], `"`)
		start := i + m[3]
		start += strings.IndexByte(body[start:], '=') + 1
		end := start
		for end < len(body) && body[end] != '\n' {
			if strings.IndexByte("{[(", body[end]) >= 0 {
				if c := closing(body, end); c > 0 {
					end = c
				}
			}
			end++
		}
		out[key] = strings.TrimSpace(stripComment(body[start:end]))
		i = end
	}
	return out
}

// object returns the inside of a value written as { ... }.
func object(value string) string {
	value = strings.TrimSpace(value)
	if !strings.HasPrefix(value, "{") {
		return ""
	}
	end := closing(value, 0)
	if end < 0 {
		return ""
	}
	return value[1:end]
}

// stripComment cuts a trailing # or // comment off a value; comments
// inside brackets stay (the value is read again by entries).
func stripComment(v string) string {
	interp := 0   // ${ ... } nesting inside a string
	brackets := 0 // {[( nesting outside strings
	inString := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inString && c == '\\':
			i++
		case inString && c == '"':
			inString = false
		case inString && c == '$' && i+1 < len(v) && v[i+1] == '{':
			interp++
			inString = false
			i++
		case inString:
		case c == '"':
			inString = true
		case interp > 0 && c == '}':
			interp--
			inString = true
		case strings.IndexByte("{[(", c) >= 0:
			brackets++
		case strings.IndexByte("}])", c) >= 0:
			brackets--
		case brackets == 0 && interp == 0 && (c == '#' || strings.HasPrefix(v[i:], "//")):
			return v[:i]
		}
	}
	return v
}
