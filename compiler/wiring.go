package compiler

import (
	"maps"
	"slices"
	"strings"

	"github.com/smpipe/smpipe-action/compiler/diag"
)

// How steps feed each other: implicit "latest preceding" wiring inside a
// model, chain_input_source_step, and the dependencies list.

// wireImplicit gives every step the latest preceding Training, CreateModel,
// Transform and Metrics step of its model, as the original did: each
// consumer uses the nearest one before it in the model's steps list.
func (b *builder) wireImplicit() {
	var latest userStep
	model := ""
	for _, us := range b.steps {
		if us.conf.Model != model {
			latest, model = userStep{}, us.conf.Model
		}
		us.train, us.create, us.transform, us.metrics = latest.train, latest.create, latest.transform, latest.metrics
		us.afterInvalid = latest.afterInvalid
		switch us.class {
		case Training:
			latest.train = us
		case CreateModel:
			latest.create = us
		case Transform:
			latest.transform = us
		case Metrics:
			latest.metrics = us
		case "":
			latest.afterInvalid = true
		}
	}
}

// chained is one input that comes from another step's output.
type chained struct {
	source  *userStep
	channel string // the source output/channel the input is named after
	uri     Get
	pos     diag.Pos
}

// chainSources resolves chain_input_source_step names of us. The result
// has one entry per name, nil where the name does not resolve.
func (b *builder) chainSources(us *userStep) []*userStep {
	out := make([]*userStep, 0, len(us.conf.ChainSources))
	for _, s := range us.conf.ChainSources {
		src, ok := b.byName[s.Value]
		switch {
		case !ok:
			b.ds.Errorf(s.Pos, "chain", "chain_input_source_step %q is not a step of this pipeline%s", s.Value, didYouMean(s.Value, slices.Sorted(maps.Keys(b.byName))))
		case src == us:
			b.ds.Errorf(s.Pos, "chain", "step %q cannot chain its own output as input", us.name)
		case src.class == "":
			// its step_class is invalid: already reported
		case !src.class.spec().chains:
			b.ds.Errorf(s.Pos, "chain", "chain_input_source_step %q is a %s step, which produces no data; chain from a %s step", s.Value, src.class,
				classesWhere(func(c *classSpec) bool { return c.chains }, "or"))
		case src.model == nil:
			// its model is undefined: already reported
		default:
			out = append(out, src)
			continue
		}
		out = append(out, nil) // keep positions aligned with the conf list
	}
	return out
}

// checkChainNames reports the chain sources of a step that is not built
// (its class is unknown) which name no step.
func (b *builder) checkChainNames(us *userStep) {
	for _, s := range us.conf.ChainSources {
		if _, ok := b.byName[s.Value]; !ok {
			b.ds.Errorf(s.Pos, "chain", "chain_input_source_step %q is not a step of this pipeline%s", s.Value, didYouMean(s.Value, slices.Sorted(maps.Keys(b.byName))))
		}
	}
}

// outputs lists the channels a source step provides, each with the
// property reference that reads it. Channel lists come from the source's
// own section (the seed read the consumer's).
func (b *builder) outputs(src *userStep) []chained {
	name := src.name
	switch src.class {
	case Processing:
		var out []chained
		for _, ch := range b.processingOutputs(src) {
			out = append(out, chained{source: src, channel: ch, uri: processingOutputRef(name, ch)})
		}
		return out
	case Training:
		chans := []string{defaultChannel}
		if sec := b.section(src.model, src.conf.Type.Or(defaultTrainingSection), Training); sec != nil && len(sec.Channels) > 0 {
			chans = chans[:0]
			for _, ch := range sec.Channels {
				chans = append(chans, ch.Name)
			}
		}
		out := make([]chained, len(chans))
		for i, ch := range chans {
			out[i] = chained{source: src, channel: ch, uri: modelArtifactsRef(name)}
		}
		return out
	case Transform:
		return []chained{{source: src, channel: b.transformChannel(src.model), uri: transformOutputRef(name)}}
	case Metrics:
		return []chained{{source: src, channel: b.evaluateChannel(src.model), uri: processingOutputRef(name, metricsOutputName)}}
	}
	return nil
}

// processingOutputs are a Processing step's output names: its section's
// channel keys, or "train".
func (b *builder) processingOutputs(us *userStep) []string {
	if !us.conf.Type.Set {
		return []string{defaultChannel}
	}
	sec := b.section(us.model, us.conf.Type.Value, Processing)
	if sec == nil || len(sec.Channels) == 0 {
		return []string{defaultChannel}
	}
	out := make([]string, len(sec.Channels))
	for i, ch := range sec.Channels {
		out[i] = ch.Name
	}
	return out
}

func (b *builder) transformChannel(m *ModelConf) string {
	if sec := b.section(m, transformSection, Transform); sec != nil && len(sec.Channels) > 0 {
		return sec.Channels[0].Name
	}
	return defaultChannel
}

func (b *builder) evaluateChannel(m *ModelConf) string {
	sec := b.section(m, evaluateSection, Metrics)
	switch {
	case sec == nil:
		return defaultChannel
	case sec.ChannelName.Set:
		return sec.ChannelName.Value
	case len(sec.Channels) > 0:
		return sec.Channels[0].Name
	}
	return defaultChannel
}

// pick returns the output of src named channel, reporting a missing one.
func (b *builder) pick(us *userStep, src *userStep, channel string, at diag.Pos) (chained, bool) {
	outs := b.outputs(src)
	if src.class == Processing {
		for _, o := range outs {
			if o.channel == channel {
				o.pos = at
				return o, true
			}
		}
		names := make([]string, len(outs))
		for i, o := range outs {
			names[i] = o.channel
		}
		b.ds.Errorf(at, "chain", "%s step %q reads output %q of %q, which has outputs %s; rename the channel so they match",
			us.class, us.name, channel, src.name, strings.Join(quoteAll(names), ", "))
		return chained{}, false
	}
	o := outs[0]
	o.pos = at
	return o, true
}

// applyDependencies turns `a >> b >> c` entries into DependsOn. A
// CreateModel or RegisterModel target gets the edge on its first sub-step;
// such a source stands for all of its sub-steps.
func (b *builder) applyDependencies() {
	names := slices.Sorted(maps.Keys(b.byName))
	for _, dep := range b.pc.Dependencies {
		parts := strings.Split(dep.Value, ">>")
		var chain []*userStep
		ok := true
		for _, p := range parts {
			p = strings.TrimSpace(p)
			us, found := b.byName[p]
			switch {
			case p == "":
				b.ds.Errorf(dep.Pos, "dependency", "dependency %q has an empty step name; write it as \"a >> b >> c\"", dep.Value)
				ok = false
			case !found:
				b.ds.Errorf(dep.Pos, "dependency", "dependency %q names unknown step %q%s", dep.Value, p, didYouMean(p, names))
				ok = false
			default:
				chain = append(chain, us)
			}
		}
		if !ok {
			continue
		}
		if len(chain) == 1 {
			b.ds.Warnf(dep.Pos, "dependency", "dependency %q has no \">>\" and orders nothing", dep.Value)
			continue
		}
		for i := 0; i+1 < len(chain); i++ {
			from, to := chain[i], chain[i+1]
			if from == to {
				b.ds.Errorf(dep.Pos, "dependency", "step %q cannot depend on itself", from.name)
				continue
			}
			if len(to.sub) == 0 || len(from.sub) == 0 {
				continue // the step failed to build; reported already
			}
			target := to.sub[0]
			for _, s := range from.sub {
				if !slices.ContainsFunc(target.DependsOn, func(d Dependency) bool { return d.Step == s.Name }) {
					target.DependsOn = append(target.DependsOn, Dependency{Step: s.Name, Pos: dep.Pos})
				}
			}
		}
	}
}
