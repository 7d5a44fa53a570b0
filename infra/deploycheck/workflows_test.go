package deploycheck

import (
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// govulncheckRun matches a step running govulncheck at a fixed version on
// every package.
var govulncheckRun = regexp.MustCompile(`go run golang\.org/x/vuln/cmd/govulncheck@v\d+\.\d+\.\d+\s+\./\.\.\.`)

// yml is a parsed YAML document with paths into it.
type yml struct{ v any }

func readWorkflow(t testing.TB, name string) yml {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(read(t, ".github/workflows/"+name)), &doc); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	return yml{doc}
}

// at walks keys (maps) and indexes (lists, as ints).
func (y yml) at(path ...any) yml {
	cur := y.v
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[key]
		case int:
			l, _ := cur.([]any)
			if key >= len(l) {
				return yml{}
			}
			cur = l[key]
		}
	}
	return yml{cur}
}

// has reports whether a map holds key, whatever its value (even empty).
func (y yml) has(key string) bool {
	m, _ := y.v.(map[string]any)
	_, ok := m[key]
	return ok
}

func (y yml) str() string {
	if y.v == nil {
		return ""
	}
	return fmt.Sprint(y.v)
}

func (y yml) list() []yml {
	l, _ := y.v.([]any)
	out := make([]yml, len(l))
	for i, v := range l {
		out[i] = yml{v}
	}
	return out
}

func (y yml) strings() []string {
	var out []string
	for _, v := range y.list() {
		out = append(out, v.str())
	}
	return out
}

// matrixImages returns image -> Dockerfile of a job's matrix include list.
func matrixImages(job yml, key string) map[string]string {
	out := map[string]string{}
	for _, entry := range job.at("strategy", "matrix", "include").list() {
		out[entry.at(key).str()] = entry.at("dockerfile").str()
	}
	return out
}

// steps returns a job's steps that use an action (owner/name, no version).
func steps(job yml, action string) []yml {
	var out []yml
	for _, s := range job.at("steps").list() {
		uses, _, _ := strings.Cut(s.at("uses").str(), "@")
		if uses == action {
			out = append(out, s)
		}
	}
	return out
}

// TestDeployWorkflow checks deploy.yml: every image it pushes is a
// deployable with a Dockerfile, a task definition and an ECS service; it
// deploys all of them; credentials come from OIDC only; deploys never
// overlap and wait for the services to be stable.
func TestDeployWorkflow(t *testing.T) {
	wf := readWorkflow(t, "deploy.yml")
	var bad problems
	byName := map[string]deployable{}
	var ecsApps []string
	for _, d := range deployables(t) {
		byName[d.name] = d
		if d.ecs {
			ecsApps = append(ecsApps, d.name)
		}
	}
	slices.Sort(ecsApps)

	if !slices.Contains(wf.at("on", "push", "branches").strings(), "main") {
		bad.addf("does not run on push to main")
	}
	if wf.at("permissions", "id-token").str() != "write" || wf.at("permissions", "contents").str() != "read" {
		bad.addf("permissions: want id-token: write and contents: read, got %v", wf.at("permissions").v)
	}
	if wf.at("concurrency", "group").str() == "" || wf.at("concurrency", "cancel-in-progress").str() != "false" {
		bad.addf("concurrency: want a group and cancel-in-progress: false, got %v", wf.at("concurrency").v)
	}

	images := matrixImages(wf.at("jobs", "images"), "app")
	pushed := slices.Sorted(maps.Keys(images))
	if !slices.Equal(pushed, ecsApps) {
		bad.addf("pushes images %v, want every deployable on ECS: %v", pushed, ecsApps)
	}
	for image, dockerfile := range images {
		d, ok := byName[image]
		switch {
		case !ok:
			bad.addf("image %s is no deployable", image)
		case dockerfile != d.dir+"/Dockerfile":
			bad.addf("image %s is built from %s, want %s/Dockerfile", image, dockerfile, d.dir)
		case !exists(t, dockerfile):
			bad.addf("image %s: %s does not exist", image, dockerfile)
		case !exists(t, taskdefPath(image)):
			bad.addf("image %s has no task definition %s", image, taskdefPath(image))
		}
	}
	build := steps(wf.at("jobs", "images"), "docker/build-push-action")
	if len(build) != 1 || build[0].at("with", "file").str() != "${{ matrix.dockerfile }}" || build[0].at("with", "push").str() != "true" ||
		!strings.HasSuffix(build[0].at("with", "tags").str(), "/${{ matrix.app }}:${{ github.sha }}") {
		bad.addf("the images job does not push ${{ matrix.dockerfile }} tagged with the commit SHA")
	}

	deploy := wf.at("jobs", "deploy")
	if got := slices.Sorted(slices.Values(deploy.at("strategy", "matrix", "app").strings())); !slices.Equal(got, ecsApps) {
		bad.addf("deploys %v, want %v", got, ecsApps)
	}
	render := steps(deploy, "aws-actions/amazon-ecs-render-task-definition")
	if len(render) != 1 || render[0].at("with", "container-name").str() != "${{ matrix.app }}" {
		bad.addf("the task definition is not rendered for the container ${{ matrix.app }} (the templates' container names)")
	}
	ecsDeploy := steps(deploy, "aws-actions/amazon-ecs-deploy-task-definition")
	if len(ecsDeploy) != 1 || ecsDeploy[0].at("with", "wait-for-service-stability").str() != "true" ||
		ecsDeploy[0].at("with", "service").str() != "${{ matrix.app }}" {
		bad.addf("the deploy step does not deploy the service ${{ matrix.app }} and wait for stability")
	}

	// OIDC only: every job that touches AWS assumes a role; no keys.
	for _, job := range []string{"images", "deploy"} {
		creds := steps(wf.at("jobs", job), "aws-actions/configure-aws-credentials")
		if len(creds) != 1 || creds[0].at("with", "role-to-assume").str() == "" {
			bad.addf("job %s does not assume a role with aws-actions/configure-aws-credentials", job)
		}
		for _, c := range creds {
			if c.at("with", "aws-access-key-id").v != nil || c.at("with", "aws-secret-access-key").v != nil {
				bad.addf("job %s uses long-lived access keys", job)
			}
		}
	}
	if src := read(t, ".github/workflows/deploy.yml"); strings.Contains(src, "AWS_SECRET_ACCESS_KEY") || strings.Contains(src, "AWS_ACCESS_KEY_ID") {
		bad.addf("mentions long-lived AWS keys")
	}
	// The deploy role trusts tokens whose subject names the branch
	// (infra/github.tf); a job in a GitHub environment gets the environment
	// there instead, which the role refuses.
	jobs, _ := wf.at("jobs").v.(map[string]any)
	for _, job := range sortedKeysOf(jobs) {
		if len(steps(wf.at("jobs", job), "aws-actions/configure-aws-credentials")) > 0 && wf.at("jobs", job).has("environment") {
			bad.addf("job %s runs in a GitHub environment: its token's subject would name the environment, not refs/heads/main, and the deploy role refuses it", job)
		}
	}
	// It runs for main only: pushes to it, or by hand (on main, which the
	// role checks).
	events, _ := wf.at("on").v.(map[string]any)
	for event := range events {
		if event != "push" && event != "workflow_dispatch" {
			bad.addf("runs on %s: deploy only on pushes to main and by hand", event)
		}
	}
	if b := wf.at("on", "push", "branches").strings(); !slices.Equal(b, []string{"main"}) {
		bad.addf("runs on pushes to %v, want main only", b)
	}
	bad.report(t, "deploy.yml")
}

// TestCIWorkflow checks ci.yml: it builds every Dockerfile in the
// repository, runs the tests with MongoDB as well as Redis and PostgreSQL,
// and validates the Terraform.
func TestCIWorkflow(t *testing.T) {
	wf := readWorkflow(t, "ci.yml")
	var bad problems
	if !wf.at("on").has("pull_request") {
		bad.addf("does not run on pull requests")
	}
	if !slices.Contains(wf.at("on", "push", "branches").strings(), "main") {
		bad.addf("does not run on push to main")
	}

	var dockerfiles []string
	err := filepath.WalkDir(root(t), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == ".git" || e.Name() == "node_modules" || e.Name() == "data") {
			return filepath.SkipDir
		}
		if e.Name() == "Dockerfile" {
			rel, err := filepath.Rel(root(t), path)
			if err != nil {
				return err
			}
			dockerfiles = append(dockerfiles, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range deployables(t) {
		want = append(want, d.dir+"/Dockerfile")
	}
	slices.Sort(want)
	slices.Sort(dockerfiles)
	if !slices.Equal(dockerfiles, want) {
		bad.addf("the repository holds Dockerfiles %v, the deployables are %v", dockerfiles, want)
	}
	built := slices.Sorted(maps.Values(matrixImages(wf.at("jobs", "images"), "image")))
	if !slices.Equal(built, want) {
		bad.addf("the images job builds %v, want every Dockerfile: %v", built, want)
	}

	test := wf.at("jobs", "test")
	for _, name := range []string{"MONGO_URL", "TEST_DATABASE_URL", "REDIS_URL"} {
		if test.at("env", name).str() == "" {
			bad.addf("the test job does not set %s", name)
		}
	}
	for _, svc := range []string{"redis", "postgres"} {
		if test.at("services", svc).v == nil {
			bad.addf("the test job has no %s service container", svc)
		}
	}
	if !strings.Contains(test.at("env", "MONGO_URL").str(), "replicaSet=rs0") {
		bad.addf("the test job's MONGO_URL does not name the replica set")
	}
	tfRuns := ""
	for _, s := range wf.at("jobs", "terraform", "steps").list() {
		tfRuns += s.at("run").str() + "\n"
	}
	for _, want := range []string{"terraform fmt -check", "init -backend=false", "validate"} {
		if !strings.Contains(tfRuns, want) {
			bad.addf("the terraform job does not run %q", want)
		}
	}
	// govulncheck on every package, at a fixed version (it cannot run on the
	// project's machines: its database is online).
	vulncheck := false
	jobs, _ := wf.at("jobs").v.(map[string]any)
	for job := range jobs {
		for _, s := range wf.at("jobs", job, "steps").list() {
			if govulncheckRun.MatchString(s.at("run").str()) {
				vulncheck = true
			}
			if uses, _, _ := strings.Cut(s.at("uses").str(), "@"); uses == "golang/govulncheck-action" {
				vulncheck = true
			}
		}
	}
	if !vulncheck {
		bad.addf("no job runs govulncheck on ./... (go run golang.org/x/vuln/cmd/govulncheck@vX.Y.Z ./..., or golang/govulncheck-action)")
	}
	bad.report(t, "ci.yml")
}
