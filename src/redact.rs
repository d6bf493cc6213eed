//! Hiding the passwords of URLs (`http://user:secret@host/…` → `http://user:***@host/…`) in
//! anything shown to people: error messages, logs, the command line's output.

/// `text` with the password of every URL in it replaced by `***` (the user name stays, so a
/// message still says who connected).
///
/// ```
/// use audiostream::redact_credentials;
/// assert_eq!(
///     redact_credentials("opening http://me:s3cret@radio.example/live.mp3: 404"),
///     "opening http://me:***@radio.example/live.mp3: 404"
/// );
/// assert_eq!(redact_credentials("icecast://hackme@h/m"), "icecast://hackme@h/m");
/// assert_eq!(redact_credentials("no URL here"), "no URL here");
/// ```
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let start = i + 3;
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        // The authority ends at a path, query, fragment, or whatever cannot be in a URL.
        let end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        out.push_str(user);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_in_a_message_is_redacted() {
        let m = "\"https://a:b@x.org/1\" then icecast://source:pw@h:8000/m and http://h/p?a=b@c";
        assert_eq!(
            redact_credentials(m),
            "\"https://a:***@x.org/1\" then icecast://source:***@h:8000/m and http://h/p?a=b@c"
        );
        assert_eq!(redact_credentials("x://"), "x://");
        assert_eq!(redact_credentials("http://u:p@"), "http://u:***@");
    }
}
