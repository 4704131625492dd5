package deploy

import "github.com/smpipe/smpipe-action/internal/fakeaws"

// seededPipeline is a stored pipeline as an earlier deploy left it.
func seededPipeline(name, def string) fakeaws.Pipeline {
	return fakeaws.Pipeline{Name: name, Definition: def, RoleArn: testRole}
}
