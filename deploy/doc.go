// Package deploy puts compiled SageMaker pipelines into an AWS account: it
// converges each pipeline with what the repository says, never moves one
// back to an older commit, and reports per pipeline exactly what is live.
//
// It never sees conf files: callers hand it plain Targets (definition bytes,
// hash, region, role, artifacts). For each target, Deploy
//
//  1. refuses a target that is malformed or compiled for another region
//     than the SageMaker client's, before any call;
//  2. reads the live pipeline: DescribePipeline and ListTags;
//  3. refuses (StatusRefused) a pipeline that exists but was not created by
//     smpipe for Options.Repository (its smpipe:repository tag), unless
//     Options.Adopt names it: another team's hand-made pipeline is never
//     replaced because a pull request named one of ours like it;
//  4. leaves it alone (StatusSkipped) unless the commit it was deployed
//     from, its smpipe:commit tag, is the commit being deployed or one of
//     its ancestors (Options.IsAncestor, answered from git). A re-run of an
//     older job is therefore harmless; a deployed commit the history cannot
//     place (unknown, or on rewritten history) is a skip with an error that
//     says what to do;
//  5. for a pipeline this deploy would change, compares the live
//     definition and role with what smpipe made live by its record: the
//     commit its smpipe:definition-commit tag names, compiled again
//     (Options.Recorded) and placed in this commit's history. A difference
//     is Result.Drift, reported before it is replaced;
//  6. asks Options.Approve, once for all targets, which of those it would
//     change must be refused (the action's review gate);
//  7. stages the artifacts to S3 (content-addressed, skipped when present);
//  8. creates the pipeline, updates it when the definition or role differ,
//     or leaves the definition as it is; the tags move forward with the
//     commit in every case;
//  9. starts an execution when this run created or updated the pipeline, or
//     when the definition is unchanged but this very commit made it live
//     and nothing was started for it yet (a re-run after a failed start);
//     otherwise it says why not ("definition unchanged since <sha>");
//
// 10. with Wait, polls the execution to its end.
//
// # The record in tags
//
// smpipe:repository says which repository owns the pipeline (step 3),
// smpipe:commit is the newest commit deployed to it (step 4),
// smpipe:definition-commit the commit whose deploy made the live definition
// live (steps 5 and 9), smpipe:definition-hash the hash of that definition
// (shown, and the drift check without git); smpipe:version says which smpipe
// wrote them. Anyone allowed sagemaker:AddTags can rewrite tags, so none of
// them is taken as proof: ownership only keeps smpipe away from others'
// pipelines, the commit is placed by git, and drift is judged by compiling
// the named commit.
//
// # Reconcile
//
// Because every target is compared with SageMaker first, reconciling a
// repository needs no separate mode: it is Deploy over every pipeline of the
// repository (`smpipe deploy --all`; a workflow_dispatch without pipeline
// names). Missing pipelines are created, outdated ones (an earlier deploy
// failed) updated and started, drifted ones reported and replaced, ones a
// newer commit deployed skipped, and unchanged ones left alone and not
// started again; only those that would change are put to Approve. Deploy runs Concurrency targets at a time.
//
// # Status and failure
//
// A Result has a Status (what happened to the definition: created, updated,
// unchanged, skipped, refused, failed) and a Start (started, already started, not
// started, start failed), plus Drift. An error after the definition went
// live (a failed start, tags not recorded, a failed wait) keeps the live
// status and sets Err, so the report says "updated (live), start failed"
// rather than "failed"; Failed decides the exit status.
//
// # Retries
//
// AWS calls are retried in one place: the SDK retryer that NewClients
// configures (throttling, 5xx, ConflictException; AccessDeniedException for
// StartPipelineExecution only). Every call is safe to repeat: creates and
// starts carry ClientRequestToken(pipeline, commit, definition hash), and a
// start is also skipped when an execution carrying that token is listed.
package deploy
