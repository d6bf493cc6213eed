//! ICY (Shoutcast/Icecast) in-band metadata: when a listener sends `Icy-MetaData: 1`, the
//! server answers `icy-metaint: N` and puts a metadata block after every `N` bytes of audio:
//! one length byte `L`, then `16 * L` bytes such as `StreamTitle='Artist - Song';` padded
//! with NULs (`L = 0`: no change). The blocks are cut out of the audio here.

use crate::Options;

/// Largest metadata block (the length byte is at most 255).
const MAX_META: usize = 255 * 16;

/// Splits an ICY stream into audio bytes and metadata blocks.
pub(crate) struct IcyStripper {
    metaint: usize,
    state: State,
    meta: Vec<u8>,
}

enum State {
    /// Audio bytes left before the next length byte.
    Audio(usize),
    /// The next byte is the metadata length.
    Length,
    /// Metadata bytes still to come.
    Meta(usize),
}

impl IcyStripper {
    /// `metaint`: audio bytes between metadata blocks (from `icy-metaint`; positive).
    pub(crate) fn new(metaint: usize) -> Self {
        IcyStripper {
            metaint: metaint.max(1),
            state: State::Audio(metaint.max(1)),
            meta: Vec::new(),
        }
    }

    /// Appends the audio of `input` to `audio`; returns the tags of every complete non-empty
    /// metadata block in it, in order, each with the length `audio` had when it came (where
    /// in the audio the change happens).
    pub(crate) fn feed(&mut self, mut input: &[u8], audio: &mut Vec<u8>) -> Vec<(usize, Options)> {
        let mut blocks = Vec::new();
        while !input.is_empty() {
            match self.state {
                State::Audio(left) => {
                    let n = left.min(input.len());
                    audio.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    self.state = if n == left {
                        State::Length
                    } else {
                        State::Audio(left - n)
                    };
                }
                State::Length => {
                    let len = usize::from(input[0]) * 16;
                    input = &input[1..];
                    self.meta.clear();
                    self.state = if len == 0 {
                        State::Audio(self.metaint)
                    } else {
                        State::Meta(len.min(MAX_META))
                    };
                }
                State::Meta(left) => {
                    let n = left.min(input.len());
                    self.meta.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    if n == left {
                        let tags = parse_block(&self.meta);
                        if !tags.is_empty() {
                            blocks.push((audio.len(), tags));
                        }
                        self.state = State::Audio(self.metaint);
                    } else {
                        self.state = State::Meta(left - n);
                    }
                }
            }
        }
        blocks
    }
}

/// Text of a block: UTF-8, or Latin-1 where it is not valid UTF-8 (older Shoutcast servers).
fn block_text(raw: &[u8]) -> String {
    let end = raw.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let raw = &raw[..end];
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses `Key='value';Key2='value2';` into tags: `StreamTitle` → `title`, `StreamUrl` →
/// `icy-stream-url`, other keys as they are. A value may itself contain quotes and `;`: it ends
/// at the `';` that is followed by the next `Key=` or the end.
pub(crate) fn parse_block(raw: &[u8]) -> Options {
    let text = block_text(raw);
    let mut tags = Options::new();
    let mut rest = text.as_str();
    while let Some(eq) = rest.find("='") {
        let key = rest[..eq].trim().trim_start_matches(';').trim();
        let after = &rest[eq + 2..];
        // The closing quote: the first "';" followed by another key or the end.
        let mut end = None;
        let mut search = 0;
        while let Some(i) = after[search..].find("';") {
            let at = search + i;
            let next = after[at + 2..].trim_start();
            if next.is_empty()
                || next.find("='").is_some_and(|j| {
                    next[..j]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
            {
                end = Some(at);
                break;
            }
            search = at + 2;
        }
        let (value, next) = match end {
            Some(at) => (&after[..at], &after[at + 2..]),
            None => (after.trim_end_matches([';', '\'']), ""),
        };
        if !key.is_empty() {
            let name = match key {
                "StreamTitle" => "title".to_string(),
                "StreamUrl" => "icy-stream-url".to_string(),
                other => other.to_string(),
            };
            tags.insert(name, value.to_string());
        }
        rest = next;
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icy_stream(metaint: usize, audio: &[u8], blocks: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, part) in audio.chunks(metaint).enumerate() {
            out.extend_from_slice(part);
            if part.len() == metaint {
                match blocks.get(i) {
                    Some(text) if !text.is_empty() => {
                        let len = text.len().div_ceil(16);
                        out.push(len as u8);
                        let mut b = text.as_bytes().to_vec();
                        b.resize(len * 16, 0);
                        out.extend_from_slice(&b);
                    }
                    _ => out.push(0),
                }
            }
        }
        out
    }

    #[test]
    fn strips_blocks_at_any_split() {
        let audio: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let stream = icy_stream(
            100,
            &audio,
            &[
                "",
                "StreamTitle='First';",
                "",
                "StreamTitle='Rock';StreamUrl='http://x';",
            ],
        );
        for split in [1, 7, 100, 101, 4096] {
            let mut s = IcyStripper::new(100);
            let mut out = Vec::new();
            let mut tags = Vec::new();
            for part in stream.chunks(split) {
                tags.extend(s.feed(part, &mut out));
            }
            assert_eq!(out, audio, "split {split}");
            assert_eq!(tags.len(), 2);
            // After the 2nd and 4th blocks of 100 audio bytes.
            assert_eq!((tags[0].0, tags[0].1["title"].as_str()), (200, "First"));
            assert_eq!((tags[1].0, tags[1].1["title"].as_str()), (400, "Rock"));
            assert_eq!(tags[1].1["icy-stream-url"], "http://x");
        }
    }

    #[test]
    fn parses_awkward_titles() {
        let t = parse_block(b"StreamTitle='Guns N' Roses - Don';t Cry';StreamUrl='';\0\0");
        assert_eq!(t["title"], "Guns N' Roses - Don';t Cry");
        assert_eq!(t["icy-stream-url"], "");
        let t = parse_block(b"StreamTitle='Caf\xe9';");
        assert_eq!(t["title"], "Café");
        let t = parse_block("StreamTitle='Ünïcode';".as_bytes());
        assert_eq!(t["title"], "Ünïcode");
        assert!(parse_block(b"\0\0\0").is_empty());
        assert_eq!(
            parse_block(b"StreamTitle='unterminated")["title"],
            "unterminated"
        );
    }
}
