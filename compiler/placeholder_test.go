package compiler

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// seedLayout is a repository laid out as the original framework's examples
// are: every environment-specific value is an SMP_* placeholder, and the
// model conf files are found through one too.
func seedLayout() fstest.MapFS {
	return fstest.MapFS{
		"framework/conf/conf.yaml": {Data: []byte(`conf:
  s3Bucket: SMP_S3BUCKETNAME
  modelConfigFilePath: SMP_MODEL_CONFIGPATH
  sagemakerNetworkSecurity:
    role: SMP_ROLE
    subnets: SMP_SUBNETS
    security_groups_id: SMP_SECURITYGROUPS
`)},
		"calhousing/src/train.py": {Data: []byte("print('train')\n")},
		"calhousing/conf/conf.yaml": {Data: []byte(`conf:
  models:
    calhousing:
      source_directory: calhousing/src
      train:
        image_uri: img
        entry_point: train.py
    unused:
      source_directory: calhousing/src
      train:
        image_uri: SMP_UNUSED_IMAGE
        entry_point: train.py
  sagemakerPipeline:
    pipelineName: calhousing
    models:
      calhousing:
        steps:
          - step_name: train
            step_class: Training
`)},
	}
}

func TestCompile_placeholders(t *testing.T) {
	tests := []struct {
		name           string
		env            map[string]string
		allowEmpty     []string
		wantUnresolved []string
		wantCodes      []string // of every diagnostic, sorted as reported
	}{
		{
			name:           "nothing set",
			wantUnresolved: []string{"SMP_ROLE", "SMP_S3BUCKETNAME", "SMP_SECURITYGROUPS", "SMP_SUBNETS"},
			wantCodes:      []string{"placeholder", "placeholder-discovery", "placeholder", "placeholder", "placeholder"},
		},
		{
			name:           "the deploy environment",
			env:            map[string]string{"SMP_S3BUCKETNAME": "bucket", "SMP_ROLE": "arn:aws:iam::123456789012:role/r", "SMP_SUBNETS": "subnet-1", "SMP_SECURITYGROUPS": "sg-1"},
			wantUnresolved: nil,
			wantCodes:      []string{"placeholder-discovery"},
		},
		{
			name:           "a discovery glob from the environment",
			env:            map[string]string{"SMP_MODEL_CONFIGPATH": "**/conf/*.yaml", "SMP_S3BUCKETNAME": "bucket", "SMP_ROLE": "arn:aws:iam::123456789012:role/r", "SMP_SUBNETS": "subnet-1", "SMP_SECURITYGROUPS": "sg-1"},
			wantUnresolved: nil,
			wantCodes:      nil,
		},
		{
			name:           "one left for the deploy",
			env:            map[string]string{"SMP_S3BUCKETNAME": "bucket", "SMP_SUBNETS": "subnet-1", "SMP_SECURITYGROUPS": "sg-1"},
			wantUnresolved: []string{"SMP_ROLE"},
			wantCodes:      []string{"placeholder-discovery", "placeholder"},
		},
		{
			// A repository variable that does not exist reaches the
			// workflow as "": that must not drop the VPC unseen.
			name:           "empty values count as not set",
			env:            map[string]string{"SMP_S3BUCKETNAME": "bucket", "SMP_ROLE": "arn:aws:iam::123456789012:role/r", "SMP_SUBNETS": "", "SMP_SECURITYGROUPS": ""},
			wantUnresolved: []string{"SMP_SECURITYGROUPS", "SMP_SUBNETS"},
			wantCodes:      []string{"placeholder-discovery", "placeholder", "placeholder"},
		},
		{
			name:           "empty values the repository allows",
			env:            map[string]string{"SMP_S3BUCKETNAME": "bucket", "SMP_ROLE": "arn:aws:iam::123456789012:role/r", "SMP_SUBNETS": "", "SMP_SECURITYGROUPS": ""},
			allowEmpty:     []string{"SMP_SUBNETS", "SMP_SECURITYGROUPS"},
			wantUnresolved: nil,
			wantCodes:      []string{"placeholder-discovery"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			res, ds := mustCompile(t, seedLayout(), Options{Getenv: env, AllowEmpty: tt.allowEmpty})
			if ds.HasErrors() {
				t.Fatalf("errors:\n%s", ds)
			}
			if len(res.Plans) != 1 || res.Plans[0].Failed {
				t.Fatalf("plans = %+v, want calhousing compiled", res.Plans)
			}
			p := res.Plans[0]
			if !slices.Equal(p.Unresolved, tt.wantUnresolved) {
				t.Errorf("Unresolved = %q, want %q (SMP_UNUSED_IMAGE belongs to a model this pipeline does not use)", p.Unresolved, tt.wantUnresolved)
			}
			var codes []string
			for _, d := range ds {
				codes = append(codes, d.Code)
				if d.Severity == diag.Error {
					t.Errorf("error %s", d)
				}
			}
			if !slices.Equal(codes, tt.wantCodes) {
				t.Errorf("diagnostic codes = %q, want %q:\n%s", codes, tt.wantCodes, ds)
			}
		})
	}
}

func TestPlaceholderTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`{"Role":"SMP_ROLE"}`, []string{"SMP_ROLE"}},
		{`s3://SMP_BUCKET/SMP_PREFIX/x`, []string{"SMP_BUCKET", "SMP_PREFIX"}},
		{`XSMP_ROLE SMP_ SMP_lower MY_SMP_X`, nil},
		{`a-SMP_A.SMP_B_2`, []string{"SMP_A", "SMP_B_2"}},
	}
	for _, tt := range tests {
		if got := placeholderTokens([]byte(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("placeholderTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
