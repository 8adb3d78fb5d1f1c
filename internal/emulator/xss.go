package emulator

import "strings"

// xssFilter is filterXSS of the xss npm library (js-xss) with the options
// PipesHub's XSS layer passes: an empty whiteList, stripIgnoreTag and
// stripIgnoreTagBody ["script"] (internal/emulator/README.md §3.2). The
// strings that reach it passed the reject rules, so no complete HTML tag is
// left, but a stray < still matters:
//
//   - an HTML comment opener "<!--" without a closer drops the rest;
//   - an unclosed < followed by text is a tag that runs to the end of the
//     string, and every tag is stripped: "a < b" gives "a ", "<3 love" "";
//   - a < that ends the string, and every >, are escaped (&lt; &gt;);
//   - a quote after = inside a would-be tag opens an attribute value, and
//     an unterminated one leaves the whole rest escaped instead;
//   - a tag named script (say "<scriptx", cut as the library cuts names)
//     becomes "[removed]", and a closing one is removed with what lies
//     between.
//
// Positions are counted in runes where the library counts UTF-16 units; it
// only ever tests for ASCII characters and whitespace, so the two agree.
func xssFilter(html string) string {
	if html == "" {
		return ""
	}
	src := []rune(stripCommentTag(html))
	var out strings.Builder
	body := &stripTagBody{posStart: -1}
	onTag := func(tag []rune) {
		tagHTML := string(tag)
		isClosing := strings.HasPrefix(tagHTML, "</")
		out.WriteString(body.onIgnoreTag(xssTagName(tag), isClosing, out.Len()))
	}
	lastPos, tagStart := 0, -1
	var quoteStart rune // 0: not in a quoted attribute value
	n := len(src)
chars:
	for pos := 0; pos < n; pos++ {
		c := src[pos]
		if tagStart < 0 {
			if c == '<' {
				tagStart = pos
			}
			continue
		}
		if quoteStart != 0 {
			if c == quoteStart {
				quoteStart = 0
			}
			continue
		}
		switch {
		case c == '<':
			out.WriteString(escapeHTML(src[lastPos:pos]))
			tagStart, lastPos = pos, pos
		case c == '>' || pos == n-1:
			out.WriteString(escapeHTML(src[lastPos:tagStart]))
			onTag(src[tagStart : pos+1])
			lastPos, tagStart = pos+1, -1
		case c == '"' || c == '\'':
			// A quote opens a value only after "=" (spaces allowed between).
			for i := pos - 1; i >= 0; i-- {
				if src[i] == '=' {
					quoteStart = c
					continue chars
				}
				if !isJSWhitespace(src[i]) {
					break
				}
			}
		}
	}
	if lastPos < n {
		out.WriteString(escapeHTML(src[lastPos:]))
	}
	return body.remove(out.String())
}

// escapeHTML is the library's default escapeHtml: < and > only.
func escapeHTML(s []rune) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(string(s))
}

// stripCommentTag removes <!-- ... --> comments; an unclosed one runs to
// the end of the string.
func stripCommentTag(html string) string {
	var out strings.Builder
	for {
		i := strings.Index(html, "<!--")
		if i < 0 {
			out.WriteString(html)
			break
		}
		out.WriteString(html[:i])
		j := strings.Index(html[i:], "-->")
		if j < 0 {
			break
		}
		html = html[i+j+3:]
	}
	return out.String()
}

// xssTagName is the library's getTagName: the text after < up to the first
// whitespace (without the last character when there is none, which is the
// > of a complete tag), trimmed, lower-cased, without a leading or trailing
// slash.
func xssTagName(tag []rune) string {
	var name []rune
	if i := indexFunc(tag, isJSWhitespace); i < 0 {
		name = tag[1 : len(tag)-1]
	} else {
		name = tag[1 : i+1]
	}
	s := strings.TrimFunc(string(name), isJSWhitespace)
	// JavaScript's toLowerCase; only an ASCII result can equal "script",
	// and no other character lower-cases to an ASCII letter of it.
	s = strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "/")
	return strings.TrimSuffix(s, "/")
}

func indexFunc(rs []rune, f func(rune) bool) int {
	for i, r := range rs {
		if f(r) {
			return i
		}
	}
	return -1
}

// stripTagBody is the library's StripTagBody for ["script"] over
// onIgnoreTagStripAll: script tags become markers whose spans remove()
// cuts out; every other tag is stripped.
type stripTagBody struct {
	posStart int // -1: none (the library's false)
	spans    [][2]int
}

func (b *stripTagBody) onIgnoreTag(name string, isClosing bool, position int) string {
	if name != "script" {
		return ""
	}
	if isClosing {
		const ret = "[/removed]"
		start := position
		if b.posStart >= 0 {
			start = b.posStart
		}
		b.spans = append(b.spans, [2]int{start, position + len(ret)})
		b.posStart = -1
		return ret
	}
	if b.posStart <= 0 { // the library tests !posStart, so 0 counts as unset
		b.posStart = position
	}
	return "[removed]"
}

func (b *stripTagBody) remove(html string) string {
	if len(b.spans) == 0 {
		return html
	}
	var out strings.Builder
	last := 0
	for _, span := range b.spans {
		if span[0] > last { // JavaScript's slice gives "" otherwise
			out.WriteString(html[last:span[0]])
		}
		last = span[1]
	}
	if last < len(html) {
		out.WriteString(html[last:])
	}
	return out.String()
}
