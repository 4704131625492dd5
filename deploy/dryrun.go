package deploy

import "fmt"

// dryRun prints, in order, every AWS call Deploy would make for t, with the
// S3 locations and tokens it would use. It makes no call and reads no file.
func (d *Deployer) dryRun(lg *logger, t Target, opts Options) {
	sse := ""
	if opts.KMSKeyID != "" {
		sse = fmt.Sprintf(", SSE-KMS key %q", opts.KMSKeyID)
	}
	lg.printf("dry-run: sagemaker DescribePipeline and ListTags; stop if it exists and its %s tag is not %q (unless adopted), or its %s tag is a commit newer than %q", TagRepository, opts.Repository, TagCommit, opts.CommitSHA)
	for _, a := range t.Artifacts {
		src := fmt.Sprintf("built file, %d bytes", a.Size)
		if a.File == "" {
			src = fmt.Sprintf("local file %q, %d bytes", a.Path, a.Size)
		}
		lg.printf("dry-run: s3 HeadObject %q with checksum mode, then PutObject with ChecksumSHA256 unless S3 holds that checksum (%s, sha256 %s%s)", "s3://"+a.Bucket+"/"+a.Key, src, a.SHA256, sse)
	}
	def := "inline"
	if len(t.Definition) >= MaxInlineDefinition {
		loc := "s3://" + t.Bucket + "/" + definitionKey(t)
		lg.printf("dry-run: s3 HeadObject %q with checksum mode, then PutObject with ChecksumSHA256 unless S3 holds that checksum (definition, %d bytes%s)", loc, len(t.Definition), sse)
		def = fmt.Sprintf("PipelineDefinitionS3Location %q", loc)
	}
	token := StartToken(t.Pipeline, opts.CommitSHA, t.Hash, opts.StartKey)
	lg.printf("dry-run: sagemaker CreatePipeline (ClientRequestToken %s, tags) if missing, "+
		"or UpdatePipeline and AddTags if the definition or role differ, AddTags if only the tags (definition %s, %s, role %q)", token, t.Hash, def, t.RoleArn)
	if !opts.Start {
		return
	}
	lg.printf("dry-run: if created or updated (or unchanged, and made live by this commit): sagemaker ListPipelineExecutions, "+
		"then StartPipelineExecution (display name %s, ClientRequestToken %s) unless an execution with this token was already started", ExecutionDisplayName(opts.CommitSHA, token), token)
	if opts.Wait {
		lg.printf("dry-run: sagemaker DescribePipelineExecution until it finishes, then ListPipelineExecutionSteps")
	}
}
