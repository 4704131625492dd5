package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MaxReport is the largest evaluation report read: a metrics file over it
// is a note, not a report.
const MaxReport = 1 << 20

// reportShape is how a report should look, for the note on one that does
// not.
const reportShape = `{"regression_metrics": {"mse": {"value": 0.4}}}`

// report reads an evaluation report: a JSON object whose numbers are its
// metrics by dotted path. SageMaker's model quality shape nests them as
// <kind>_metrics.<name>.value beside other members (standard_deviation),
// so where an object has a "value" member only that is taken.
func (r *Reader) report(ctx context.Context, uri string) (map[string]float64, error) {
	bucket, key, ok := splitS3(uri)
	if !ok {
		return nil, errors.New("not an s3:// URI")
	}
	// A report written without a checksum is the common case, not worth
	// the SDK's log line.
	out, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		if notFound(err) {
			return nil, errors.New("no such file: the step wrote no report there")
		}
		return nil, err
	}
	defer out.Body.Close()
	if n := aws.ToInt64(out.ContentLength); n > MaxReport {
		return nil, fmt.Errorf("the report is %d bytes, over the %d read; not read", n, MaxReport)
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxReport+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxReport {
		return nil, fmt.Errorf("the report is over the %d bytes read; not read", MaxReport)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not JSON (%s); write the metrics as %s", oneLine(err), reportShape)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, fmt.Errorf("not a JSON object; write the metrics as %s", reportShape)
	}
	values := map[string]float64{}
	collect("", doc, values)
	if len(values) == 0 {
		return nil, fmt.Errorf("no numeric value in it; write the metrics as %s", reportShape)
	}
	return values, nil
}

// splitS3 splits s3://bucket/key. Keys are taken as written: an S3 URI
// is not URL-encoded.
func splitS3(uri string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(rest, "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// collect gathers the numbers of an evaluation report by path.
func collect(at string, v any, out map[string]float64) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	_, hasValue := m["value"]
	for k, c := range m {
		p := k
		if at != "" {
			p = at + "." + k
		}
		switch c := c.(type) {
		case float64:
			if !hasValue || k == "value" {
				out[p] = c
			}
		case map[string]any:
			collect(p, c, out)
		}
	}
}

// Metric names whose direction SageMaker's model quality metrics document,
// and common loss names: which way each improves.
var (
	lowerBetter  = []string{"mse", "rmse", "mae", "mape", "loss", "error", "logloss", "false_positive_rate", "false_negative_rate"}
	higherBetter = []string{"accuracy", "auc", "au_prc", "f0_5", "f1", "f2", "precision", "recall", "r2", "roc_auc", "pr_auc",
		"true_positive_rate", "true_negative_rate", "balanced_accuracy"}
)

// lowerIsBetter says which way a metric improves: the gate's operator for
// its metric, else what its name says; nil when unknown.
func lowerIsBetter(path string, g *Gate) *bool {
	yes, no := true, false
	if g != nil && g.Metric == path {
		switch g.Operator {
		case "<", "<=":
			return &yes
		case ">", ">=":
			return &no
		}
	}
	// A whole part of the path first (false_positive_rate), then its
	// words (val_loss, test_accuracy).
	for _, part := range strings.Split(strings.ToLower(path), ".") {
		for _, w := range append([]string{part}, strings.Split(part, "_")...) {
			switch {
			case slices.Contains(lowerBetter, w):
				return &yes
			case slices.Contains(higherBetter, w):
				return &no
			}
		}
	}
	return nil
}
