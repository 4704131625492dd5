package ghreport

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain-name_1", "plain-name&#95;1"},
		{"@octocat", "@" + zwj + "octocat"},
		{"mail@example.com", "mail@" + zwj + "example.com"},
		{"@ alone", "@ alone"},
		{"#123", "#" + zwj + "123"},
		{"acme/ml#7", "acme/ml#" + zwj + "7"},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert&#40;1&#41;&gt;"},
		{"-->", "--&gt;"},
		{"```", "&#96;&#96;&#96;"},
		{"a|b", "a&#124;b"},
		{"[x](javascript:alert(1))", "&#91;x&#93;&#40;javascript:alert&#40;1&#41;&#41;"},
		{"*b* _i_ ~s~ $x$ \\", "&#42;b&#42; &#95;i&#95; &#126;s&#126; &#36;x&#36; &#92;"},
		{"&amp;", "&amp;amp;"},
		{"two\nlines\r\nthree", "two lines three"},
		{"bell\a", "bell\uFFFD"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{strings.Repeat("x", 400), strings.Repeat("x", maxCellRunes-1) + "…"},
	}
	for _, tt := range tests {
		if got := text(tt.in); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := cell("a\nb|c"); got != "a<br>b&#124;c" {
		t.Errorf("cell = %q", got)
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
	if got := link("a|b", "javascript:x"); got != "a&#124;b" {
		t.Errorf("link to a bad URL = %q", got)
	}
}
