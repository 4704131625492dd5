// Package deploy puts compiled SageMaker pipelines into an AWS account on
// merge: it stages content-addressed artifacts to S3, upserts each pipeline
// (create, update, or nothing when the deployed definition is already the
// same), starts one execution per commit and definition, and can wait for it.
//
// It never sees conf files: callers hand it plain Targets (definition bytes,
// hash, role, artifacts). Every call that could repeat on a re-run of the same
// CI job is idempotent: uploads skip existing keys, the upsert skips an equal
// definition, and a start is skipped when an execution carrying the same
// request token already exists.
package deploy
