//! Which HTTP proxy a request goes through: the `proxy` / `no_proxy` options, or else the
//! environment as curl reads it (`http_proxy`, `https_proxy`, `no_proxy`; see curl's
//! `libcurl-env(3)` and `CURLOPT_NOPROXY`).
//!
//! - `http://` URLs use `http_proxy`, then `HTTP_PROXY`; `https://` URLs `https_proxy`, then
//!   `HTTPS_PROXY` (lowercase first, as curl). curl never reads `HTTP_PROXY` in uppercase,
//!   because a CGI program gets a request's `Proxy:` header as `HTTP_PROXY` ("httpoxy"); we
//!   read it, except when `REQUEST_METHOD` is set (a CGI environment), as Go's
//!   `net/http/httpproxy` does.
//! - A value without a scheme means `http://`; the proxy itself is spoken to in plain HTTP
//!   (`https://` or `socks5://` proxies are [`Error::Unsupported`]).
//! - `no_proxy` (then `NO_PROXY`): hosts separated by commas (or spaces); `*` alone means
//!   every host; a name matches itself and its subdomains (`example.com` and `.example.com`
//!   both match `example.com` and `www.example.com`), case-insensitively; a port in an entry
//!   is ignored; an IP address matches that address literally, and `10.0.0.0/8` a range.
//! - `icecast://` destinations are not proxied: there is no `icecast_proxy` convention, and
//!   a source client's endless `PUT` body does not pass through most proxies.

use super::url::{Scheme, Url};
use crate::{Error, Result};
use std::net::IpAddr;

/// The proxy setting of a client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum ProxyMode {
    /// From the environment (the default).
    #[default]
    Env,
    /// Never (`proxy=none`).
    Direct,
    /// This proxy for every `http`/`https` URL (`proxy=http://host:port`).
    Fixed(Url),
}

/// A client's proxy setting, and its `no_proxy` list when the `no_proxy` option is given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ProxyConfig {
    pub(crate) mode: ProxyMode,
    /// `None`: from the environment when the mode is `Env`, nothing otherwise.
    pub(crate) no_proxy: Option<String>,
}

impl ProxyConfig {
    /// Direct connections, whatever the environment says.
    pub(crate) fn direct() -> ProxyConfig {
        ProxyConfig {
            mode: ProxyMode::Direct,
            no_proxy: None,
        }
    }

    /// Parses the `proxy` option: `none` (or an empty value) for direct connections, `env` for
    /// the environment, or a proxy URL.
    pub(crate) fn parse_option(value: &str) -> Result<ProxyMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "none" | "off" | "direct" => Ok(ProxyMode::Direct),
            "env" => Ok(ProxyMode::Env),
            _ => Ok(ProxyMode::Fixed(parse_proxy_url("proxy", value)?)),
        }
    }

    /// The proxy for `target` (None: connect directly), reading the process environment.
    pub(crate) fn proxy_for(&self, target: &Url) -> Result<Option<Url>> {
        self.proxy_for_env(target, |k| std::env::var(k).ok())
    }

    /// [`proxy_for`](Self::proxy_for) with the environment given as a lookup (for tests: the
    /// process environment is shared by every test thread).
    pub(crate) fn proxy_for_env(
        &self,
        target: &Url,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Url>> {
        if target.scheme == Scheme::Icecast {
            return Ok(None);
        }
        let (proxy, no_proxy) = match &self.mode {
            ProxyMode::Direct => return Ok(None),
            ProxyMode::Fixed(p) => (Some(p.clone()), self.no_proxy.clone()),
            ProxyMode::Env => {
                let (lower, upper) = match target.scheme {
                    Scheme::Https => ("https_proxy", "HTTPS_PROXY"),
                    _ => ("http_proxy", "HTTP_PROXY"),
                };
                let cgi = env("REQUEST_METHOD").is_some();
                let found = env(lower)
                    .map(|v| (lower, v))
                    .or_else(|| {
                        if upper == "HTTP_PROXY" && cgi {
                            None
                        } else {
                            env(upper).map(|v| (upper, v))
                        }
                    })
                    .filter(|(_, v)| !v.trim().is_empty());
                let proxy = match found {
                    Some((name, v)) => Some(parse_proxy_url(name, &v)?),
                    None => None,
                };
                let no_proxy = self
                    .no_proxy
                    .clone()
                    .or_else(|| env("no_proxy"))
                    .or_else(|| env("NO_PROXY"));
                (proxy, no_proxy)
            }
        };
        match proxy {
            Some(p) if !no_proxy.as_deref().is_some_and(|l| bypass(l, &target.host)) => Ok(Some(p)),
            _ => Ok(None),
        }
    }
}

/// Parses a proxy URL: `host:port` means `http://host:port`, and a proxy without a port is on
/// port 1080, as in curl (`CURLOPT_PROXYPORT`).
fn parse_proxy_url(name: &str, value: &str) -> Result<Url> {
    let v = value.trim();
    let with_scheme = if v.contains("://") {
        v.to_string()
    } else {
        format!("http://{v}")
    };
    let scheme = with_scheme
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default();
    if scheme != "http" {
        return Err(Error::Unsupported(format!(
            "{name} = {:?}: proxy scheme \"{scheme}\"; supported: http (an HTTP proxy, which \
             tunnels https with CONNECT), or none",
            crate::redact_credentials(v)
        )));
    }
    let explicit_port = with_scheme
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .map(|auth| auth.rsplit('@').next().unwrap_or(""))
        .is_some_and(|hp| hp.rsplit_once(':').is_some_and(|(_, p)| !p.ends_with(']')));
    let mut url = Url::parse(&with_scheme).map_err(|_| {
        Error::invalid_argument(
            name,
            format!("{:?}", crate::redact_credentials(v)),
            "an HTTP proxy URL, http://[user:password@]host[:port] (or none)",
        )
    })?;
    if !explicit_port {
        url.port = 1080;
    }
    Ok(url)
}

/// Whether `host` (ASCII, lowercase, IPv6 without brackets) is in the `no_proxy` list `list`.
pub(crate) fn bypass(list: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip: Option<IpAddr> = host.parse().ok();
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = strip_port(entry);
            if let Some(ip) = host_ip {
                return ip_matches(entry, ip);
            }
            let name = entry.trim_start_matches('.').trim_end_matches('.');
            // International names in the list compare in punycode, as the host does.
            let name = match url::Host::parse(name) {
                Ok(url::Host::Domain(d)) => d,
                _ => name.to_ascii_lowercase(),
            };
            !name.is_empty()
                && (host == name
                    || host
                        .strip_suffix(name.as_str())
                        .is_some_and(|rest| rest.ends_with('.')))
        })
}

/// An entry without its `:port` (`[::1]:80` → `::1`, `h:80` → `h`, `::1` stays).
fn strip_port(entry: &str) -> &str {
    if let Some(v6) = entry.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => entry,
    }
}

/// Whether an IP entry (`10.1.2.3`, `::1`, or a CIDR range `10.0.0.0/8`) matches `ip`.
fn ip_matches(entry: &str, ip: IpAddr) -> bool {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => match b.parse::<u32>() {
            Ok(b) => (a, Some(b)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip, bits) {
        (_, _, None) => net == ip,
        (IpAddr::V4(n), IpAddr::V4(i), Some(b)) if b <= 32 => {
            let mask = u32::MAX.checked_shl(32 - b).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i), Some(b)) if b <= 128 => {
            let mask = u128::MAX.checked_shl(128 - b).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn via(cfg: &ProxyConfig, url: &str, pairs: &[(&str, &str)]) -> Option<String> {
        cfg.proxy_for_env(&Url::parse(url).unwrap(), env(pairs))
            .unwrap()
            .map(|p| p.socket_addr())
    }

    #[test]
    fn reads_the_environment_as_curl() {
        let c = ProxyConfig::default();
        let both = [("http_proxy", "http://p1:3128"), ("https_proxy", "p2:8080")];
        assert_eq!(via(&c, "http://a/x", &both).as_deref(), Some("p1:3128"));
        assert_eq!(via(&c, "https://a/x", &both).as_deref(), Some("p2:8080"));
        // Lowercase wins; uppercase is read when lowercase is missing.
        let e = [("http_proxy", "low:1"), ("HTTP_PROXY", "up:2")];
        assert_eq!(via(&c, "http://a/", &e).as_deref(), Some("low:1"));
        assert_eq!(
            via(&c, "http://a/", &[("HTTP_PROXY", "up:2")]).as_deref(),
            Some("up:2")
        );
        assert_eq!(
            via(&c, "https://a/", &[("HTTPS_PROXY", "up:3")]).as_deref(),
            Some("up:3")
        );
        // httpoxy: under CGI, HTTP_PROXY may come from a request header.
        let cgi = [("HTTP_PROXY", "evil:1"), ("REQUEST_METHOD", "GET")];
        assert_eq!(via(&c, "http://a/", &cgi), None);
        // http_proxy is not used for https, nor https_proxy for http.
        assert_eq!(via(&c, "https://a/", &[("http_proxy", "p:1")]), None);
        assert_eq!(via(&c, "http://a/", &[("https_proxy", "p:1")]), None);
        // An empty value is no proxy; no port is curl's 1080.
        assert_eq!(via(&c, "http://a/", &[("http_proxy", "")]), None);
        assert_eq!(
            via(&c, "http://a/", &[("http_proxy", "http://p")]).as_deref(),
            Some("p:1080")
        );
        // Icecast destinations are never proxied.
        assert_eq!(via(&c, "icecast://s:p@a/m", &both), None);
        // Unsupported proxy schemes name what is supported, without the password.
        let e = c
            .proxy_for_env(
                &Url::parse("http://a/").unwrap(),
                env(&[("http_proxy", "socks5://u:s3cret@p:1080")]),
            )
            .unwrap_err();
        assert!(matches!(e, Error::Unsupported(_)), "{e}");
        let m = e.to_string();
        assert!(
            m.contains("socks5") && m.contains("http") && !m.contains("s3cret"),
            "{m}"
        );
    }

    #[test]
    fn no_proxy_follows_curl() {
        let c = ProxyConfig::default();
        let p = ("http_proxy", "p:1");
        for (list, host, bypassed) in [
            ("example.com", "example.com", true),
            ("example.com", "www.example.com", true),
            ("example.com", "badexample.com", false),
            (".example.com", "example.com", true),
            (".example.com", "a.b.example.com", true),
            ("EXAMPLE.com", "example.COM", true),
            ("example.com:8080", "example.com", true),
            ("a.org, example.com", "x.example.com", true),
            ("a.org example.com", "x.example.com", true),
            ("*", "anything", true),
            ("*.example.com", "www.example.com", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("127.0.0.0/8", "127.9.9.9", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("::1", "[::1]", true),
            ("[::1]:80", "[::1]", true),
            ("fd00::/8", "[fd12::1]", true),
            ("localhost", "127.0.0.1", false),
            ("bücher.example", "xn--bcher-kva.example", true),
            ("", "example.com", false),
        ] {
            let url = format!("http://{host}/x");
            let got = via(&c, &url, &[p, ("no_proxy", list)]).is_none();
            assert_eq!(got, bypassed, "no_proxy={list:?} host={host}");
            let got = via(&c, &url, &[p, ("NO_PROXY", list)]).is_none();
            assert_eq!(got, bypassed, "NO_PROXY={list:?} host={host}");
        }
        // Lowercase no_proxy wins over NO_PROXY.
        let e = [p, ("no_proxy", "a.org"), ("NO_PROXY", "b.org")];
        assert!(via(&c, "http://b.org/", &e).is_some());
    }

    #[test]
    fn options_override_the_environment() {
        let e = [("http_proxy", "envp:1"), ("no_proxy", "a.org")];
        let direct = ProxyConfig::direct();
        assert_eq!(via(&direct, "http://b.org/", &e), None);
        let fixed = ProxyConfig {
            mode: ProxyConfig::parse_option("http://u:pw@opt:3128").unwrap(),
            no_proxy: None,
        };
        // An explicit proxy does not read NO_PROXY from the environment: only the option.
        assert_eq!(
            via(&fixed, "http://a.org/", &e).as_deref(),
            Some("opt:3128")
        );
        assert_eq!(
            via(&fixed, "https://a.org/", &e).as_deref(),
            Some("opt:3128")
        );
        let fixed_np = ProxyConfig {
            no_proxy: Some("a.org".into()),
            ..fixed.clone()
        };
        assert_eq!(via(&fixed_np, "http://a.org/", &e), None);
        assert_eq!(
            ProxyConfig::parse_option("none").unwrap(),
            ProxyMode::Direct
        );
        assert_eq!(ProxyConfig::parse_option("env").unwrap(), ProxyMode::Env);
        assert!(matches!(
            ProxyConfig::parse_option("http://:1"),
            Err(Error::InvalidArgument(_))
        ));
        let e = ProxyConfig::parse_option("http://u:s3cret@:1").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
