//! URLs of the network sources and sinks, parsed and joined by the `url` crate (WHATWG URL
//! Standard, which implements RFC 3986's reference resolution: `../d.mp3` against
//! `/a/b/c.mp3` is `/a/d.mp3`; international host names become punycode, RFC 3492 via UTS
//! #46). This module keeps what the HTTP client needs from one: the host to connect to
//! (ASCII), the port, the request target, the credentials, and a display form with the
//! password masked.

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
    pub(crate) fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
            Scheme::Icecast => 8000,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::Icecast => "icecast",
        }
    }
}

/// A parsed absolute URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) scheme: Scheme,
    /// Percent-decoded user name and password of the user info, if any.
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
    /// Host name in ASCII (punycode for an international name, lowercased), or an IP address
    /// (IPv6 without brackets).
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Path and query, starting with `/`, percent-encoded (no fragment).
    pub(crate) target: String,
    /// The `url` crate's form (an `icecast://` URL parsed as `http://`), for joining.
    parsed: url::Url,
}

impl std::fmt::Debug for Url {
    /// As `Display`: no password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Url({self})")
    }
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

/// Escapes what RFC 3986 does not allow raw in a request target but the URL Standard leaves
/// as it is (`|`, `^`, ...), keeping existing escapes and the URL's own structure.
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
        // The URL Standard knows http's default port and host rules, not Icecast's: parse an
        // Icecast URL as http, and take its explicit port from a parse under its own scheme
        // (where no port is a default one).
        let explicit_port = if scheme == Scheme::Icecast {
            url::Url::parse(trimmed)
                .map_err(|e| bad_url(url, &e.to_string()))?
                .port()
        } else {
            None
        };
        let as_http = match scheme {
            Scheme::Icecast => format!("http://{rest}"),
            _ => format!("{}://{rest}", scheme.name()),
        };
        let parsed = url::Url::parse(&as_http).map_err(|e| bad_url(url, &e.to_string()))?;
        let port = match scheme {
            Scheme::Icecast => explicit_port.unwrap_or(scheme.default_port()),
            _ => parsed
                .port_or_known_default()
                .unwrap_or(scheme.default_port()),
        };
        let mut u = Url::from_parsed(parsed, url)?;
        u.scheme = scheme;
        u.port = port;
        if u.port == 0 {
            return Err(bad_url(url, "the port is not a number from 1 to 65535"));
        }
        Ok(u)
    }

    /// Our form of an `http`/`https` URL parsed by the `url` crate (`given` for messages).
    fn from_parsed(parsed: url::Url, given: &str) -> Result<Url> {
        let scheme = match parsed.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(Error::Unsupported(format!(
                    "URL scheme \"{other}\" in {:?}; supported: http, https (reading), icecast (writing)",
                    redact(given)
                )))
            }
        };
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return Err(bad_url(given, "no host")),
        };
        if host.is_empty() {
            return Err(bad_url(given, "no host"));
        }
        let user = Some(parsed.username())
            .filter(|u| !u.is_empty())
            .map(percent_decode);
        let password = parsed.password().map(percent_decode);
        let mut target = encode_target(parsed.path());
        if let Some(q) = parsed.query() {
            target.push('?');
            target.push_str(&encode_target(q));
        }
        Ok(Url {
            scheme,
            user: user.or_else(|| password.as_ref().map(|_| String::new())),
            password,
            host,
            port: parsed
                .port_or_known_default()
                .unwrap_or(scheme.default_port()),
            target,
            parsed,
        })
    }

    /// The host as it goes in a `Host` header or an authority: IPv6 in brackets.
    fn host_bracketed(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// The `Host` header value: the port only when it is not the scheme's default.
    pub(crate) fn host_header(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host_bracketed()
        } else {
            format!("{}:{}", self.host_bracketed(), self.port)
        }
    }

    /// `host:port` for connecting, and for a proxy's `CONNECT` (IPv6 in brackets).
    pub(crate) fn socket_addr(&self) -> String {
        format!("{}:{}", self.host_bracketed(), self.port)
    }

    /// The absolute form of the request target, without credentials (`http://h:81/a?b`), for
    /// a request through a proxy (RFC 9112 section 3.2.2).
    pub(crate) fn absolute_target(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme.name(),
            self.host_header(),
            self.target
        )
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

    /// The `Basic` credentials of the user info (for `Authorization` or
    /// `Proxy-Authorization`), if there is one.
    pub(crate) fn basic_auth(&self) -> Option<String> {
        let user = self.user.as_deref()?;
        let pass = self.password.as_deref().unwrap_or("");
        Some(format!(
            "Basic {}",
            base64(format!("{user}:{pass}").as_bytes())
        ))
    }

    /// Resolves a redirect's `Location` against this URL (RFC 3986 section 5.2, as the URL
    /// Standard does it).
    pub(crate) fn join(&self, location: &str) -> Result<Url> {
        let loc = location.trim();
        let joined = self
            .parsed
            .join(loc)
            .map_err(|e| bad_url(loc, &e.to_string()))?;
        Url::from_parsed(joined, loc)
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
        // RFC 3986 section 5.4's examples that our own joining got wrong.
        let u = Url::parse("http://h/a/b/c.mp3").unwrap();
        assert_eq!(u.join("../d.mp3").unwrap().target, "/a/d.mp3");
        assert_eq!(u.join("./e.mp3").unwrap().target, "/a/b/e.mp3");
        assert_eq!(u.join("../../../../g").unwrap().target, "/g");
        assert_eq!(u.join("/x/./y/../z").unwrap().target, "/x/z");
        assert_eq!(u.join("#frag").unwrap().target, "/a/b/c.mp3");
        // A redirect keeps the credentials only when it says so; a foreign scheme is refused.
        assert!(matches!(u.join("ftp://h/x"), Err(Error::Unsupported(_))));
    }

    #[test]
    fn international_hosts_become_punycode() {
        // RFC 3492 / UTS #46: "bücher" is "xn--bcher-kva"; the host is lowercased.
        let u = Url::parse("http://Bücher.Example:8080/ä ö.mp3").unwrap();
        assert_eq!(u.host, "xn--bcher-kva.example");
        assert_eq!(u.host_header(), "xn--bcher-kva.example:8080");
        assert_eq!(u.socket_addr(), "xn--bcher-kva.example:8080");
        assert_eq!(u.target, "/%C3%A4%20%C3%B6.mp3");
        assert_eq!(
            u.absolute_target(),
            "http://xn--bcher-kva.example:8080/%C3%A4%20%C3%B6.mp3"
        );
        let u = Url::parse("https://例え.テスト/").unwrap();
        assert_eq!(u.host, "xn--r8jz45g.xn--zckzah");
        // An Icecast URL keeps an explicit :80 (the http default) and defaults to 8000.
        assert_eq!(Url::parse("icecast://s:p@h:80/m").unwrap().port, 80);
        assert_eq!(Url::parse("icecast://s:p@h/m").unwrap().port, 8000);
        assert_eq!(Url::parse("http://h:80/m").unwrap().host_header(), "h");
        // A password never shows in the Debug form either.
        let u = Url::parse("http://me:s3cret@h/").unwrap();
        assert!(!format!("{u:?}").contains("s3cret"));
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
