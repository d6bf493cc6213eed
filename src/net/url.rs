//! The small part of URL syntax the network sources and sinks need: scheme, user info, host,
//! port, path and query (RFC 3986), plus resolving a redirect's `Location`.

use crate::{Error, Result};

/// The schemes we speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
    /// An Icecast source-client destination (plain HTTP underneath).
    Icecast,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
            Scheme::Icecast => 8000,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::Icecast => "icecast",
        }
    }
}

/// A parsed absolute URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) scheme: Scheme,
    /// Percent-decoded user name and password of the user info, if any.
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
    /// Host name or IP address (IPv6 without brackets).
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Path and query, starting with `/`, percent-encoded where needed (no fragment).
    pub(crate) target: String,
}

/// Whether `src` names a network source (`http://` or `https://`, any case).
pub(crate) fn is_http(src: &str) -> bool {
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Whether `dst` names an Icecast destination (`icecast://`, any case).
pub(crate) fn is_icecast(dst: &str) -> bool {
    dst.get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("icecast://"))
}

fn bad_url(url: &str, why: &str) -> Error {
    Error::invalid_argument(
        "url",
        format!("{:?} ({why})", redact(url)),
        "http://host[:port]/path, https://host[:port]/path or icecast://user:password@host[:port]/mount",
    )
}

/// `url` with the password of its user info replaced by `***`, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    crate::redact_credentials(url)
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes what may not appear raw in a request target (spaces, non-ASCII, controls, and a
/// few delimiters), keeping existing escapes and the URL's own structure.
fn encode_target(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let keep = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Url {
    /// Parses an absolute `http`, `https` or `icecast` URL.
    pub(crate) fn parse(url: &str) -> Result<Url> {
        let trimmed = url.trim();
        let (scheme_str, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| bad_url(url, "no scheme"))?;
        let scheme = match scheme_str.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            "icecast" => Scheme::Icecast,
            other => {
                return Err(Error::Unsupported(format!(
                    "URL scheme \"{other}\" in {:?}; supported: http, https (reading), icecast (writing)",
                    redact(url)
                )))
            }
        };
        let rest = rest.split('#').next().unwrap_or("");
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(auth_end);
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
                None => (Some(percent_decode(info)), None),
            },
            None => (None, None),
        };
        let (host, port_str) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad_url(url, "unclosed '[' in the host"))?;
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad_url(url, "junk after the IPv6 address"))?,
                ),
            };
            (h.to_string(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(bad_url(url, "no host"));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '\\' | '@'))
        {
            return Err(bad_url(
                url,
                "the host has characters a host name cannot have",
            ));
        }
        let port = match port_str {
            None | Some("") => scheme.default_port(),
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad_url(url, "the port is not a number from 1 to 65535"))?,
        };
        let target = if target.is_empty() {
            "/".to_string()
        } else if target.starts_with('?') {
            format!("/{}", encode_target(target))
        } else {
            encode_target(target)
        };
        Ok(Url {
            scheme,
            user,
            password,
            host,
            port,
            target,
        })
    }

    /// The `Host` header value: the port only when it is not the scheme's default.
    pub(crate) fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.scheme.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// `host:port` for connecting (IPv6 in brackets).
    pub(crate) fn socket_addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The path without the query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }

    /// The lowercased extension of the path's last segment (`mp3` for `/a/b.mp3?x=1`), when it
    /// looks like one.
    pub(crate) fn extension(&self) -> Option<String> {
        let last = self.path().rsplit('/').next()?;
        let (_, ext) = last.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        (!ext.is_empty() && ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then_some(ext)
    }

    /// The `Authorization: Basic` value for the user info, if there is one.
    pub(crate) fn basic_auth(&self) -> Option<String> {
        let user = self.user.as_deref()?;
        let pass = self.password.as_deref().unwrap_or("");
        Some(format!(
            "Basic {}",
            base64(format!("{user}:{pass}").as_bytes())
        ))
    }

    /// Resolves a redirect's `Location` against this URL.
    pub(crate) fn join(&self, location: &str) -> Result<Url> {
        let loc = location.trim();
        if loc.contains("://") {
            return Url::parse(loc);
        }
        let base = format!("{}://{}", self.scheme.name(), self.host_header());
        if let Some(rest) = loc.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme.name()));
        }
        if loc.starts_with('/') {
            return Url::parse(&format!("{base}{loc}"));
        }
        if loc.starts_with('?') {
            return Url::parse(&format!("{base}{}{loc}", self.path()));
        }
        let dir = match self.path().rfind('/') {
            Some(i) => &self.path()[..=i],
            None => "/",
        };
        Url::parse(&format!("{base}{dir}{loc}"))
    }
}

impl std::fmt::Display for Url {
    /// The URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://", self.scheme.name())?;
        if let Some(user) = &self.user {
            write!(f, "{user}")?;
            if self.password.is_some() {
                write!(f, ":***")?;
            }
            write!(f, "@")?;
        }
        write!(f, "{}{}", self.host_header(), self.target)
    }
}

/// Standard base64 with padding (RFC 4648), for Basic authentication.
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parts() {
        let u = Url::parse("http://user:p%40ss@example.com:8080/a/b.MP3?x=1#frag").unwrap();
        assert_eq!(u.scheme, Scheme::Http);
        assert_eq!(u.user.as_deref(), Some("user"));
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 8080);
        assert_eq!(u.target, "/a/b.MP3?x=1");
        assert_eq!(u.extension().as_deref(), Some("mp3"));
        assert_eq!(u.host_header(), "example.com:8080");
        assert_eq!(
            u.to_string(),
            "http://user:***@example.com:8080/a/b.MP3?x=1"
        );

        let u = Url::parse("HTTPS://[::1]/live").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 443));
        assert_eq!(u.socket_addr(), "[::1]:443");
        assert_eq!(u.extension(), None);

        let u = Url::parse("icecast://source:hackme@127.0.0.1/live.mp3").unwrap();
        assert_eq!((u.port, u.target.as_str()), (8000, "/live.mp3"));
        assert_eq!(
            u.basic_auth().as_deref(),
            Some("Basic c291cmNlOmhhY2ttZQ==")
        );

        let u = Url::parse("http://h/a b.mp3").unwrap();
        assert_eq!(u.target, "/a%20b.mp3");
        assert_eq!(Url::parse("http://h").unwrap().target, "/");
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(matches!(
            Url::parse("http://:80/"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            Url::parse("http://h:99999/"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            Url::parse("http://h:x/"),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(Url::parse("ftp://h/"), Err(Error::Unsupported(_))));
        assert!(matches!(
            Url::parse("nothing"),
            Err(Error::InvalidArgument(_))
        ));
        let e = Url::parse("http://u:secret@:1/").unwrap_err().to_string();
        assert!(!e.contains("secret"), "{e}");
    }

    #[test]
    fn resolves_locations() {
        let u = Url::parse("http://h:81/dir/file.mp3?q").unwrap();
        assert_eq!(u.join("/x").unwrap().to_string(), "http://h:81/x");
        assert_eq!(
            u.join("y.ogg").unwrap().to_string(),
            "http://h:81/dir/y.ogg"
        );
        assert_eq!(
            u.join("?z").unwrap().to_string(),
            "http://h:81/dir/file.mp3?z"
        );
        assert_eq!(u.join("//g/p").unwrap().to_string(), "http://g/p");
        assert_eq!(u.join("https://s/t").unwrap().to_string(), "https://s/t");
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
        assert!(is_http("HTTP://x") && is_http("https://x") && !is_http("/tmp/http://"));
        assert!(is_icecast("Icecast://x") && !is_icecast("icecast:/"));
        assert_eq!(
            redact("icecast://source:pw@h/m"),
            "icecast://source:***@h/m"
        );
    }
}
