package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/smpipe/smpipe-action/internal/defhash"
)

// Tag keys smpipe writes on every pipeline it creates or updates. They are
// the deploy's record of what it put live; see doc.go for how each is read.
const (
	TagRepository = "smpipe:repository"
	// TagCommit is the newest commit deployed to the pipeline. It moves
	// forward on every deploy, also when the definition did not change.
	TagCommit = "smpipe:commit"
	// TagDefinitionCommit is the commit whose deploy made the live
	// definition live.
	TagDefinitionCommit = "smpipe:definition-commit"
	// TagDefinitionHash is the hash of the definition smpipe made live.
	TagDefinitionHash = "smpipe:definition-hash"
	TagVersion        = "smpipe:version"
	// TagPreview names the preview a pipeline is, such as "pr12"
	// (Options.Preview); production pipelines have none.
	TagPreview = "smpipe:preview"
)

// live is the pipeline as SageMaker has it before this run changes it.
type live struct {
	exists     bool
	name       string // as SageMaker spells it, which may differ in case
	arn        string
	definition string
	role       string
	tags       map[string]string
	// commit is the TagCommit value, reduced to what a commit SHA may hold.
	commit string
}

// definitionCommit is the commit that made the live definition live:
// TagDefinitionCommit, else (pipelines deployed before that tag existed,
// when TagCommit only moved with the definition) TagCommit.
func (l live) definitionCommit() string {
	if c := alnum(l.tags[TagDefinitionCommit], 40); c != "" {
		return c
	}
	return l.commit
}

// Live is a pipeline as SageMaker has it, with smpipe's record of it (its
// tags), read with DescribePipeline and ListTags only.
type Live struct {
	Exists     bool
	Definition []byte
	Hash       string // "sha256:<hex>" of Definition, compacted; empty when it is not JSON
	TaggedHash string // the smpipe:definition-hash tag: what smpipe made live
	Commit     string // the smpipe:commit tag: the newest commit deployed
	Repository string // the smpipe:repository tag: whose it is; "" when made outside smpipe
	Preview    string // the smpipe:preview tag: which preview it is; "" for production
	// DefinitionCommit is the commit whose deploy made the definition live,
	// by the tags: what a check that does not trust TaggedHash compiles.
	DefinitionCommit string
}

// ReadLive reads a pipeline's live state with read-only calls, as a plan
// with read-only credentials may. A missing pipeline is Live{}, no error.
func ReadLive(ctx context.Context, sm SageMakerAPI, pipeline string) (Live, error) {
	l, err := readLive(ctx, sm, pipeline)
	if err != nil || !l.exists {
		return Live{}, err
	}
	h, _ := defhash.Canonical([]byte(l.definition))
	return Live{Exists: true, Definition: []byte(l.definition), Hash: h, TaggedHash: l.tags[TagDefinitionHash],
		Commit: l.commit, Repository: l.tags[TagRepository], Preview: l.tags[TagPreview], DefinitionCommit: l.definitionCommit()}, nil
}

// OwnedBy reports whether smpipe created the live pipeline for repository,
// as a production deploy decides before it changes anything: a preview is
// not.
func (l Live) OwnedBy(repository string) bool {
	return live{exists: l.Exists, tags: map[string]string{TagRepository: l.Repository, TagPreview: l.Preview}}.ownedBy(repository, "")
}

// Standing is how a live pipeline stands against a definition.
type Standing string

// The standings Against reports.
const (
	StandingSame    Standing = "same"    // live is that definition
	StandingBehind  Standing = "behind"  // live is what smpipe last deployed, an older definition
	StandingEdited  Standing = "edited"  // live was changed or made outside smpipe (drift)
	StandingMissing Standing = "missing" // no such pipeline in SageMaker
	// StandingForeign: a pipeline of that name exists that smpipe did not
	// create for this repository; a deploy leaves it alone unless adopted.
	StandingForeign Standing = "foreign"
)

// Against compares the live pipeline with a definition's hash (the base
// branch's, in a pull request). Behind rests on the smpipe:definition-hash
// tag, which a console user can rewrite with the definition: a caller with
// the repository checks it against what DefinitionCommit compiles to.
func (l Live) Against(hash string) Standing {
	switch {
	case !l.Exists:
		return StandingMissing
	case l.Hash == hash:
		return StandingSame
	case l.TaggedHash == "" || l.Hash != l.TaggedHash:
		// Not what smpipe recorded deploying, or made without smpipe.
		return StandingEdited
	}
	return StandingBehind
}

// readLive describes the pipeline and lists its tags.
func readLive(ctx context.Context, sm SageMakerAPI, pipeline string) (live, error) {
	desc, err := sm.DescribePipeline(ctx, &sagemaker.DescribePipelineInput{PipelineName: aws.String(pipeline)})
	if IsNotFound(err) {
		return live{}, nil
	}
	if err != nil {
		return live{}, fmt.Errorf("describing pipeline: %w", err)
	}
	l := live{
		exists:     true,
		name:       aws.ToString(desc.PipelineName),
		arn:        aws.ToString(desc.PipelineArn),
		definition: aws.ToString(desc.PipelineDefinition),
		role:       aws.ToString(desc.RoleArn),
	}
	if l.tags, err = ListTags(ctx, sm, l.arn); err != nil {
		return live{}, err
	}
	l.commit = alnum(l.tags[TagCommit], 40)
	return l, nil
}

// ListTags reads every tag of the SageMaker resource arn, all pages.
func ListTags(ctx context.Context, sm sagemaker.ListTagsAPIClient, arn string) (map[string]string, error) {
	tags := map[string]string{}
	p := sagemaker.NewListTagsPaginator(sm, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the tags of %s: %w", arn, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// ownedBy reports whether smpipe created the pipeline for repository, as
// preview (empty for production): its smpipe:repository tag names the
// repository (GitHub compares owner and name without regard to case) and
// its smpipe:preview tag is preview. With no repository known, nothing is.
func (l live) ownedBy(repository, preview string) bool {
	return repository != "" && strings.EqualFold(l.tags[TagRepository], tagValue(repository)) && l.tags[TagPreview] == tagValue(preview)
}

// notOurs is why a pipeline smpipe did not create for repository is left
// alone, and what to do.
func (l live) notOurs(pipeline, repository, preview string) string {
	whose := "it carries no smpipe tags: it was made by hand or by another tool"
	switch owner, is := l.tags[TagRepository], l.tags[TagPreview]; {
	case owner != "" && strings.EqualFold(owner, tagValue(repository)) && is == "":
		whose = "it is one of this repository's production pipelines"
	case owner != "" && strings.EqualFold(owner, tagValue(repository)):
		whose = fmt.Sprintf("its %s tag says it is this repository's preview %q", TagPreview, is)
	case owner != "":
		whose = fmt.Sprintf("its %s tag says smpipe deployed it for %q", TagRepository, owner)
	}
	if repository == "" {
		whose = "this deploy does not know which repository it deploys for"
	}
	name := ""
	if l.name != "" && l.name != pipeline {
		name = fmt.Sprintf(" (as %q: SageMaker names differ only in case)", l.name)
	}
	if preview != "" {
		return fmt.Sprintf("a pipeline of that name already exists in SageMaker%s and it is not %s's preview %q: %s. "+
			"smpipe leaves it alone and previews never adopt; rename the pipeline in the repository", name, or(repository, "this repository"), preview, whose)
	}
	return fmt.Sprintf("a pipeline of that name already exists in SageMaker%s and smpipe did not create it for %s: %s. "+
		"smpipe leaves it alone; rename the pipeline in the repository, or, if this repository is to own it from now on, "+
		"list it in the adopt input (smpipe deploy --adopt %s)", name, or(repository, "this repository"), whose, pipeline)
}

// holds reports whether the live pipeline already is the target: the same
// definition (as JSON values) and role.
func (l live) holds(t Target) bool {
	return l.exists && sameDefinition(l.definition, t.Definition) && l.role == t.RoleArn
}

// drift judges a live pipeline that this deploy is about to change: was it
// changed outside smpipe since smpipe made it live? The live definition and
// role are compared with what smpipe put there by its record: the commit
// its tags say made the definition live, compiled again (Options.Recorded)
// and placed in this commit's history, so that editing the tags as well
// hides nothing. A record that cannot be checked is reported as drift with
// the reason; nil means the live pipeline is what smpipe made live.
func (d *Deployer) drift(ctx context.Context, l live, t Target, opts Options, adopted bool) *Drift {
	dr := &Drift{Live: []byte(l.definition), LiveRole: l.role, Repository: t.Definition, RepositoryRole: t.RoleArn}
	dr.LiveHash, _ = defhash.Canonical(dr.Live)
	if adopted {
		dr.Unverified = "adopted: smpipe did not create it for this repository, so the whole live pipeline is replaced"
		return dr
	}
	if opts.Recorded == nil {
		tagged := l.tags[TagDefinitionHash]
		if tagged == "" || dr.LiveHash == tagged {
			return nil
		}
		dr.RecordedHash = tagged
		return dr
	}
	commit := l.definitionCommit()
	if commit == "" {
		dr.Unverified = fmt.Sprintf("it carries no %s tag saying which commit made it live", TagDefinitionCommit)
		return dr
	}
	if opts.IsAncestor != nil {
		if ok, err := opts.IsAncestor(ctx, commit, opts.CommitSHA); err != nil || !ok {
			dr.Unverified = fmt.Sprintf("its record names commit %s, which is not in the history of %s", short(commit), short(opts.CommitSHA))
			return dr
		}
	}
	rec, err := opts.Recorded(ctx, commit, t.Pipeline)
	if err != nil {
		dr.Unverified = fmt.Sprintf("what commit %s, which its record names, compiles to could not be told: %v", short(commit), err)
		return dr
	}
	if sameDefinition(l.definition, rec.Definition) && l.role == rec.Role {
		return nil
	}
	dr.RecordedCommit, dr.RecordedRole = commit, rec.Role
	dr.RecordedHash, _ = defhash.Canonical(rec.Definition)
	return dr
}

// sameDefinition compares two definitions as JSON values, so key order and
// whitespace (which the service may not keep) do not count as a change.
func sameDefinition(deployed string, want []byte) bool {
	a, err := decodeJSON([]byte(deployed))
	if err != nil {
		return false
	}
	b, err := decodeJSON(want)
	if err != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// IsNotFound recognises a missing pipeline or execution: ResourceNotFound
// from the service, ValidationException "Could not find …" from moto.
func IsNotFound(err error) bool {
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ResourceNotFound" ||
		ae.ErrorCode() == "ValidationException" && strings.Contains(ae.ErrorMessage(), "Could not find"))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
