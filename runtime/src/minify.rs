//! Removes insignificant whitespace from a JSON body so that its SHA-256 matches what the
//! other side hashes (SNAP standard §2.4), without ever re-serializing it.
//!
//! A parse-and-serialize round trip would be the obvious implementation, but it can change the
//! signed bytes: escapes get normalised (`\u00e9` → `é`, `\/` → `/`), numbers get respelled
//! (`1.0` → `1`, `1e5` → `100000.0`) and duplicate keys get merged. Any of those breaks the
//! signature, so this module scans the bytes once, validates the JSON grammar (RFC 8259) on the
//! way, and only ever drops whitespace that sits between tokens.

use std::borrow::Cow;
use std::fmt;

/// Why [`minify`] refused a body, and where.
///
/// The position lets a developer find the problem in a pretty-printed body: `line` and
/// `column` are 1-based, `column` counts characters (not bytes) from the start of the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed JSON body at line {line}, column {column} (byte offset {offset}): \
     expected {expected}, found {found}"
)]
pub struct MinifyError {
    /// Byte offset of the problem from the start of the body.
    pub offset: usize,
    /// 1-based line number of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// What the grammar allowed at this position.
    pub expected: &'static str,
    /// What was actually there.
    pub found: Found,
}

/// The input that [`MinifyError`] stumbled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// The body ended before the JSON value was complete.
    EndOfInput,
    /// An unexpected character.
    Char(char),
    /// Bytes that are not valid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::EndOfInput => f.write_str("end of input"),
            // Control characters would be invisible or break the line in a log.
            Found::Char(c) if c.is_control() => {
                write!(f, "control character U+{:04X}", u32::from(*c))
            }
            Found::Char(c) => write!(f, "{c:?}"),
            Found::InvalidUtf8 => f.write_str("invalid UTF-8"),
        }
    }
}

/// Returns `body` without insignificant whitespace, keeping every other byte as sent.
///
/// Key order, string contents (spaces, escapes such as `\u00e9`, `\"` and `\/`, raw
/// non-ASCII) and number spellings (`1.0`, `1e5`, `-0`) are preserved byte for byte.
/// An empty or all-whitespace body yields an empty output, because SNAP signs an absent
/// body as the empty string.
///
/// Returns [`Cow::Borrowed`] when nothing has to be removed, which is the common case for
/// bodies produced by `serde_json::to_vec`, so the hot path does not allocate.
///
/// # Errors
///
/// [`MinifyError`] if `body` is not exactly one well-formed JSON value (surrounded by optional
/// whitespace) or is not valid UTF-8.
pub fn minify(body: &[u8]) -> Result<Cow<'_, [u8]>, MinifyError> {
    if let Err(e) = std::str::from_utf8(body) {
        // Checked up front so the scanner can treat every byte >= 0x80 as part of a valid
        // character and error positions always fall on character boundaries.
        return Err(error_at(body, e.valid_up_to(), "valid UTF-8"));
    }

    let start = body.iter().position(|&b| !is_whitespace(b)).unwrap_or(body.len());
    let end = body.iter().rposition(|&b| !is_whitespace(b)).map_or(start, |i| i + 1);
    if start == end {
        return Ok(Cow::Borrowed(&body[..0]));
    }

    let mut scanner = Scanner {
        input: body,
        end,
        pos: start,
        out: None,
        copied_from: start,
    };
    scanner.document()?;

    Ok(match scanner.out {
        // Whitespace only at the edges: the minified body is a sub-slice of the input.
        None => Cow::Borrowed(&body[start..end]),
        Some(mut out) => {
            out.extend_from_slice(&body[scanner.copied_from..end]);
            Cow::Owned(out)
        }
    })
}

/// JSON's four whitespace bytes (RFC 8259 §2); anything else is significant.
fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Containers still open at the current position.
///
/// Kept on an explicit stack instead of recursing, so deeply nested hostile input cannot
/// overflow the thread's stack.
#[derive(Clone, Copy)]
enum Open {
    Object,
    Array,
}

struct Scanner<'a> {
    input: &'a [u8],
    /// End of the last significant byte; trailing whitespace was already trimmed off.
    end: usize,
    pos: usize,
    /// Allocated only once interior whitespace is found (see `skip_whitespace`).
    out: Option<Vec<u8>>,
    /// Start of the input still to be copied into `out`.
    copied_from: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            Some(self.input[self.pos])
        } else {
            None
        }
    }

    fn error(&self, expected: &'static str) -> MinifyError {
        if self.pos < self.end {
            error_at(self.input, self.pos, expected)
        } else {
            // Report the real end of the body, past any trimmed trailing whitespace.
            error_at(self.input, self.input.len(), expected)
        }
    }

    fn skip_whitespace(&mut self) {
        let ws_start = self.pos;
        while self.pos < self.end && is_whitespace(self.input[self.pos]) {
            self.pos += 1;
        }
        if self.pos > ws_start {
            let out = self
                .out
                .get_or_insert_with(|| Vec::with_capacity(self.end - self.copied_from));
            out.extend_from_slice(&self.input[self.copied_from..ws_start]);
            self.copied_from = self.pos;
        }
    }

    fn expect_byte(&mut self, byte: u8, expected: &'static str) -> Result<(), MinifyError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Scans exactly one JSON value followed by nothing.
    fn document(&mut self) -> Result<(), MinifyError> {
        let mut open: Vec<Open> = Vec::new();
        'value: loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        self.member_key("a string key or '}'")?;
                        open.push(Open::Object);
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        open.push(Open::Array);
                        continue 'value;
                    }
                }
                Some(b'"') => self.string()?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true", "'true'")?,
                Some(b'f') => self.literal(b"false", "'false'")?,
                Some(b'n') => self.literal(b"null", "'null'")?,
                _ => {
                    return Err(self.error("a JSON value (object, array, string, number, true, false or null)"));
                }
            }

            // A value is complete: close every container that ends here, or move on to the
            // container's next element.
            loop {
                self.skip_whitespace();
                match open.last() {
                    None => break 'value,
                    Some(Open::Object) => match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            self.skip_whitespace();
                            self.member_key("a string key")?;
                            continue 'value;
                        }
                        Some(b'}') => {
                            self.pos += 1;
                            open.pop();
                        }
                        _ => return Err(self.error("',' or '}'")),
                    },
                    Some(Open::Array) => match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            continue 'value;
                        }
                        Some(b']') => {
                            self.pos += 1;
                            open.pop();
                        }
                        _ => return Err(self.error("',' or ']'")),
                    },
                }
            }
        }

        if self.pos < self.end {
            return Err(self.error("end of input after the JSON value"));
        }
        Ok(())
    }

    /// Scans `"key" :`, leaving the position before the member's value.
    fn member_key(&mut self, expected: &'static str) -> Result<(), MinifyError> {
        if self.peek() != Some(b'"') {
            return Err(self.error(expected));
        }
        self.string()?;
        self.skip_whitespace();
        self.expect_byte(b':', "':' after the object key")
    }

    /// Scans a string starting at its opening quote. Nothing inside is ever dropped.
    fn string(&mut self) -> Result<(), MinifyError> {
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.error("'\"' to close the string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1;
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            for _ in 0..4 {
                                match self.peek() {
                                    Some(b) if b.is_ascii_hexdigit() => self.pos += 1,
                                    _ => {
                                        return Err(self.error("a hex digit (\\u takes exactly four)"));
                                    }
                                }
                            }
                        }
                        _ => {
                            return Err(self.error("an escape character (one of \" \\ / b f n r t u) after '\\'"));
                        }
                    }
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error("a character other than an unescaped control character"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Scans `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` without touching its spelling.
    fn number(&mut self) -> Result<(), MinifyError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("'.', 'e' or the end of the number (no leading zeros)"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.at_least_one_digit("a digit after the decimal point")?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.at_least_one_digit("a digit in the exponent")?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn at_least_one_digit(&mut self, expected: &'static str) -> Result<(), MinifyError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error(expected));
        }
        self.digits();
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8], expected: &'static str) -> Result<(), MinifyError> {
        for &b in word {
            if self.peek() != Some(b) {
                return Err(self.error(expected));
            }
            self.pos += 1;
        }
        Ok(())
    }
}

/// Builds the error for `offset`, computing line and column only now because errors are rare
/// and the scanner should not pay for position tracking on every byte.
fn error_at(input: &[u8], offset: usize, expected: &'static str) -> MinifyError {
    let before = &input[..offset.min(input.len())];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    // Counting non-continuation bytes counts characters; the prefix is valid UTF-8.
    let column = 1 + before[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count();
    let found = match input.get(offset..).and_then(|rest| rest.utf8_chunks().next()) {
        None => Found::EndOfInput,
        Some(chunk) => chunk.valid().chars().next().map_or(Found::InvalidUtf8, Found::Char),
    };
    MinifyError {
        offset,
        line,
        column,
        expected,
        found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(s: &str) -> String {
        match minify(s.as_bytes()) {
            Ok(out) => String::from_utf8_lossy(&out).into_owned(),
            Err(e) => panic!("minify({s:?}) failed: {e}"),
        }
    }

    fn err(s: &[u8]) -> MinifyError {
        match minify(s) {
            Ok(out) => panic!(
                "minify({:?}) should fail, got {:?}",
                String::from_utf8_lossy(s),
                String::from_utf8_lossy(&out)
            ),
            Err(e) => e,
        }
    }

    #[test]
    fn keeps_spaces_inside_strings() {
        assert_eq!(
            min(r#"{ "partnerServiceId" : "  088899" , "name": "Jokul Doe" }"#),
            r#"{"partnerServiceId":"  088899","name":"Jokul Doe"}"#
        );
    }

    #[test]
    fn keeps_escapes_verbatim() {
        let body = r#"{"a": "caf\u00e9 \"quoted\" a\/b \\ \n\t", "b" : "\uD83D\uDE00"}"#;
        assert_eq!(
            min(body),
            r#"{"a":"caf\u00e9 \"quoted\" a\/b \\ \n\t","b":"\uD83D\uDE00"}"#
        );
    }

    #[test]
    fn keeps_number_spellings() {
        assert_eq!(
            min("[ 1.0 , 1e5, -0, 0.50, 1E+05 , -12.340e-7 ,0]"),
            "[1.0,1e5,-0,0.50,1E+05,-12.340e-7,0]"
        );
    }

    #[test]
    fn keeps_non_ascii_and_key_order() {
        assert_eq!(
            min("{\"z\": \"Jōkul  Døe 日本\", \"a\": [\"é\" ]}"),
            "{\"z\":\"Jōkul  Døe 日本\",\"a\":[\"é\"]}"
        );
    }

    #[test]
    fn removes_whitespace_and_newlines_between_tokens() {
        let pretty = "{\r\n  \"a\" : [ 1 ,\n\t2 ],\n  \"b\" : { \"c\" : null , \"d\" : true, \"e\": false }\n}\n";
        assert_eq!(min(pretty), r#"{"a":[1,2],"b":{"c":null,"d":true,"e":false}}"#);
    }

    #[test]
    fn empty_and_blank_bodies_become_empty() {
        assert_eq!(min(""), "");
        assert_eq!(min(" \n\t\r "), "");
    }

    #[test]
    fn scalars_and_empty_containers_at_top_level() {
        assert_eq!(min(" \"x\" "), "\"x\"");
        assert_eq!(min("42"), "42");
        assert_eq!(min("{ }"), "{}");
        assert_eq!(min("[ ]"), "[]");
        assert_eq!(min("[[ [ ] ], { } ]"), "[[[]],{}]");
    }

    #[test]
    fn already_minified_input_is_borrowed() {
        let body = br#"{"a":"  x ","b":[1,2.0]}"#;
        let out = minify(body).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(&*out, body);

        // Edge whitespace only needs a sub-slice, not a copy.
        let padded = b"\n  {\"a\":1}  \n";
        let out = minify(padded).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(&*out, b"{\"a\":1}");

        let spaced = b"{\"a\": 1}";
        assert!(matches!(minify(spaced), Ok(Cow::Owned(_))));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let depth = 200_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(minify(body.as_bytes()).map(|c| c.len()), Ok(2 * depth));
    }

    #[test]
    fn unterminated_string_points_at_the_end() {
        let e = err(b"{\n  \"a\": \"abc");
        assert_eq!((e.line, e.column, e.offset), (2, 12, 13));
        assert_eq!(e.found, Found::EndOfInput);
        assert!(e.expected.contains("close the string"), "{e}");
    }

    #[test]
    fn trailing_garbage_is_rejected_with_position() {
        let e = err(b"{\"a\":1}\n x");
        assert_eq!((e.line, e.column, e.offset), (2, 2, 9));
        assert_eq!(e.found, Found::Char('x'));
        assert!(e.to_string().contains("line 2, column 2"), "{e}");
    }

    #[test]
    fn bad_tokens_are_rejected_with_position() {
        let e = err(b"{\"a\": tru}");
        assert_eq!((e.line, e.column, e.found), (1, 10, Found::Char('}')));

        let e = err(b"[1,\n 2,\n ]");
        assert_eq!((e.line, e.column, e.found), (3, 2, Found::Char(']')));

        let e = err(b"{\"a\":1,}");
        assert_eq!((e.column, e.expected), (8, "a string key"));

        let e = err(b"{\"a\" 1}");
        assert_eq!((e.column, e.found), (6, Found::Char('1')));

        let e = err(b"[01]");
        assert_eq!(e.column, 3);
        let e = err(b"[1.]");
        assert_eq!(e.column, 4);
        let e = err(b"[1e]");
        assert_eq!(e.column, 4);
        let e = err(b"[-]");
        assert_eq!(e.column, 3);
        let e = err(b"{'a':1}");
        assert_eq!((e.column, e.found), (2, Found::Char('\'')));
        let e = err(b"[1 2]");
        assert_eq!((e.column, e.expected), (4, "',' or ']'"));
    }

    #[test]
    fn bad_escapes_and_control_characters_are_rejected() {
        let e = err(br#"["\x"]"#);
        assert_eq!((e.column, e.found), (4, Found::Char('x')));
        let e = err(br#"["\u12G4"]"#);
        assert_eq!((e.column, e.found), (7, Found::Char('G')));
        let e = err(b"[\"a\tb\"]");
        assert_eq!((e.column, e.found), (4, Found::Char('\t')));
        assert!(e.to_string().contains("U+0009"), "{e}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = err("{\"é\": x}".as_bytes());
        assert_eq!((e.line, e.column, e.offset), (1, 7, 7));
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let e = err(b"{\"a\":\"\xff\"}");
        assert_eq!((e.offset, e.column, e.found), (6, 7, Found::InvalidUtf8));
        assert_eq!(e.expected, "valid UTF-8");
    }

    #[test]
    fn missing_value_at_end_reports_end_of_input() {
        let e = err(b"{\"a\":   ");
        assert_eq!((e.offset, e.found), (8, Found::EndOfInput));
        let e = err(b"[");
        assert_eq!((e.offset, e.found), (1, Found::EndOfInput));
    }
}
