package deploycheck

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every action a workflow uses is pinned to a commit, which no one can move
// the way a tag can, with the release it was in a comment for people and
// update tools: `uses: actions/checkout@<40 hex digits> # v4.3.1`.

var (
	usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$`)
	pinned   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	release  = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
)

// actionPin is one uses: of a workflow.
type actionPin struct {
	where, ref, comment string
}

// checkPins checks the uses: lines of a workflow's source.
func checkPins(name, src string) ([]actionPin, problems) {
	var bad problems
	var pins []actionPin
	for i, line := range strings.Split(src, "\n") {
		m := usesLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		p := actionPin{where: name + ":" + strconv.Itoa(i+1), ref: strings.Trim(m[1], `"'`), comment: strings.TrimSpace(m[2])}
		pins = append(pins, p)
		switch {
		case strings.HasPrefix(p.ref, "./"):
			// An action of this repository: pinned by the checkout itself.
		case strings.HasPrefix(p.ref, "docker://"):
			if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(p.ref) {
				bad.addf("%s: %s: pin the image by digest (@sha256:...)", p.where, p.ref)
			}
		case !pinned.MatchString(p.ref):
			bad.addf("%s: %s is not pinned to a commit (owner/repo@<40 hex digits>)", p.where, p.ref)
		case !release.MatchString(p.comment):
			bad.addf("%s: %s: say which release the commit is, `# vX.Y.Z`, got %q", p.where, p.ref, p.comment)
		}
	}
	return pins, bad
}

// TestActionsPinned checks every workflow: each uses: pinned to a commit
// with its release in a comment, one commit per action across the
// workflows, and no uses: the line reader missed (the YAML has as many).
func TestActionsPinned(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root(t), ".github", "workflows", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows (%v)", err)
	}
	var bad problems
	byAction := map[string]actionPin{}
	total := 0
	for _, f := range files {
		name := filepath.Base(f)
		pins, problems := checkPins(name, read(t, ".github/workflows/"+name))
		bad = append(bad, problems...)
		total += len(pins)

		// The YAML's uses:, steps' and jobs' (reusable workflows) alike.
		wf := readWorkflow(t, name)
		inYAML := 0
		jobs, _ := wf.at("jobs").v.(map[string]any)
		for job := range jobs {
			if wf.at("jobs", job).has("uses") {
				inYAML++
			}
			for _, s := range wf.at("jobs", job, "steps").list() {
				if s.has("uses") {
					inYAML++
				}
			}
		}
		if inYAML != len(pins) {
			bad.addf("%s: the YAML has %d uses:, the line reader found %d: write each as `uses: owner/repo@sha # vX.Y.Z` on its own line", name, inYAML, len(pins))
		}
		for _, p := range pins {
			action, sha, ok := strings.Cut(p.ref, "@")
			if !ok || strings.HasPrefix(p.ref, "./") {
				continue
			}
			if prev, seen := byAction[action]; seen && (prev.ref != p.ref || prev.comment != p.comment) {
				bad.addf("%s: %s@%s (%s), but %s has %s (%s): pin each action to one commit", p.where, action, sha, p.comment, prev.where, prev.ref, prev.comment)
			}
			byAction[action] = p
		}
	}
	if total == 0 {
		t.Fatal("found no uses: at all: the check reads nothing")
	}
	t.Logf("read %d uses: of %d actions", total, len(byAction))
	bad.report(t, "workflows")
}

func TestPinChecker(t *testing.T) {
	sha := strings.Repeat("a", 40)
	for line, ok := range map[string]bool{
		"      - uses: actions/checkout@" + sha + " # v4.3.1":         true,
		"        uses: aws-actions/x/sub@" + sha + " # v1.0.0":        true,
		"      - uses: ./.github/actions/local":                       true,
		"      - uses: actions/checkout@v4":                           false,
		"      - uses: actions/checkout@" + sha:                       false,
		"      - uses: actions/checkout@" + sha + " # v4":             false,
		"      - uses: actions/checkout@" + strings.ToUpper(sha) + "": false,
		"      - uses: actions/checkout@main # v4.3.1":                false,
		"      - uses: docker://alpine:3.20":                          false,
	} {
		pins, bad := checkPins("x.yml", line)
		if len(pins) != 1 || (len(bad) == 0) != ok {
			t.Errorf("%q: %d pins, problems %v, want ok %v", line, len(pins), bad, ok)
		}
	}
}
