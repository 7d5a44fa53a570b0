package archtest

import (
	"fmt"
	"go/doc/comment"
	"regexp"
	"strings"
)

// Terms with a meaning of their own; any other term is a path.
const (
	AnyApp     = "any app"
	AnyAdapter = "any adapter"
	AnyModule  = "anything of the module"
)

// A Rule is one statement of a package doc.
type Rule struct {
	Text    string   // the sentence as written, for messages
	Forbid  []string // the terms after "must not import"
	StdOnly bool     // "uses only the standard library"
}

const (
	forbidPhrase  = "must not import"
	stdOnlyPhrase = "uses only the standard library"
)

var (
	// What reads like an import rule in any other wording.
	nearMiss = regexp.MustCompile(`(?i)\b(?:(?:must|should|shall|may|can|will|does|do)\s+(?:not|never)\s+(?:import|depend)|(?:mustn't|shouldn't|doesn't|don't|can't|cannot|won't)\s+(?:import|depend)|never\s+imports?|imports\s+(?:no|nothing)|depends\s+on\s+(?:no|nothing))\b`)
	// A forbidden list ends at a colon, a semicolon, or a period that ends
	// the sentence (not one inside a path such as github.com).
	listEnd = regexp.MustCompile(`[:;]|\.(?:\s|$)`)
	path    = regexp.MustCompile(`^[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*$`)
	spaces  = regexp.MustCompile(`\s+`)
)

// ParseDoc returns the rules a package doc states, and an error for every
// statement about imports it cannot read.
func ParseDoc(doc string) ([]Rule, []error) {
	var p comment.Parser
	var rules []Rule
	var errs []error
	for _, para := range prose(p.Parse(doc).Content) {
		r, e := parseProse(para)
		rules = append(rules, r...)
		errs = append(errs, e...)
	}
	return rules, errs
}

// prose returns the text of the paragraphs and list items in blocks, each
// on one line; code blocks and headings are left out.
func prose(blocks []comment.Block) []string {
	var out []string
	for _, b := range blocks {
		switch b := b.(type) {
		case *comment.Paragraph:
			var sb strings.Builder
			flatten(&sb, b.Text)
			out = append(out, strings.TrimSpace(spaces.ReplaceAllString(sb.String(), " ")))
		case *comment.List:
			for _, item := range b.Items {
				out = append(out, prose(item.Content)...)
			}
		}
	}
	return out
}

func flatten(sb *strings.Builder, text []comment.Text) {
	for _, t := range text {
		switch t := t.(type) {
		case comment.Plain:
			sb.WriteString(string(t))
		case comment.Italic:
			sb.WriteString(string(t))
		case *comment.Link:
			flatten(sb, t.Text)
		case *comment.DocLink:
			flatten(sb, t.Text)
		}
	}
}

func parseProse(text string) ([]Rule, []error) {
	var rules []Rule
	var errs []error
	if i := strings.Index(text, stdOnlyPhrase); i >= 0 {
		rules = append(rules, Rule{Text: sentence(text, i), StdOnly: true})
	}
	for _, m := range nearMiss.FindAllStringIndex(text, -1) {
		at := m[0]
		if text[at:m[1]] != forbidPhrase {
			errs = append(errs, fmt.Errorf("%q: write an import rule as \"… %s …\"", sentence(text, at), forbidPhrase))
			continue
		}
		rest := text[m[1]:]
		if end := listEnd.FindStringIndex(rest); end != nil {
			rest = rest[:end[0]]
		}
		terms, err := parseTerms(rest)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", sentence(text, at), err))
			continue
		}
		rules = append(rules, Rule{Text: sentence(text, at), Forbid: terms})
	}
	return rules, errs
}

// parseTerms reads "A, B or C" (", or" too).
func parseTerms(list string) ([]string, error) {
	var terms []string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		item = strings.TrimPrefix(item, "or ")
		for _, term := range strings.Split(item, " or ") {
			term = strings.TrimSpace(term)
			switch {
			case term == "":
				return nil, fmt.Errorf("an empty term in %q", strings.TrimSpace(list))
			case term == AnyApp, term == AnyAdapter, term == AnyModule, path.MatchString(term):
				terms = append(terms, term)
			default:
				return nil, fmt.Errorf("%q is neither a path nor %q, %q or %q", term, AnyApp, AnyAdapter, AnyModule)
			}
		}
	}
	return terms, nil
}

// sentence returns the sentence of text around position at.
func sentence(text string, at int) string {
	start := 0
	for _, m := range listEnd.FindAllStringIndex(text[:at], -1) {
		if text[m[0]] == '.' {
			start = m[1]
		}
	}
	end := len(text)
	for _, m := range listEnd.FindAllStringIndex(text[at:], -1) {
		if text[at+m[0]] == '.' {
			end = at + m[0] + 1
			break
		}
	}
	return strings.TrimSpace(text[start:end])
}
