package deploycheck

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"text/tabwriter"
)

// TestDeploymentMatchesTheCode checks every deployable's Dockerfile, compose
// service and ECS task definition against its code: the port of its listen
// address, the health path, and every variable its configuration reads (the
// wiring rule, doc.go). It logs a table of what it checked.
func TestDeploymentMatchesTheCode(t *testing.T) {
	project, err := loadCompose(t, dummyEnvironment(t))
	if err != nil {
		t.Fatalf("loading %s with every required variable set: %v", composeFile, err)
	}
	model := rawCompose(t)
	tf := readTerraform(t)

	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "deployable\tport\tvars read\truntime image\tEXPOSE\tUSER\tcompose ports\tcompose set/defaults\tECS env/secrets/defaults")
	for _, d := range deployables(t) {
		t.Run(d.name, func(t *testing.T) {
			port := d.port(t, nil)
			if code, err := d.get(healthPath); err != nil || code != http.StatusOK {
				t.Errorf("the code answers GET %s with %d (%v), want 200", healthPath, code, err)
			}
			df, bad := checkDockerfile(t, d, port)
			bad.report(t, d.dir+"/Dockerfile")
			compose, bad := checkCompose(t, d, project, model)
			bad.report(t, composeFile)
			ecsCol := "— (not on ECS)"
			if d.ecs {
				ecs, bad := checkTaskdef(t, d, tf)
				bad.report(t, taskdefPath(d.name))
				ecsCol = fmt.Sprintf("%d/%d/%d", ecs.wired.set, ecs.wired.secrets, ecs.wired.defaults)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d/%d\t%s\n", d.name, port, len(d.vars), df.base, df.expose, df.user,
				compose.ports, compose.wired.set, compose.wired.defaults, ecsCol)
		})
	}
	tw.Flush()
	t.Logf("checked (health path %s everywhere; set = variables given a value, defaults = left to the code's default):\n%s", healthPath, table.String())
}
