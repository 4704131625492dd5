package ghreport

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// Identifiers, paths and quoted names read as code, not entities.
		{"plain words, 10.0 MiB", "plain words, 10.0 MiB"},
		{"SMP_MODEL_CONFIGPATH", "`SMP_MODEL_CONFIGPATH`"},
		{"cal_housing_tf/conf/conf.yaml:3:5: error", "`cal_housing_tf/conf/conf.yaml:3:5`: error"},
		{`model "calhousing-test" is not defined`, "model `\"calhousing-test\"` is not defined"},
		{`unknown key "bad name!" (one of a, b)`, "unknown key `\"bad name!\"` (one of a, b)"},
		{`did you mean "x"?`, "did you mean `\"x\"`?"},
		{`half "quoted`, "half `\"quoted`"},
		// Nothing can link, mention, cross-reference or mark up.
		{"@octocat", "@" + zwj + "octocat"},
		{"mail@example.com", "mail@" + zwj + "example.com"},
		{"@ alone, ## twice", "@ alone, ## twice"},
		{"#123 acme/ml#7 #2's", "#" + zwj + "123 `acme/ml#7` #" + zwj + "2's"},
		{"GH-1 into gh-42. x-GH-7 GH-x AGH-1", "`GH-1` into `gh-42`. `x-GH-7` GH-x AGH-1"},
		{"see https://evil.example/x and www.evil.example.", "see `https://evil.example/x` and `www.evil.example`."},
		{"WWW.EVIL.EXAMPLE", "`WWW.EVIL.EXAMPLE`"},
		{"<img src=x onerror=alert(1)>", "`<img` `src=x` `onerror=alert(1)>`"},
		{"-->", "`-->`"},
		{"- item", "`-` item"},
		{"```", "```` ``` ````"},
		{"a`b", "``a`b``"},
		{"a|b", "`a`&#124;`b`"},
		{"[x](javascript:alert(1))", "`[x](javascript:alert(1))`"},
		{"*b* _i_ ~s~ $x$ \\", "`*b*` `_i_` `~s~` `$x$` `\\`"},
		{"&amp; :rocket:", "`&amp`; `:rocket`:"},
		// Control and bidirectional characters are replaced.
		{"two\nlines\r\nthree", "two lines three"},
		{"bell\a", "bell\uFFFD"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"abc\u202edcba\u2066x\u2069", "abc\uFFFDdcba\uFFFDx\uFFFD"},
		{strings.Repeat("x", 400), strings.Repeat("x", maxCellRunes-1) + "…"},
	}
	for _, tt := range tests {
		if got := text(tt.in); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"a\nb|c":                "a<br>`b`&#124;`c`",
		"a|b":                   "`a`&#124;`b`",
		`"x|y"`:                 "`\"x`&#124;`y\"`",
		"hyperparams.max_depth": "`hyperparams.max_depth`",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFence(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, want string }{
		{"x", "```diff\nx\n```\n"},
		{"a ``` b\n", "````diff\na ``` b\n````\n"},
		{"`````", "``````diff\n`````\n``````\n"},
	}
	for _, tt := range tests {
		if got := fence("diff", tt.body); got != tt.want {
			t.Errorf("fence(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/o/r/blob/abc/p/conf.yaml#L3", "https://github.com/o/r/blob/abc/p/conf.yaml#L3"},
		{"https://github.com/o/r/blob/abc/a)b [c].yaml", "https://github.com/o/r/blob/abc/a%29b%20%5Bc%5D.yaml"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"//evil.example/x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := link("a|b", "javascript:x"); got != "`a`&#124;`b`" {
		t.Errorf("link to a bad URL = %q", got)
	}
}
