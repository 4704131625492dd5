// Package action runs smpipe the way GitHub does: it reads the event and
// inputs, plans on pull requests, deploys on pushes to the default branch,
// and reports back to the pull request and the job summary. The deploy CLI
// shares its glue between compiled plans and the deployer.
package action

import (
	"fmt"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/deploy"
)

// Targets turns compiled plans into deploy targets; failed plans are skipped.
func Targets(plans []*compiler.Plan) []deploy.Target {
	var out []deploy.Target
	for _, p := range plans {
		if p.Failed {
			continue
		}
		t := deploy.Target{Pipeline: p.Name, Region: p.Region, Definition: p.Definition, Hash: p.Hash, RoleArn: p.Role, Bucket: p.Bucket,
			StagePrefix: p.KeyPrefix, Description: fmt.Sprintf("Deployed by smpipe from %s", p.Anchor)}
		if p.PreviewOf != "" {
			t.Description = fmt.Sprintf("Preview by smpipe of pipeline %s from %s", p.PreviewOf, p.Anchor)
		}
		for _, a := range p.Artifacts {
			ct := "application/octet-stream"
			switch a.Kind {
			case "sourcedir", "repack":
				ct = "application/gzip"
			case "runproc":
				ct = "text/x-shellscript"
			}
			t.Artifacts = append(t.Artifacts, deploy.Artifact{Bucket: a.Bucket, Key: a.Key, File: a.File, Path: a.Path, SHA256: a.SHA256, Size: a.Size, ContentType: ct})
		}
		out = append(out, t)
	}
	return out
}
